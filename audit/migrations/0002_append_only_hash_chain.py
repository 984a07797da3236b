"""The audit trail is append-only and tamper-evident, enforced by PostgreSQL.

- BEFORE INSERT: under a transaction-scoped advisory lock (so concurrent writers
  cannot fork the chain), number the row (`seq`) and chain its SHA-256 `hash` to
  the previous row's: hash = sha256(canonical text of the row, which includes
  `seq` and `prev_hash`). `audit_event_canonical` is the one definition of that
  text; `manage.py verify_audit` hashes it again in Python and checks the links.
- BEFORE UPDATE OR DELETE (each row) and BEFORE TRUNCATE: refused.

Disabling a trigger needs the table owner or a superuser; a row changed that way
no longer matches its hash (or breaks the next row's link), and verify_audit names
it. Run the application as a role that does not own this table in production.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION audit_event_canonical(e audit_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(
        e.seq,
        e.prev_hash,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor_id,
        e.actor_role,
        e.action,
        e.object_type,
        e.object_id,
        e.client_id,
        e.outcome,
        e.result_count,
        host(e.source_ip),
        e.user_agent,
        e.request_id
    )::text
$$;

CREATE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_auditevent_chain'));
    SELECT seq, hash INTO last_seq, last_hash
        FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.hash := encode(sha256(convert_to(audit_event_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chain
    BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_no_update_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP TRIGGER IF EXISTS audit_chain ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_chain();
DROP FUNCTION IF EXISTS audit_event_canonical(audit_auditevent);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
