"""A discarded draft never changes again, enforced by PostgreSQL.

Discarding is the last thing that happens to a draft: it is kept as it was, is
never signed, edited or brought back (a new note is written instead). Only the
copy of the client's clinician may still change (the search index's scope, kept
by the trigger of migration `search_notes_by_client_clinician`), as for a signed
note. A signed note cannot become discarded: its own lock (`lock_signed_notes`)
refuses any change of status. Deletes stay refused by that lock too.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION therapy_sessions_lock_discarded() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'updated_at' - 'search_vector' - 'client_clinician_id')
       IS DISTINCT FROM
       (to_jsonb(OLD) - 'updated_at' - 'search_vector' - 'client_clinician_id') THEN
        RAISE EXCEPTION 'discarded draft % cannot be changed', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_lock_discarded
    BEFORE UPDATE ON therapy_sessions_therapysession
    FOR EACH ROW WHEN (OLD.status = 'discarded')
    EXECUTE FUNCTION therapy_sessions_lock_discarded();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS therapy_sessions_lock_discarded
    ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS therapy_sessions_lock_discarded();
"""


class Migration(migrations.Migration):
    dependencies = [("therapy_sessions", "0013_discard_drafts")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
