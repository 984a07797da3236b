"""The note search finds who may see a note in its index (issue #11).

A supervisor's search read every note matching the words from the table (8,700
rows for a word in 0.9% of a million notes) to keep the team's 470: visibility
goes through the client, and the search index knew nothing of clients. Each note
now carries a copy of its client's primary clinician, `client_clinician_id`, and
one GIN index holds the words and that clinician, so the search intersects the
two inside the index (docs/performance.md).

PostgreSQL keeps the copy, whatever the application writes:

- a note takes its client's clinician on every INSERT and UPDATE (so a note
  loaded before a reassignment and saved after it cannot bring back the old
  clinician);
- a client's new clinician is copied to all its notes (reassignment, a caseload
  move, the admin); a signed note's lock lets this one column change: it is not
  note content, like review_status;
- a new client copies its clinician to notes written before it in the same
  transaction (foreign keys are checked at commit).

Both triggers are ENABLE ALWAYS: they also run when session_replication_role is
`replica`, which seed_scale uses for its bulk load.

Existing notes are filled in by rewriting the table once (ALTER COLUMN ... TYPE
... USING), which builds the indexes in bulk and leaves no dead rows. An UPDATE
of every row, measured on the benchmark database, wrote a second copy of each row
plus an entry in each of the table's nine indexes (about 180 µs and 9 kB of WAL
per note: three minutes and 9 GB for a million notes) and left the table twice
its size until a VACUUM FULL. The rewrite holds an exclusive lock on the notes
table while it runs.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LOCK_NOTE = r"""
CREATE OR REPLACE FUNCTION therapy_sessions_lock_note() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'session notes are never deleted (session %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'signed' AND
       (to_jsonb(NEW) - 'updated_at' - 'search_vector' - 'review_status'{exempt})
       IS DISTINCT FROM
       (to_jsonb(OLD) - 'updated_at' - 'search_vector' - 'review_status'{exempt}) THEN
        RAISE EXCEPTION 'signed note % cannot be changed; add an addendum', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

# A signed note's lock, before and after: its copy of the client's clinician
# may change.
LOCK_SQL = LOCK_NOTE.replace("{exempt}", " - 'client_clinician_id'")
UNLOCK_SQL = LOCK_NOTE.replace("{exempt}", "")

# Existing notes: the table is rewritten once with each note's value.
BACKFILL_SQL = r"""
CREATE FUNCTION pg_temp.client_clinician(client uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT clinician_id FROM clients_client WHERE id = client
$$;

ALTER TABLE therapy_sessions_therapysession
    ALTER COLUMN client_clinician_id TYPE bigint
    USING pg_temp.client_clinician(client_id);

DROP FUNCTION pg_temp.client_clinician(uuid);
"""

KEEP_SQL = r"""
CREATE FUNCTION therapy_sessions_keep_client_clinician() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    current_clinician bigint;
BEGIN
    SELECT clinician_id INTO current_clinician
      FROM clients_client WHERE id = NEW.client_id;
    -- Not found: the client is inserted later in this transaction, and its
    -- own trigger fills the notes in then.
    IF FOUND THEN
        NEW.client_clinician_id := current_clinician;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_keep_client_clinician
    BEFORE INSERT OR UPDATE ON therapy_sessions_therapysession
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_keep_client_clinician();
ALTER TABLE therapy_sessions_therapysession
    ENABLE ALWAYS TRIGGER therapy_sessions_keep_client_clinician;

CREATE FUNCTION clients_copy_clinician_to_notes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.clinician_id IS NOT DISTINCT FROM OLD.clinician_id
    THEN
        RETURN NULL;
    END IF;
    UPDATE therapy_sessions_therapysession
       SET client_clinician_id = NEW.clinician_id
     WHERE client_id = NEW.id
       AND client_clinician_id IS DISTINCT FROM NEW.clinician_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_copy_clinician_to_notes
    AFTER INSERT OR UPDATE OF clinician_id ON clients_client
    FOR EACH ROW EXECUTE FUNCTION clients_copy_clinician_to_notes();
ALTER TABLE clients_client ENABLE ALWAYS TRIGGER clients_copy_clinician_to_notes;
"""

UNKEEP_SQL = r"""
DROP TRIGGER IF EXISTS clients_copy_clinician_to_notes ON clients_client;
DROP FUNCTION IF EXISTS clients_copy_clinician_to_notes();
DROP TRIGGER IF EXISTS therapy_sessions_keep_client_clinician
    ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS therapy_sessions_keep_client_clinician();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_last_contact_at"),
        ("therapy_sessions", "0007_index_drafts_by_author_created"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Replaced by session_search_scope_idx below; dropped first so that the
        # table rewrite does not rebuild it.
        migrations.RemoveIndex(
            model_name="therapysession",
            name="session_search_idx",
        ),
        migrations.AddField(
            model_name="therapysession",
            name="client_clinician",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(LOCK_SQL, UNLOCK_SQL),
        # Reversed by dropping the column (AddField above).
        migrations.RunSQL(BACKFILL_SQL, migrations.RunSQL.noop),
        migrations.RunSQL(KEEP_SQL, UNKEEP_SQL),
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
                name="session_search_scope_idx",
            ),
        ),
        # Statistics for the new index's expression, so that the planner sees
        # how few notes one clinician's key selects.
        migrations.RunSQL(
            "ANALYZE therapy_sessions_therapysession", migrations.RunSQL.noop
        ),
    ]
