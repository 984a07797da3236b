"""`occurred_at` comes from the database clock (issue #18, section 3).

The chain trigger (migration 0002) now also sets `occurred_at`, overriding
whatever the caller sent, with clock_timestamp() read after the chain's
advisory lock is held: so the time is taken in the same order as `seq` and
times never run backwards along the chain (while the server's clock does not).
now() or statement_timestamp() would be read before the lock, when the
transaction or statement began: a transaction that waited for the lock would
then carry an earlier time than the row before it, and every event of one
long transaction the same time.

The columns' database defaults only make Django's INSERT leave them out and
read them back (RETURNING), so the writer learns the new seq and hash at no
extra cost.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

CHAIN = r"""
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_auditevent_chain'));
    -- The database's clock, read under the lock: see this migration.
    NEW.occurred_at := clock_timestamp();
    SELECT seq, hash INTO last_seq, last_hash
        FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.hash := encode(sha256(convert_to(audit_event_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END;
$$;
"""

CHAIN_BEFORE = r"""
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_detail_and_emergency_grant"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                blank=True, db_default="", editable=False, max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(), db_index=True
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                blank=True, db_default="", editable=False, max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(
                db_default=models.Value(None, output_field=models.BigIntegerField()),
                editable=False,
                null=True,
                unique=True,
            ),
        ),
        migrations.RunSQL(CHAIN, CHAIN_BEFORE),
    ]
