"""Consents, their recipients, signatures and revocations, notices given and
the disclosure ledger are written once and kept (issue #19, "Rules the
database keeps"): UPDATE and DELETE refused for every role
(clinical_append_only, migration staff `append_only_staff_history`), TRUNCATE
too (`*_no_truncate`, which tests/db_roles.switch_truncate_guards finds).

And a consented disclosure must name a consent that covers it at that moment,
by the database clock (`statement_timestamp()`, what Django's `Now()` is on
PostgreSQL, so the rule and `Consent.objects.active()` read the same clock;
`now()` would be the transaction's start and miss a revocation recorded
earlier in the same transaction): the consent's own client, signed, not
revoked as a whole, not past its expiry, to one of its recipients who has
not been withdrawn (a TPO consent: its general designation, no recipient),
and nothing outside what it allows. The other kinds (42 CFR 2.51, 2.64, a
report the law requires) name no consent: check constraints (0001) hold
their own facts.
"""

from django.db import migrations

TABLES = [
    "consents_noticegiven",
    "consents_consent",
    "consents_consentrecipient",
    "consents_devicesignature",
    "consents_revocation",
    "consents_disclosure",
]

GUARDS = "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
    for table in TABLES
)

UNGUARDS = "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""
    for table in reversed(TABLES)
)

LEDGER_RULE = r"""
CREATE FUNCTION consents_disclosure_covered() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c consents_consent%ROWTYPE;
    allowed varchar[];
BEGIN
    IF NEW.kind <> 'consented' THEN
        RETURN NEW;
    END IF;
    SELECT * INTO c FROM consents_consent WHERE id = NEW.consent_id;
    IF NOT FOUND OR c.client_id <> NEW.client_id THEN
        RAISE EXCEPTION 'a disclosure names a consent of its own client'
            USING ERRCODE = 'check_violation';
    END IF;
    IF c.signed_how = 'device' AND NOT EXISTS (
        SELECT 1 FROM consents_devicesignature s
         WHERE s.consent_id = c.id AND s.signed_at <= statement_timestamp()
    ) THEN
        RAISE EXCEPTION 'this consent is not signed yet'
            USING ERRCODE = 'check_violation';
    END IF;
    IF c.expires_at IS NOT NULL AND c.expires_at <= statement_timestamp() THEN
        RAISE EXCEPTION 'this consent has expired'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (
        SELECT 1 FROM consents_revocation r
         WHERE r.consent_id = c.id AND r.recipient_id IS NULL
           AND r.recorded_at <= statement_timestamp()
    ) THEN
        RAISE EXCEPTION 'this consent was revoked'
            USING ERRCODE = 'check_violation';
    END IF;
    IF c.kind = 'tpo' THEN
        IF NEW.recipient_id IS NOT NULL THEN
            RAISE EXCEPTION 'a TPO consent names no recipient'
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NOT EXISTS (
        SELECT 1 FROM consents_consentrecipient p
         WHERE p.id = NEW.recipient_id AND p.consent_id = c.id
    ) THEN
        RAISE EXCEPTION 'the recipient must be one the consent names'
            USING ERRCODE = 'check_violation';
    ELSIF EXISTS (
        SELECT 1 FROM consents_revocation r
         WHERE r.consent_id = c.id AND r.recipient_id = NEW.recipient_id
           AND r.recorded_at <= statement_timestamp()
    ) THEN
        RAISE EXCEPTION 'this consent was revoked for that recipient'
            USING ERRCODE = 'check_violation';
    END IF;
    allowed := c.items;
    IF 'everything' = ANY(c.items) THEN
        allowed := allowed || ARRAY['attendance', 'goals', 'session_notes']::varchar[];
    END IF;
    IF NOT NEW.scope <@ allowed THEN
        RAISE EXCEPTION 'the consent does not cover everything disclosed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER consents_disclosure_covered
    BEFORE INSERT ON consents_disclosure
    FOR EACH ROW EXECUTE FUNCTION consents_disclosure_covered();
"""

LEDGER_UNRULE = """
DROP TRIGGER IF EXISTS consents_disclosure_covered ON consents_disclosure;
DROP FUNCTION IF EXISTS consents_disclosure_covered();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0001_initial"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [
        migrations.RunSQL(GUARDS, UNGUARDS),
        migrations.RunSQL(LEDGER_RULE, LEDGER_UNRULE),
    ]
