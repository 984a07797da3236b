"""Measure responses and safety check-ins are written once and kept (issue
#22): a response is what the person answered, scored as it was then, and a
check-in is what the clinician recorded. UPDATE and DELETE are refused for
every role (clinical_append_only, migration staff `append_only_staff_history`),
TRUNCATE too (`*_no_truncate`); the app role also lacks UPDATE and DELETE on
them (migration audit `measures_app_role_grants`)."""

from django.db import migrations

TABLES = ["measures_measureresponse", "measures_safetycheck"]

GUARDS = "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
    for table in TABLES
)

UNGUARDS = "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""
    for table in reversed(TABLES)
)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_measures_and_safety_checks"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(GUARDS, UNGUARDS)]
