"""A note's co-signature state moves only through a review row (issue #18).

Before, any role that could UPDATE notes could set `review_status` to
'cosigned' (the lock of signed notes exempts it as workflow state). Now, in
PostgreSQL:

- Signing (draft -> signed) sets it to exactly what the author needs: 'waiting'
  when they require co-signature, '' otherwise. Signing is the one change of
  it the app makes itself.
- Inserting a review moves it: `therapy_sessions_review_moves_note` checks the
  review (the note is signed and waiting; the reviewer is the author's
  supervisor) and sets the note to the review's decision ('cosigned' or
  'returned').
- Inserting an addendum to a returned note puts it back in the queue
  ('waiting'): the author's answer (`therapy_sessions_addendum_answers_review`).
- Any other change of it is refused (`therapy_sessions_review_status_moves`).

The two moving functions are SECURITY DEFINER: they run as the owner of the
tables, and the note's trigger lets a change of review_status through only from
the owner. The app role cannot make its own function run as the owner (a
trigger of its own on a temporary table still runs as the app), so the only way
it has is to insert the review row. The owner could disable the trigger anyway.

Also: notes, addenda and reviews are never truncated.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION therapy_sessions_review_status_moves() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    needs_cosign boolean;
BEGIN
    IF OLD.status = 'draft' AND NEW.status = 'signed' THEN
        SELECT requires_cosign INTO needs_cosign FROM staff_user
         WHERE id = NEW.clinician_id;
        IF NEW.review_status IS DISTINCT FROM
           (CASE WHEN needs_cosign THEN 'waiting' ELSE '' END) THEN
            RAISE EXCEPTION
                'note % is signed waiting for co-signature exactly when its author needs it',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.review_status IS DISTINCT FROM OLD.review_status AND current_user
       <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RAISE EXCEPTION
            'the co-signature state of note % changes only through a review or an addendum',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_review_status_moves
    BEFORE UPDATE ON therapy_sessions_therapysession
    FOR EACH ROW
    WHEN (OLD.review_status IS DISTINCT FROM NEW.review_status
          OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION therapy_sessions_review_status_moves();

CREATE FUNCTION therapy_sessions_review_moves_note() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    note record;
BEGIN
    SELECT s.status, s.review_status, u.supervisor_id INTO note
      FROM therapy_sessions_therapysession s JOIN staff_user u ON u.id = s.clinician_id
     WHERE s.id = NEW.session_id
       FOR UPDATE OF s;
    IF note.status IS DISTINCT FROM 'signed' OR note.review_status <> 'waiting' THEN
        RAISE EXCEPTION 'note % is not waiting for co-signature', NEW.session_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF note.supervisor_id IS DISTINCT FROM NEW.reviewer_id OR NOT EXISTS (
        SELECT 1 FROM staff_user WHERE id = NEW.reviewer_id AND role = 'supervisor'
    ) THEN
        RAISE EXCEPTION 'only the author''s supervisor reviews note %', NEW.session_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    UPDATE therapy_sessions_therapysession SET review_status = NEW.decision
     WHERE id = NEW.session_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER therapy_sessions_review_moves_note
    AFTER INSERT ON therapy_sessions_review
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_review_moves_note();

CREATE FUNCTION therapy_sessions_addendum_answers_review() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE therapy_sessions_therapysession SET review_status = 'waiting'
     WHERE id = NEW.session_id AND review_status = 'returned';
    RETURN NULL;
END;
$$;

CREATE TRIGGER therapy_sessions_addendum_answers_review
    AFTER INSERT ON therapy_sessions_addendum
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_addendum_answers_review();

CREATE TRIGGER therapy_sessions_therapysession_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_therapysession
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
CREATE TRIGGER therapy_sessions_addendum_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_addendum
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
CREATE TRIGGER therapy_sessions_review_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_review
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS therapy_sessions_review_no_truncate ON therapy_sessions_review;
DROP TRIGGER IF EXISTS therapy_sessions_addendum_no_truncate
    ON therapy_sessions_addendum;
DROP TRIGGER IF EXISTS therapy_sessions_therapysession_no_truncate
    ON therapy_sessions_therapysession;
DROP TRIGGER IF EXISTS therapy_sessions_addendum_answers_review
    ON therapy_sessions_addendum;
DROP FUNCTION IF EXISTS therapy_sessions_addendum_answers_review();
DROP TRIGGER IF EXISTS therapy_sessions_review_moves_note ON therapy_sessions_review;
DROP FUNCTION IF EXISTS therapy_sessions_review_moves_note();
DROP TRIGGER IF EXISTS therapy_sessions_review_status_moves
    ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS therapy_sessions_review_status_moves();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0016_recompute_last_contact"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
