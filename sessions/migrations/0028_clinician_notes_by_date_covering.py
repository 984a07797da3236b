from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    """A clinician's notes by date, with the columns the team dashboard's
    "sessions, last 30 days" figure reads, so it counts from the index alone
    (issue #25): it replaces (clinician, status, -started_at), whose status
    first made a 30-day range read every note of the clinician.

    CONCURRENTLY (so not atomic), as 0027: notes are written all day."""

    atomic = False

    dependencies = [
        ("therapy_sessions", "0027_search_walks_newest_first"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="therapysession",
            index=models.Index(
                fields=["clinician", "started_at"],
                include=(
                    "status",
                    "review_status",
                    "handed_over_at",
                    "client_clinician",
                ),
                name="session_clinician_recent_idx",
            ),
        ),
        RemoveIndexConcurrently(
            model_name="therapysession",
            name="session_clinician_idx",
        ),
    ]
