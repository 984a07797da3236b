"""A draft's autosave no longer rewrites every index of the notes table (#25).

`search_vector` was a stored generated column: every autosave (a few a minute
while a clinician types) changed it, and a change to an indexed column rules
out a HOT update, so each autosave wrote a new entry into all eleven indexes of
the table and bloated the small partial ones the caseload reads (1 HOT update
in 23,369, docs/performance.md). It becomes an ordinary column kept by a
trigger, `therapy_sessions_sync_search_vector`, which computes the same vector
from the same texts:

- on every INSERT, and on every UPDATE of a signed or discarded note (an
  addendum's words, a signature, a discard): those are found exactly as
  before, whatever a statement writes into the column;
- on an UPDATE of a draft, when the statement writes NULL into the column (the
  services do, on every save but an autosave), or when the draft's words were
  last indexed more than two minutes before (`search_indexed_at`, also kept
  here): so a draft's search sees its words as of its last explicit save, or at
  most about two minutes of typing behind its latest autosave;
- on any other UPDATE of a draft (an autosave within the two minutes) the
  column keeps its stored value whatever was written, no indexed column
  changes and the row can be updated in place.

`search_indexed_at` is when a draft's words were last indexed; it stays as it
was once the note is signed or discarded (the locks compare it like any other
column).

BEFORE triggers fire in name order: this one comes after
therapy_sessions_sync_addenda_text (so it reads the addenda copy just set) and
after both locks (which compare what the statement wrote, `search_vector`
exempt as before). ENABLE ALWAYS, like therapy_sessions_keep_client_clinician:
seed_scale's bulk COPY runs with session_replication_role = replica and
writes no vector.

The generated expression is dropped in place (ALTER COLUMN ... DROP EXPRESSION):
every stored vector stays, the table is not rewritten and the GIN index is not
rebuilt. The reverse has to drop the column and add the generated one back
(PostgreSQL 16 cannot add an expression to an existing column), which rewrites
the table and rebuilds the index, as migration
`search_addenda_checkin_referrals` did.
"""

import django.contrib.postgres.search
from django.db import migrations, models

TABLE = "therapy_sessions_therapysession"

VECTOR = r"""
    jsonb_to_tsvector('english'::regconfig, {row}sections, '["string"]'::jsonb)
    || to_tsvector('english'::regconfig, ({row}other_supplies)::text)
    || to_tsvector('english'::regconfig, {row}referrals)
    || to_tsvector('english'::regconfig, {row}addenda_text)
"""

TRIGGER_SQL = rf"""
ALTER TABLE {TABLE} ALTER COLUMN search_vector DROP EXPRESSION;

CREATE FUNCTION therapy_sessions_sync_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = 'draft'
       AND NEW.search_vector IS NOT NULL
       AND OLD.search_indexed_at > now() - interval '2 minutes' THEN
        -- An autosave: the stored words stay, so no index changes.
        NEW.search_vector := OLD.search_vector;
        NEW.search_indexed_at := OLD.search_indexed_at;
        RETURN NEW;
    END IF;
    NEW.search_vector := {VECTOR.format(row="NEW.")};
    IF NEW.status = 'draft' THEN
        NEW.search_indexed_at := now();
    ELSIF TG_OP = 'UPDATE' THEN
        NEW.search_indexed_at := OLD.search_indexed_at;
    ELSE
        NEW.search_indexed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

-- Named to fire after therapy_sessions_sync_addenda_text (see the docstring).
CREATE TRIGGER therapy_sessions_sync_search_vector
    BEFORE INSERT OR UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_sync_search_vector();
ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER therapy_sessions_sync_search_vector;
"""

UNTRIGGER_SQL = rf"""
DROP TRIGGER IF EXISTS therapy_sessions_sync_search_vector ON {TABLE};
DROP FUNCTION IF EXISTS therapy_sessions_sync_search_vector();
DROP INDEX IF EXISTS session_search_scope_idx;
ALTER TABLE {TABLE} DROP COLUMN search_vector;
ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS ({VECTOR.format(row="")}) STORED;
CREATE INDEX session_search_scope_idx ON {TABLE}
    USING gin (search_vector, (ARRAY[client_clinician_id]))
    WITH (gin_pending_list_limit = 128);
ANALYZE {TABLE};
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0025_notes_of_group_meetings"),
    ]

    operations = [
        migrations.AddField(
            model_name="therapysession",
            name="search_indexed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(TRIGGER_SQL, UNTRIGGER_SQL)],
            state_operations=[
                migrations.AlterField(
                    model_name="therapysession",
                    name="search_vector",
                    field=django.contrib.postgres.search.SearchVectorField(
                        blank=True, editable=False, null=True
                    ),
                ),
            ],
        ),
    ]
