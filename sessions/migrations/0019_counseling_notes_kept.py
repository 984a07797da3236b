"""SUD counseling notes are kept, every version, by PostgreSQL (issue #19).

- therapy_sessions_counselingnote: never deleted, never truncated; its author,
  client, session and creation time never change; a change of text is a new
  version (version + 1), and nothing else moves the version.
- Every version's text, the first included, is written to
  therapy_sessions_counselingnoterevision by a trigger, with the database's
  clock: nothing the app sends (or forgets) can skip one.
- therapy_sessions_counselingnoterevision: append-only, never truncated
  (`clinical_append_only`, `clinical_no_truncate` from migration staff
  `append_only_staff_history`).
- The app's database role is refused the same by its grants: migration audit
  `counseling_note_grants`.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION therapy_sessions_counseling_note_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'counseling notes are never deleted (note %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.author_id <> OLD.author_id OR NEW.client_id <> OLD.client_id
       OR NEW.session_id IS DISTINCT FROM OLD.session_id
       OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'counseling note % keeps its author, client and session',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.text IS DISTINCT FROM OLD.text OR NEW.version <> OLD.version)
       AND NEW.version <> OLD.version + 1 THEN
        RAISE EXCEPTION 'counseling note % changes one version at a time', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION therapy_sessions_counseling_note_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO therapy_sessions_counselingnoterevision (note_id, version, text, saved_at)
        VALUES (NEW.id, NEW.version, NEW.text, now());
    RETURN NULL;
END;
$$;

CREATE TRIGGER counseling_note_guard
    BEFORE UPDATE OR DELETE ON therapy_sessions_counselingnote
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_counseling_note_guard();
CREATE TRIGGER counseling_note_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_counselingnote
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
CREATE TRIGGER counseling_note_first_version
    AFTER INSERT ON therapy_sessions_counselingnote
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_counseling_note_revision();
CREATE TRIGGER counseling_note_new_version
    AFTER UPDATE ON therapy_sessions_counselingnote
    FOR EACH ROW WHEN (NEW.version <> OLD.version)
    EXECUTE FUNCTION therapy_sessions_counseling_note_revision();

CREATE TRIGGER counseling_revision_append_only
    BEFORE UPDATE OR DELETE ON therapy_sessions_counselingnoterevision
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER counseling_revision_no_truncate
    BEFORE TRUNCATE ON therapy_sessions_counselingnoterevision
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS counseling_revision_no_truncate ON therapy_sessions_counselingnoterevision;
DROP TRIGGER IF EXISTS counseling_revision_append_only ON therapy_sessions_counselingnoterevision;
DROP TRIGGER IF EXISTS counseling_note_new_version ON therapy_sessions_counselingnote;
DROP TRIGGER IF EXISTS counseling_note_first_version ON therapy_sessions_counselingnote;
DROP TRIGGER IF EXISTS counseling_note_no_truncate ON therapy_sessions_counselingnote;
DROP TRIGGER IF EXISTS counseling_note_guard ON therapy_sessions_counselingnote;
DROP FUNCTION IF EXISTS therapy_sessions_counseling_note_revision();
DROP FUNCTION IF EXISTS therapy_sessions_counseling_note_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0018_counseling_notes"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
