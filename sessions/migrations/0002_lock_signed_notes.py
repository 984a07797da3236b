"""Signed notes are immutable, enforced by PostgreSQL and not only by the views.

- therapy_sessions_therapysession: no row is ever deleted; a signed row's columns
  never change (updated_at aside). Corrections are addenda.
- therapy_sessions_addendum: append-only, no UPDATE or DELETE.
- goals_goalrating: a rating given in a signed session is part of that note.
"""

from django.db import migrations

LOCK_SQL = r"""
CREATE FUNCTION therapy_sessions_lock_note() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'session notes are never deleted (session %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'signed' AND
       (to_jsonb(NEW) - 'updated_at' - 'search_vector')
       IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'search_vector') THEN
        RAISE EXCEPTION 'signed note % cannot be changed; add an addendum', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER therapy_sessions_lock_note
    BEFORE UPDATE OR DELETE ON therapy_sessions_therapysession
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_lock_note();

CREATE FUNCTION therapy_sessions_addendum_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'addenda are append-only (addendum %)', OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER therapy_sessions_addendum_append_only
    BEFORE UPDATE OR DELETE ON therapy_sessions_addendum
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_addendum_append_only();

CREATE FUNCTION goals_lock_signed_rating() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.session_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM therapy_sessions_therapysession
        WHERE id = OLD.session_id AND status = 'signed'
    ) THEN
        RAISE EXCEPTION 'a rating given in signed session % cannot change',
            OLD.session_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER goals_lock_signed_rating
    BEFORE UPDATE OR DELETE ON goals_goalrating
    FOR EACH ROW EXECUTE FUNCTION goals_lock_signed_rating();
"""

UNLOCK_SQL = r"""
DROP TRIGGER IF EXISTS goals_lock_signed_rating ON goals_goalrating;
DROP FUNCTION IF EXISTS goals_lock_signed_rating();
DROP TRIGGER IF EXISTS therapy_sessions_addendum_append_only
    ON therapy_sessions_addendum;
DROP FUNCTION IF EXISTS therapy_sessions_addendum_append_only();
DROP TRIGGER IF EXISTS therapy_sessions_lock_note ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS therapy_sessions_lock_note();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_sessions", "0001_initial"),
        ("goals", "0002_rating_session"),
    ]

    operations = [migrations.RunSQL(LOCK_SQL, UNLOCK_SQL)]
