"""The program figures' version (issue #25): one row, reports.FiguresVersion,
that PostgreSQL changes in the same transaction as anything the figures count,
so that reports.selectors can keep a period's computed figures and know, with
one read, whether they still hold.

What the figures read, and what moves the version:
- the summaries of signed notes (reports.SessionMonth, ClientMonth), which
  their own trigger writes when a note is signed: any statement on them;
- attempts to reach someone, goals, ratings, relationship check-ins, the
  daily reach-out counts, and appointments (the reach-out list's "didn't
  make it"): any statement on them;
- a client's columns the reach-out list reads (status, last contact, intake
  date, review date, primary clinician), and a new or removed client;
- a note's columns the check-in averages read (status, handed over, whose
  note it is). An autosave changes none of them and moves nothing.

The trigger first takes the audit chain's lock (audit migration 0002), which
nearly every writing transaction takes anyway for its audit event: the
version's row is then only ever written under that one lock, so no two
writers can wait for each other in opposite orders (a deadlock) over it.
Read-only pages never touch either."""

from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION reports_figures_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_auditevent_chain'));
    INSERT INTO reports_figuresversion AS v (id, version, changed_by, changed_at)
    VALUES (1, 1, pg_current_xact_id()::text, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET version = v.version + 1,
        changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END;
$$;
"""

# Every statement on these moves the version.
WHOLE_TABLES = [
    "reports_sessionmonth",
    "reports_clientmonth",
    "reports_reachoutcount",
    "clients_contactattempt",
    "goals_goal",
    "goals_goalrating",
    "therapy_sessions_relationshipcheckin",
    "appointments_appointment",
]

# On these, only a change of the columns the figures read.
COLUMNS = {
    "clients_client": [
        "status",
        "last_contact_at",
        "intake_date",
        "review_on",
        "clinician_id",
    ],
    "therapy_sessions_therapysession": ["status", "handed_over_at", "clinician_id"],
}


def _statement_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER reports_figures_changed "
        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();"
    )


def _column_trigger(table: str, columns: list[str]) -> str:
    changed = " OR ".join(
        f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns
    )
    return (
        f"CREATE TRIGGER reports_figures_changed "
        f"AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION reports_figures_changed();"
    )


# A new client may be due a reach-out at once (an intake date long past);
# a new note counts only once signed (its summary's trigger), and a note's
# check-ins go with it.
ADDED_OR_REMOVED = "clients_client"
ROWS_TRIGGER = (
    "CREATE TRIGGER reports_figures_changed_rows "
    f"AFTER INSERT OR DELETE OR TRUNCATE ON {ADDED_OR_REMOVED} "
    "FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();"
)


def _drop(table: str, *names: str) -> str:
    return "".join(f"DROP TRIGGER {name} ON {table};" for name in names)


TRIGGERS = [
    *(_statement_trigger(table) for table in WHOLE_TABLES),
    *(_column_trigger(table, columns) for table, columns in COLUMNS.items()),
    ROWS_TRIGGER,
]
DROP_TRIGGERS = [
    *(_drop(table, "reports_figures_changed") for table in [*WHOLE_TABLES, *COLUMNS]),
    _drop(ADDED_OR_REMOVED, "reports_figures_changed_rows"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_count_signed_notes"),
        ("clients", "0013_wants_kept"),
        ("appointments", "0005_didnt_make_it_index"),
        ("goals", "0005_rating_entered_how"),
        ("therapy_sessions", "0029_room_on_each_page_for_autosaves"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, primary_key=True, serialize=False
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
                ("changed_by", models.TextField(blank=True)),
                ("changed_at", models.DateTimeField(null=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="figures_version_one_row"
                    )
                ],
            },
        ),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION reports_figures_changed();"),
        migrations.RunSQL(
            "".join(TRIGGERS),
            "".join(reversed(DROP_TRIGGERS)),
        ),
    ]
