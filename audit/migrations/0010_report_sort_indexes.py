from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The audit report sorts by each of its columns (issue #18): an index on
    (column, seq DESC) for each column of the row it shows, so a sorted page
    reads the index instead of sorting the whole trail.

    CONCURRENTLY (so not atomic), as in 0004: every page writes an audit event,
    and a plain CREATE INDEX would hold those writes for the whole build."""

    atomic = False

    dependencies = [
        ("audit", "0009_print_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(
                fields=["actor_role", "-seq"], name="audit_role_seq_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["action", "-seq"], name="audit_action_seq_idx"),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(
                fields=["object_type", "-seq"], name="audit_object_seq_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(
                fields=["client_id", "-seq"], name="audit_client_seq_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(
                fields=["outcome", "-seq"], name="audit_outcome_seq_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(
                fields=["source_ip", "-seq"], name="audit_address_seq_idx"
            ),
        ),
    ]
