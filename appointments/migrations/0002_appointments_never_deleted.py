"""Appointments and their series are never deleted (issue #21): a
cancellation, a move or an appointment the person didn't make it to is an
outcome on the row. DELETE and TRUNCATE are refused for every role; the app
role also lacks DELETE on these tables (migration audit
`appointments_app_role_grants`). Rows change (an outcome, a new time), so
UPDATE stays allowed."""

from django.db import migrations

TABLES = ["appointments_appointment", "appointments_appointmentseries"]

GUARDS = """
CREATE FUNCTION appointments_never_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'appointments are kept (%); a cancellation is an outcome',
        OLD.id USING ERRCODE = 'restrict_violation';
END;
$$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_never_deleted
    BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION appointments_never_deleted();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
    for table in TABLES
)

UNGUARDS = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_never_deleted ON {table};
"""
        for table in reversed(TABLES)
    )
    + "DROP FUNCTION IF EXISTS appointments_never_deleted();\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_appointments_and_series"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(GUARDS, UNGUARDS)]
