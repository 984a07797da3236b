"""Attempts to reach someone (issue #21): kept, never changed. UPDATE and
DELETE are refused for every role (clinical_append_only, migration staff
`append_only_staff_history`), TRUNCATE too (`*_no_truncate`); the app role
loses UPDATE and DELETE on the table as well (migration audit
`contact_attempt_app_role_grants`)."""

import datetime

import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

GUARDS = r"""
CREATE TRIGGER clients_contactattempt_append_only
    BEFORE UPDATE OR DELETE ON clients_contactattempt
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER clients_contactattempt_no_truncate
    BEFORE TRUNCATE ON clients_contactattempt
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

UNGUARDS = r"""
DROP TRIGGER IF EXISTS clients_contactattempt_no_truncate ON clients_contactattempt;
DROP TRIGGER IF EXISTS clients_contactattempt_append_only ON clients_contactattempt;
"""

TABLES = ["clients_contactattempt"]


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0010_paused_review_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactAttempt",
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
                    "tried_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="when"
                    ),
                ),
                (
                    "how",
                    models.CharField(
                        choices=[
                            ("call", "Phone call"),
                            ("text", "Text message"),
                            ("voicemail", "Voicemail"),
                            ("outreach_visit", "Outreach visit"),
                            ("letter", "Letter"),
                            ("support_person", "Through a support person"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "through_whom",
                    models.CharField(
                        blank=True,
                        help_text="Who you asked to pass the message on.",
                        max_length=120,
                        verbose_name="support person",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("talked", "Talked"),
                            ("left_message", "Left a message"),
                            ("no_answer", "No answer"),
                            ("number_not_working", "Number not working"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500)),
                ("despite_preference", models.BooleanField(default=False)),
                ("form_token", models.UUIDField(blank=True, editable=False, null=True)),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False
                    ),
                ),
            ],
            options={
                "ordering": ["-tried_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="contactattempt",
            name="by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="contactattempt",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contact_attempts",
                to="clients.client",
            ),
        ),
        migrations.AddIndex(
            model_name="contactattempt",
            index=models.Index(
                fields=["client", "-tried_at", "-id"], name="contact_attempt_client_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "how__in",
                        [
                            "call",
                            "text",
                            "voicemail",
                            "outreach_visit",
                            "letter",
                            "support_person",
                        ],
                    )
                ),
                name="contact_attempt_how_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "outcome__in",
                        ["talked", "left_message", "no_answer", "number_not_working"],
                    )
                ),
                name="contact_attempt_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("how", "support_person"),
                        models.Q(("through_whom", ""), _negated=True),
                    ),
                    models.Q(
                        models.Q(("how", "support_person"), _negated=True),
                        ("through_whom", ""),
                    ),
                    _connector="OR",
                ),
                name="contact_attempt_support_person_named",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "tried_at__gte",
                        datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC),
                    )
                ),
                name="contact_attempt_after_1900",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "tried_at__lte",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.functions.datetime.Now(),
                            "+",
                            models.Value(datetime.timedelta(seconds=300)),
                        ),
                    )
                ),
                name="contact_attempt_not_future",
            ),
        ),
        migrations.AddConstraint(
            model_name="contactattempt",
            constraint=models.UniqueConstraint(
                fields=("by", "form_token"), name="contact_attempt_one_per_form"
            ),
        ),
        migrations.RunSQL(GUARDS, UNGUARDS),
    ]
