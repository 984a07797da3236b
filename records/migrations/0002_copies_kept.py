"""Requests for a copy and their fulfilment are written once and kept
(UPDATE, DELETE and TRUNCATE refused for every role, as for the other
clinical history: clinical_append_only and clinical_no_truncate, migration
staff `append_only_staff_history`). An export's row is a job and changes as
it runs, and its file is emptied after a day, but the row itself, the
history of what was made of the record, is never deleted."""

from django.db import migrations

APPEND_ONLY = ["records_copyrequest", "records_copyfulfilment"]
NEVER_DELETED = "records_recordexport"

GUARDS = (
    "".join(
        f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
        for table in APPEND_ONLY
    )
    + f"""
CREATE FUNCTION records_export_never_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'record exports are kept (export %); their file is emptied instead',
        OLD.id USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER {NEVER_DELETED}_never_deleted
    BEFORE DELETE ON {NEVER_DELETED}
    FOR EACH ROW EXECUTE FUNCTION records_export_never_deleted();
CREATE TRIGGER {NEVER_DELETED}_no_truncate
    BEFORE TRUNCATE ON {NEVER_DELETED}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
)

UNGUARDS = f"""
DROP TRIGGER IF EXISTS {NEVER_DELETED}_no_truncate ON {NEVER_DELETED};
DROP TRIGGER IF EXISTS {NEVER_DELETED}_never_deleted ON {NEVER_DELETED};
DROP FUNCTION IF EXISTS records_export_never_deleted();
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""
    for table in reversed(APPEND_ONLY)
)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_copies_and_exports"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(GUARDS, UNGUARDS)]
