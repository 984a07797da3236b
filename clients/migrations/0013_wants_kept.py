"""Every version of "What I want from coming here" is kept (issue #22): a new
version is a new row, and PostgreSQL refuses UPDATE, DELETE and TRUNCATE for
every role (`clinical_append_only`, `clinical_no_truncate`, from migration
staff `append_only_staff_history`). The app role also lacks UPDATE and DELETE
(migration audit `checkin_and_wants_grants`)."""

from django.db import migrations

SQL = r"""
CREATE TRIGGER clients_wants_append_only
    BEFORE UPDATE OR DELETE ON clients_wants
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER clients_wants_no_truncate
    BEFORE TRUNCATE ON clients_wants
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS clients_wants_no_truncate ON clients_wants;
DROP TRIGGER IF EXISTS clients_wants_append_only ON clients_wants;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0012_what_i_want"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
