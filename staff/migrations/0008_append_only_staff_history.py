"""Records that are written once and kept, enforced by PostgreSQL (issue #18).

Two functions every app's history tables use (these and later migrations):

- `clinical_append_only()`, a row trigger BEFORE UPDATE OR DELETE: refused,
  naming the table. Nothing clinical, and no staff history, is ever lost.
- `clinical_no_truncate()`, a statement trigger BEFORE TRUNCATE: refused on
  every clinical table, not only the audit trail. The app role has no TRUNCATE
  privilege anyway (migration audit `app_role_grants`); this also stops the
  owner, short of disabling the trigger.

Here: staff_staffchange (who changed a role, supervisor, co-sign flag, name…)
is append-only, and neither it nor staff_user can be truncated (a staff row is
deactivated, never removed: notes and the audit trail point at it).
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION clinical_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE FUNCTION clinical_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is never emptied (TRUNCATE refused)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER staff_staffchange_append_only
    BEFORE UPDATE OR DELETE ON staff_staffchange
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER staff_staffchange_no_truncate
    BEFORE TRUNCATE ON staff_staffchange
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
CREATE TRIGGER staff_user_no_truncate
    BEFORE TRUNCATE ON staff_user
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS staff_user_no_truncate ON staff_user;
DROP TRIGGER IF EXISTS staff_staffchange_no_truncate ON staff_staffchange;
DROP TRIGGER IF EXISTS staff_staffchange_append_only ON staff_staffchange;
DROP FUNCTION IF EXISTS clinical_no_truncate();
DROP FUNCTION IF EXISTS clinical_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("staff", "0007_signed_in_sessions")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
