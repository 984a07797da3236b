"""clients_client.last_contact_at follows the latest session, kept by PostgreSQL.

A new session raises it (GREATEST, so two sessions saved at once for one client
cannot leave the older time); a draft whose start time is edited recomputes it
from the (client, -started_at) index. Sessions are never deleted, so nothing
else can lower it. Existing rows are filled in once here.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION clients_keep_last_contact() RETURNS trigger
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

UPDATE clients_client c
   SET last_contact_at = s.latest
  FROM (SELECT client_id, max(started_at) AS latest
          FROM therapy_sessions_therapysession GROUP BY client_id) s
 WHERE s.client_id = c.id;
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS clients_keep_last_contact ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS clients_keep_last_contact();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0005_index_notes_waiting_on_their_author"),
        ("clients", "0003_last_contact_at"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
