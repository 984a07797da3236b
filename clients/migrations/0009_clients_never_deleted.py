"""A client is closed, never deleted, enforced by PostgreSQL (issue #18).

- clients_client: DELETE refused (closing keeps everything and can be undone);
  TRUNCATE refused.
- clients_statuschange and clients_reassignment (the record's history of
  closing, reopening and moving between clinicians): append-only, never
  truncated.

The functions are those of migration staff `append_only_staff_history`.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION clients_never_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'clients are never deleted (client %); close the record instead',
        OLD.id USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER clients_client_never_deleted
    BEFORE DELETE ON clients_client
    FOR EACH ROW EXECUTE FUNCTION clients_never_deleted();
CREATE TRIGGER clients_client_no_truncate
    BEFORE TRUNCATE ON clients_client
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();

CREATE TRIGGER clients_statuschange_append_only
    BEFORE UPDATE OR DELETE ON clients_statuschange
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER clients_statuschange_no_truncate
    BEFORE TRUNCATE ON clients_statuschange
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();

CREATE TRIGGER clients_reassignment_append_only
    BEFORE UPDATE OR DELETE ON clients_reassignment
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER clients_reassignment_no_truncate
    BEFORE TRUNCATE ON clients_reassignment
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS clients_reassignment_no_truncate ON clients_reassignment;
DROP TRIGGER IF EXISTS clients_reassignment_append_only ON clients_reassignment;
DROP TRIGGER IF EXISTS clients_statuschange_no_truncate ON clients_statuschange;
DROP TRIGGER IF EXISTS clients_statuschange_append_only ON clients_statuschange;
DROP TRIGGER IF EXISTS clients_client_no_truncate ON clients_client;
DROP TRIGGER IF EXISTS clients_client_never_deleted ON clients_client;
DROP FUNCTION IF EXISTS clients_never_deleted();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0008_emergency_access_append_only"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
