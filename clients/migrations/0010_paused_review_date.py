"""A paused record's review date (issue #21): from that day the person is on
the reach-out list again. Only a paused record has one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0009_clients_never_deleted"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="review_on",
            field=models.DateField(blank=True, null=True, verbose_name="review on"),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("review_on__isnull", True), ("status", "paused"), _connector="OR"
                ),
                name="client_review_on_only_when_paused",
            ),
        ),
    ]
