"""Co-signature workflow, enforced in PostgreSQL.

- A signed note's review_status is the one column that may still change (it is
  workflow state, not note content); everything else stays locked.
- therapy_sessions_review is append-only: no UPDATE, no DELETE.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION therapy_sessions_lock_note() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'session notes are never deleted (session %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'signed' AND
       (to_jsonb(NEW) - 'updated_at' - 'search_vector' - 'review_status')
       IS DISTINCT FROM
       (to_jsonb(OLD) - 'updated_at' - 'search_vector' - 'review_status') THEN
        RAISE EXCEPTION 'signed note % cannot be changed; add an addendum', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION therapy_sessions_review_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reviews are append-only (review %)', OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER therapy_sessions_review_append_only
    BEFORE UPDATE OR DELETE ON therapy_sessions_review
    FOR EACH ROW EXECUTE FUNCTION therapy_sessions_review_append_only();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS therapy_sessions_review_append_only ON therapy_sessions_review;
DROP FUNCTION IF EXISTS therapy_sessions_review_append_only();
CREATE OR REPLACE FUNCTION therapy_sessions_lock_note() RETURNS trigger
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
"""


class Migration(migrations.Migration):
    dependencies = [("therapy_sessions", "0003_review")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
