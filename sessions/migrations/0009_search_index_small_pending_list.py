"""The note search index merges its pending list every 128 kB (issue #11).

Autosaves add a note's words to the GIN index again every few seconds while
someone types; GIN keeps them in a pending list that every search reads until
the list is merged into the index. With the default limit (4 MB) the list grew
large enough between merges to triple the index scan of a supervisor's search.
The model declares the index with gin_pending_list_limit=128; in the database
that is one ALTER INDEX, not a rebuild of the index (minutes on a million notes).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

INDEX = "session_search_scope_idx"


def _index(**options):
    return django.contrib.postgres.indexes.GinIndex(
        models.F("search_vector"),
        models.Func(
            models.F("client_clinician"),
            output_field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), size=None
            ),
            template="ARRAY[%(expressions)s]",
        ),
        name=INDEX,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0008_search_notes_by_client_clinician"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="therapysession", name=INDEX),
                migrations.AddIndex(
                    model_name="therapysession",
                    index=_index(gin_pending_list_limit=128),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = 128)",
                    f"ALTER INDEX {INDEX} RESET (gin_pending_list_limit)",
                ),
            ],
        ),
    ]
