"""Emergency-access grants and their reviews are append-only, enforced by
PostgreSQL: a grant is evidence of who opened a record and why, and a review is
the supervisor's word on it. UPDATE and DELETE (each row) and TRUNCATE are
refused on both tables; a grant ends by expiring (its `expires_at`, set by the
database clock when it is made), never by being changed.

Disabling a trigger needs the table's owner: run the application as a role that
does not own these tables (docs/deployment.md)."""

from django.db import migrations

SQL = r"""
CREATE FUNCTION clients_emergency_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'emergency access records are append-only (% on % refused)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER emergency_grant_append_only
    BEFORE UPDATE OR DELETE ON clients_emergencygrant
    FOR EACH ROW EXECUTE FUNCTION clients_emergency_append_only();
CREATE TRIGGER emergency_grant_no_truncate
    BEFORE TRUNCATE ON clients_emergencygrant
    FOR EACH STATEMENT EXECUTE FUNCTION clients_emergency_append_only();

CREATE TRIGGER emergency_review_append_only
    BEFORE UPDATE OR DELETE ON clients_emergencygrantreview
    FOR EACH ROW EXECUTE FUNCTION clients_emergency_append_only();
CREATE TRIGGER emergency_review_no_truncate
    BEFORE TRUNCATE ON clients_emergencygrantreview
    FOR EACH STATEMENT EXECUTE FUNCTION clients_emergency_append_only();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS emergency_review_no_truncate ON clients_emergencygrantreview;
DROP TRIGGER IF EXISTS emergency_review_append_only ON clients_emergencygrantreview;
DROP TRIGGER IF EXISTS emergency_grant_no_truncate ON clients_emergencygrant;
DROP TRIGGER IF EXISTS emergency_grant_append_only ON clients_emergencygrant;
DROP FUNCTION IF EXISTS clients_emergency_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_emergency_access")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
