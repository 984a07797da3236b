"""clients_client.last_contact_at: the start of the client's latest *signed* note.

Until now every session counted, drafts included, from the moment it was typed:
a draft left unfinished, or one dated 2027 by a typo, took the client off the
reach-out list (and showed a negative "days since"). Contact is now a note that
was written up and signed, whose session had started when it was signed (signing
refuses a session in the future, sessions.services.sign_problems). Drafts and
discarded drafts never count.

A signed note never changes (migration `lock_signed_notes`) and is never
deleted, so last contact only ever moves forward: on the INSERT of a signed note
(seeding, imports) or the UPDATE that signs a draft, it becomes the later of
itself and the note's start (GREATEST, so two notes signed at once for one
client cannot leave the older time). The trigger runs only for signed rows, so
a draft's autosave costs nothing here. Existing rows are recomputed in the next
migration.
"""

from django.db import migrations

SQL = r"""
DROP TRIGGER IF EXISTS clients_keep_last_contact ON therapy_sessions_therapysession;

CREATE OR REPLACE FUNCTION clients_keep_last_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'signed')
       AND NEW.started_at <= now() THEN
        UPDATE clients_client
           SET last_contact_at = GREATEST(last_contact_at, NEW.started_at)
         WHERE id = NEW.client_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_keep_last_contact
    AFTER INSERT OR UPDATE OF status ON therapy_sessions_therapysession
    FOR EACH ROW WHEN (NEW.status = 'signed')
    EXECUTE FUNCTION clients_keep_last_contact();
"""

# Back to migration `keep_last_contact`: every session counts.
REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS clients_keep_last_contact ON therapy_sessions_therapysession;

CREATE OR REPLACE FUNCTION clients_keep_last_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE clients_client
           SET last_contact_at = GREATEST(last_contact_at, NEW.started_at)
         WHERE id = NEW.client_id;
    ELSIF NEW.started_at IS DISTINCT FROM OLD.started_at THEN
        UPDATE clients_client
           SET last_contact_at = (
               SELECT max(started_at) FROM therapy_sessions_therapysession
                WHERE client_id = NEW.client_id)
         WHERE id = NEW.client_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_keep_last_contact
    AFTER INSERT OR UPDATE OF started_at ON therapy_sessions_therapysession
    FOR EACH ROW EXECUTE FUNCTION clients_keep_last_contact();
"""


class Migration(migrations.Migration):
    dependencies = [("therapy_sessions", "0014_lock_discarded_drafts")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
