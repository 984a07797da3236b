"""What was agreed in a note is kept, enforced by PostgreSQL (issue #21).

- A follow-up is never deleted nor truncated (`clinical_no_truncate`, from
  migration staff `append_only_staff_history`).
- Its client is its session's client, whatever the app writes (a copy for
  lists, like a note's `client_clinician`).
- It is added only to an open draft, and changes with the draft; once its note
  is no longer an open draft (signed, discarded, handed over) what was agreed
  (text, date, note, who wrote it) never changes again.
- Closing it (done, no longer needed) is recorded whole by the check
  constraint `follow_up_closed_whole`; a tick given in a note (`done_in`) must
  be given in an open draft of the same client, and can be taken back or
  changed only while that note is still a draft: a signed note's tick is part
  of that note.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION therapy_sessions_keep_follow_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'follow-ups are never deleted (follow-up %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT client_id, status, handed_over_at INTO owner
        FROM therapy_sessions_therapysession WHERE id = NEW.session_id;
    NEW.client_id := owner.client_id;
    IF TG_OP = 'INSERT' THEN
        IF owner.status <> 'draft' OR owner.handed_over_at IS NOT NULL THEN
            RAISE EXCEPTION 'follow-ups are added only to an open draft (session %)',
                NEW.session_id USING ERRCODE = 'restrict_violation';
        END IF;
    ELSE
        IF (to_jsonb(NEW) - 'updated_at' - 'outcome' - 'done_at' - 'done_by_id'
                - 'done_in_id')
           IS DISTINCT FROM
           (to_jsonb(OLD) - 'updated_at' - 'outcome' - 'done_at' - 'done_by_id'
                - 'done_in_id')
           AND NOT EXISTS (
               SELECT 1 FROM therapy_sessions_therapysession
               WHERE id = OLD.session_id AND status = 'draft'
                 AND handed_over_at IS NULL
           ) THEN
            RAISE EXCEPTION 'follow-up % of a finished note cannot be changed; it can only be closed',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.outcome <> ''
           AND (NEW.outcome, NEW.done_at, NEW.done_by_id, NEW.done_in_id)
               IS DISTINCT FROM (OLD.outcome, OLD.done_at, OLD.done_by_id, OLD.done_in_id)
           AND NOT EXISTS (
               SELECT 1 FROM therapy_sessions_therapysession
               WHERE id = OLD.done_in_id AND status = 'draft'
                 AND handed_over_at IS NULL
           ) THEN
            RAISE EXCEPTION 'follow-up % was closed in a finished note; that stays',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF NEW.done_in_id IS NOT NULL
       AND NEW.done_in_id IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.done_in_id END)
       AND NOT EXISTS (
           SELECT 1 FROM therapy_sessions_therapysession
           WHERE id = NEW.done_in_id AND status = 'draft'
             AND handed_over_at IS NULL AND client_id = NEW.client_id
       ) THEN
        RAISE EXCEPTION 'follow-up % is closed in an open draft of its client',
            NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_keep_follow_up
    BEFORE INSERT OR UPDATE OR DELETE ON therapy_sessions_followup
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_keep_follow_up();
CREATE TRIGGER follow_up_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_followup
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS follow_up_no_truncate ON therapy_sessions_followup;
DROP TRIGGER IF EXISTS therapy_sessions_keep_follow_up ON therapy_sessions_followup;
DROP FUNCTION IF EXISTS therapy_sessions_keep_follow_up();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0020_follow_ups"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
