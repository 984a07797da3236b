from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The note search's newest-first walks (issue #25, sessions.selectors):
    a word in many notes is found by reading the scope's notes newest first
    and stopping at the cap, not by a GIN bitmap of every match sorted by date.
    One clinician's notes newest first; and every note newest first with the
    client's clinician in the index entry, for a team's scope. Both leave out
    discarded drafts, which the search never finds.

    CONCURRENTLY (so not atomic), as audit 0010: notes are written all day,
    and a plain CREATE INDEX would hold every save for the whole build."""

    atomic = False

    dependencies = [
        ("therapy_sessions", "0026_index_draft_words_between_autosaves"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="therapysession",
            index=models.Index(
                condition=~models.Q(status="discarded"),
                fields=["client_clinician", "-started_at", "-id"],
                name="session_scope_newest_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="therapysession",
            index=models.Index(
                condition=~models.Q(status="discarded"),
                fields=["-started_at", "-id"],
                include=("client_clinician",),
                name="session_newest_idx",
            ),
        ),
    ]
