"""Amendment requests, their decisions and statements of disagreement
(issue #20): written once and kept. UPDATE and DELETE refused for every role
(clinical_append_only, migration staff `append_only_staff_history`), TRUNCATE
too (`*_no_truncate`, which tests/db_roles.switch_truncate_guards finds).

What spans two tables is checked by triggers, as the service checks it too:

- `records_amendment_decision_fits`: a decision accepting a request about a
  note carries its addendum, on that note; any other decision carries none.
- `records_amendment_statement_after_denial`: a statement of disagreement
  answers a request decided "kept as it is".
"""

import datetime
import uuid

import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models

TABLES = [
    "records_amendmentrequest",
    "records_amendmentdecision",
    "records_amendmentstatement",
]

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

RULES = r"""
CREATE FUNCTION records_amendment_decision_fits() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r records_amendmentrequest%ROWTYPE;
BEGIN
    SELECT * INTO r FROM records_amendmentrequest WHERE id = NEW.request_id;
    IF NEW.outcome = 'accepted' AND r.part = 'note' THEN
        IF NOT EXISTS (
            SELECT 1 FROM therapy_sessions_addendum a
             WHERE a.id = NEW.addendum_id AND a.session_id = r.session_id
        ) THEN
            RAISE EXCEPTION 'a change to a note is made by an addendum on that note'
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.addendum_id IS NOT NULL THEN
        RAISE EXCEPTION 'only a change to a note carries an addendum'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER records_amendment_decision_fits
    BEFORE INSERT ON records_amendmentdecision
    FOR EACH ROW EXECUTE FUNCTION records_amendment_decision_fits();

CREATE FUNCTION records_amendment_statement_after_denial() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM records_amendmentdecision d
         WHERE d.request_id = NEW.request_id AND d.outcome = 'denied'
    ) THEN
        RAISE EXCEPTION 'a statement of disagreement follows a decision to keep the record as it is'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER records_amendment_statement_after_denial
    BEFORE INSERT ON records_amendmentstatement
    FOR EACH ROW EXECUTE FUNCTION records_amendment_statement_after_denial();
"""

UNRULES = """
DROP TRIGGER IF EXISTS records_amendment_statement_after_denial
    ON records_amendmentstatement;
DROP FUNCTION IF EXISTS records_amendment_statement_after_denial();
DROP TRIGGER IF EXISTS records_amendment_decision_fits ON records_amendmentdecision;
DROP FUNCTION IF EXISTS records_amendment_decision_fits();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("records", "0002_copies_kept"),
        ("clients", "0009_clients_never_deleted"),
        ("goals", "0004_append_only_history"),
        ("therapy_sessions", "0019_counseling_notes_kept"),
        ("staff", "0008_append_only_staff_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AmendmentRequest",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "part",
                    models.CharField(
                        choices=[
                            ("note", "A signed session note"),
                            ("goal", "A goal"),
                            ("other", "Another part of the record"),
                        ],
                        max_length=10,
                    ),
                ),
                ("other_part", models.CharField(blank=True, max_length=200)),
                ("what", models.TextField()),
                ("why", models.TextField()),
                ("asked_on", models.DateField()),
                ("due_on", models.DateField()),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now()
                    ),
                ),
                ("form_token", models.UUIDField(blank=True, editable=False, null=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                (
                    "goal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="goals.goal",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="therapy_sessions.therapysession",
                    ),
                ),
            ],
            options={
                "ordering": ["-asked_on", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="AmendmentDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("accepted", "Changed as asked"),
                            ("denied", "Kept as it is, with the reason"),
                        ],
                        max_length=10,
                    ),
                ),
                ("correction", models.TextField(blank=True)),
                ("to_tell", models.TextField(blank=True)),
                ("reason", models.TextField(blank=True)),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now()
                    ),
                ),
                ("form_token", models.UUIDField(blank=True, editable=False, null=True)),
                (
                    "addendum",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="amendment_decision",
                        to="therapy_sessions.addendum",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decision",
                        to="records.amendmentrequest",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="AmendmentStatement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("text", models.TextField()),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now()
                    ),
                ),
                ("form_token", models.UUIDField(blank=True, editable=False, null=True)),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="statement",
                        to="records.amendmentrequest",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="amendmentrequest",
            index=models.Index(
                fields=["client", "due_on"], name="amendment_client_due_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("part__in", ["note", "goal", "other"])),
                name="amendment_part_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("goal__isnull", True),
                        ("other_part", ""),
                        ("part", "note"),
                        ("session__isnull", False),
                    ),
                    models.Q(
                        ("goal__isnull", False),
                        ("other_part", ""),
                        ("part", "goal"),
                        ("session__isnull", True),
                    ),
                    models.Q(
                        ("goal__isnull", True),
                        ("part", "other"),
                        ("session__isnull", True),
                        models.Q(("other_part", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="amendment_names_one_part",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("what", ""), _negated=True),
                    models.Q(("why", ""), _negated=True),
                ),
                name="amendment_says_what_and_why",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "due_on",
                        models.ExpressionWrapper(
                            django.db.models.expressions.CombinedExpression(
                                models.F("asked_on"),
                                "+",
                                models.Value(datetime.timedelta(days=60)),
                            ),
                            output_field=models.DateField(),
                        ),
                    )
                ),
                name="amendment_due_in_60_days",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentrequest",
            constraint=models.UniqueConstraint(
                fields=("client", "recorded_by", "form_token"),
                name="amendment_one_per_form",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentdecision",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["accepted", "denied"])),
                name="amendment_outcome_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentdecision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("addendum__isnull", True),
                        ("outcome", "denied"),
                        models.Q(("reason", ""), _negated=True),
                        ("correction", ""),
                        ("to_tell", ""),
                    ),
                    models.Q(
                        ("outcome", "accepted"),
                        ("reason", ""),
                        models.Q(("correction", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="amendment_denial_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendmentstatement",
            constraint=models.CheckConstraint(
                condition=models.Q(("text", ""), _negated=True),
                name="amendment_statement_has_words",
            ),
        ),
        migrations.RunSQL(GUARDS, UNGUARDS),
        migrations.RunSQL(RULES, UNRULES),
    ]
