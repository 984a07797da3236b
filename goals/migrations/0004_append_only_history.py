"""Goals keep their history, enforced by PostgreSQL (issue #18).

- goals_goal: never deleted (a goal is reached, set aside or changed, and keeps
  its ratings and rewordings); never truncated.
- goals_goalrevision (every rewording) and goals_goalstatuschange: append-only,
  never truncated.
- goals_goalrating: a rating tied to a note changes only while that note is an
  open draft (not signed, discarded or handed over), which is what the services
  do: a draft's autosave rewrites or clears its ratings, discarding a draft
  clears them (kept in the draft's `discarded_ratings`), and a hand-over moves
  them to the new draft. So: INSERT into a note only while it is an open draft;
  UPDATE or DELETE only of a rating of an open draft, and an UPDATE keeps it in
  an open draft. A rating given on the goal page (no note) is append-only. The
  note is read FOR SHARE, so a rating racing the note's signature waits for it
  and then sees it signed. Never truncated.

The functions `clinical_append_only` and `clinical_no_truncate` are those of
migration staff `append_only_staff_history`.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION goals_rating_only_in_open_drafts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    note_id uuid;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        note_id := OLD.session_id;
        IF note_id IS NULL THEN
            RAISE EXCEPTION 'goal rating % is kept as given (% refused)', OLD.id, TG_OP
                USING ERRCODE = 'restrict_violation';
        END IF;
        PERFORM 1 FROM therapy_sessions_therapysession
         WHERE id = note_id AND status = 'draft' AND handed_over_at IS NULL
           FOR SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'goal rating % belongs to a note that is no longer a draft',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.session_id IS NULL THEN
        RAISE EXCEPTION 'goal rating % stays with a note', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.session_id IS NOT NULL THEN
        PERFORM 1 FROM therapy_sessions_therapysession
         WHERE id = NEW.session_id AND status = 'draft' AND handed_over_at IS NULL
           FOR SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'note % is not a draft: no rating can be added to it',
                NEW.session_id USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER goals_rating_only_in_open_drafts
    BEFORE INSERT OR UPDATE OR DELETE ON goals_goalrating
    FOR EACH ROW EXECUTE FUNCTION goals_rating_only_in_open_drafts();
CREATE TRIGGER goals_goalrating_no_truncate
    BEFORE TRUNCATE ON goals_goalrating
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();

CREATE TRIGGER goals_goal_never_deleted
    BEFORE DELETE ON goals_goal
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER goals_goal_no_truncate
    BEFORE TRUNCATE ON goals_goal
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();

CREATE TRIGGER goals_goalrevision_append_only
    BEFORE UPDATE OR DELETE ON goals_goalrevision
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER goals_goalrevision_no_truncate
    BEFORE TRUNCATE ON goals_goalrevision
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();

CREATE TRIGGER goals_goalstatuschange_append_only
    BEFORE UPDATE OR DELETE ON goals_goalstatuschange
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER goals_goalstatuschange_no_truncate
    BEFORE TRUNCATE ON goals_goalstatuschange
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS goals_goalstatuschange_no_truncate ON goals_goalstatuschange;
DROP TRIGGER IF EXISTS goals_goalstatuschange_append_only ON goals_goalstatuschange;
DROP TRIGGER IF EXISTS goals_goalrevision_no_truncate ON goals_goalrevision;
DROP TRIGGER IF EXISTS goals_goalrevision_append_only ON goals_goalrevision;
DROP TRIGGER IF EXISTS goals_goal_no_truncate ON goals_goal;
DROP TRIGGER IF EXISTS goals_goal_never_deleted ON goals_goal;
DROP TRIGGER IF EXISTS goals_goalrating_no_truncate ON goals_goalrating;
DROP TRIGGER IF EXISTS goals_rating_only_in_open_drafts ON goals_goalrating;
DROP FUNCTION IF EXISTS goals_rating_only_in_open_drafts();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0003_one_record_per_form"),
        ("therapy_sessions", "0016_recompute_last_contact"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
