"""The note search finds words in addenda, other supplies and referrals (#16).

The search read only the note's sections: a word written in an addendum (the
way to correct a signed note), in the check-in's "other supplies" or in the
referrals was never found. The search stays one scan of one GIN index within
who may see the note (session_search_scope_idx, docs/performance.md): those
texts go into the same generated `search_vector`.

Addenda live in their own table, and a generated column can read only its own
row, so each note keeps a copy of its addenda's reasons and text,
`addenda_text`, kept by PostgreSQL:

- on every INSERT and UPDATE of a note, the copy is recomputed from the addenda
  table (a signed note's only; a draft has none, so an autosave does not look);
  whatever Django writes there is replaced, so a note saved from a stale copy
  cannot lose an addendum;
- an addendum's INSERT updates its note, which recomputes the copy.

A signed note's lock (therapy_sessions_lock_note, migrations lock_signed_notes
and search_notes_by_client_clinician) is left as it is: BEFORE triggers fire in
name order, and therapy_sessions_sync_addenda_text comes after
therapy_sessions_lock_note, so the lock compares what the statement wrote (the
addendum's update writes the copy back unchanged) and the copy is set after it.
A statement that writes another value into a signed note's copy is refused by
the lock, like any other change.

The copy is recomputed inside the trigger by a query of its own (plpgsql: a
fresh snapshot, after the note's row lock is taken), so two addenda added to one
note at once both end up in it.

Like the other keep-triggers' bulk-load counterparts, these do not fire under
session_replication_role = replica (seed_scale writes no addenda).

The generated column cannot be altered in place (PostgreSQL 16): the index and
the column are dropped and added again, which rewrites the notes table once and
rebuilds the index (minutes on a million notes, under an exclusive lock).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

INDEX = "session_search_scope_idx"

SYNC_SQL = r"""
CREATE FUNCTION therapy_sessions_sync_addenda_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'signed' THEN
        SELECT coalesce(
                   string_agg(reason || E'\n' || text, E'\n\n'
                              ORDER BY created_at, id),
                   '')
          INTO NEW.addenda_text
          FROM therapy_sessions_addendum
         WHERE session_id = NEW.id;
    ELSE
        NEW.addenda_text := '';
    END IF;
    RETURN NEW;
END;
$$;

-- Named to fire after therapy_sessions_lock_note (see the docstring).
CREATE TRIGGER therapy_sessions_sync_addenda_text
    BEFORE INSERT OR UPDATE ON therapy_sessions_therapysession
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_sync_addenda_text();

CREATE FUNCTION therapy_sessions_addendum_to_note() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Writes the copy back unchanged; the note's own trigger recomputes it.
    UPDATE therapy_sessions_therapysession
       SET addenda_text = addenda_text
     WHERE id = NEW.session_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER therapy_sessions_addendum_to_note
    AFTER INSERT ON therapy_sessions_addendum
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_addendum_to_note();
"""

UNSYNC_SQL = r"""
DROP TRIGGER IF EXISTS therapy_sessions_addendum_to_note
    ON therapy_sessions_addendum;
DROP FUNCTION IF EXISTS therapy_sessions_addendum_to_note();
DROP TRIGGER IF EXISTS therapy_sessions_sync_addenda_text
    ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS therapy_sessions_sync_addenda_text();
"""

# Notes that already have addenda: updating them fires the trigger. Before the
# column is added back, so the one table rewrite below includes their words.
BACKFILL_SQL = r"""
UPDATE therapy_sessions_therapysession
   SET addenda_text = addenda_text
 WHERE id IN (SELECT session_id FROM therapy_sessions_addendum);
"""


def _vector(field: str) -> models.Func:
    return models.Func(
        field,
        output_field=django.contrib.postgres.search.SearchVectorField(),
        template="to_tsvector('english'::regconfig, %(expressions)s)",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0010_one_record_per_form"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="therapysession", name=INDEX),
        migrations.RemoveField(model_name="therapysession", name="search_vector"),
        migrations.AddField(
            model_name="therapysession",
            name="addenda_text",
            field=models.TextField(
                blank=True, db_default="", default="", editable=False
            ),
        ),
        migrations.RunSQL(SYNC_SQL, UNSYNC_SQL),
        migrations.RunSQL(BACKFILL_SQL, migrations.RunSQL.noop),
        migrations.AddField(
            model_name="therapysession",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.Func(
                        "sections",
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                        template="jsonb_to_tsvector('english'::regconfig, "
                        "%(expressions)s, '[\"string\"]'::jsonb)",
                    ),
                    _vector("other_supplies"),
                    _vector("referrals"),
                    _vector("addenda_text"),
                    arg_joiner=" || ",
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                    template="(%(expressions)s)",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="therapysession",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("search_vector"),
                models.Func(
                    models.F("client_clinician"),
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), size=None
                    ),
                    template="ARRAY[%(expressions)s]",
                ),
                name=INDEX,
                gin_pending_list_limit=128,
            ),
        ),
        migrations.RunSQL(
            "ANALYZE therapy_sessions_therapysession", migrations.RunSQL.noop
        ),
    ]
