"""A relationship check-in is kept as the person gave it (issue #22),
enforced by PostgreSQL for every role:

- never changed, deleted or truncated (`clinical_append_only` and
  `clinical_no_truncate`, from migration staff `append_only_staff_history`);
- its client is its session's client, whatever the app writes (a copy for the
  record's trend, like a follow-up's).

The app role also lacks UPDATE and DELETE on the table (migration audit
`checkin_and_wants_grants`).
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION therapy_sessions_checkin_client() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT client_id INTO NEW.client_id
        FROM therapy_sessions_therapysession WHERE id = NEW.session_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_checkin_client
    BEFORE INSERT ON therapy_sessions_relationshipcheckin
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_checkin_client();
CREATE TRIGGER therapy_sessions_checkin_append_only
    BEFORE UPDATE OR DELETE ON therapy_sessions_relationshipcheckin
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER therapy_sessions_checkin_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_relationshipcheckin
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS therapy_sessions_checkin_no_truncate
    ON therapy_sessions_relationshipcheckin;
DROP TRIGGER IF EXISTS therapy_sessions_checkin_append_only
    ON therapy_sessions_relationshipcheckin;
DROP TRIGGER IF EXISTS therapy_sessions_checkin_client
    ON therapy_sessions_relationshipcheckin;
DROP FUNCTION IF EXISTS therapy_sessions_checkin_client();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0022_relationship_checkins"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
