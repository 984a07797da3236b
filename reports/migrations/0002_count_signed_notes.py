"""PostgreSQL keeps the program figures' summary of signed notes
(reports.SessionMonth, issue #23): a trigger adds each note to its person,
author and month when it is signed (or inserted signed), and
`reports_rebuild_session_months(zone)` rebuilds the table from the notes (the
backfill below; bench/scale.py after its bulk load, which runs without
triggers). A signed note never changes and is never deleted (migration
therapy_sessions `lock_signed_notes`), so the trigger only ever adds.

The month is the note's start in the service's time zone (settings.TIME_ZONE
when this ran), passed to the trigger as its argument: a service that changes
TIME_ZONE re-creates the trigger with the new zone and calls the rebuild
(docs/deployment.md)."""

from django.conf import settings
from django.db import migrations

COLUMNS = """
        sessions,
        modality_in_person,
        modality_video,
        modality_phone,
        modality_outreach,
        modality_drop_in,
        modality_group,
        naloxone_doses,
        test_strips,
        supplies_notes,
        overdoses_experienced,
        overdoses_witnessed,
        naloxone_used_notes,
        referral_moud,
        referral_medical,
        referral_mental_health,
        referral_withdrawal,
        referral_testing,
        referral_syringe,
        referral_housing,
        referral_benefits,
        referral_legal,
        referral_peer,
        referral_other"""

FUNCTION = """
CREATE FUNCTION reports_count_signed_note() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'signed'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'signed') THEN
        INSERT INTO reports_sessionmonth AS m (
        client_id, author_id, month,""" + COLUMNS + """
        ) VALUES (
        NEW.client_id, NEW.clinician_id,
        date_trunc('month', NEW.started_at AT TIME ZONE TG_ARGV[0])::date,
        1,
        (NEW.modality = 'in_person')::int,
        (NEW.modality = 'video')::int,
        (NEW.modality = 'phone')::int,
        (NEW.modality = 'outreach')::int,
        (NEW.modality = 'drop_in')::int,
        (NEW.modality = 'group')::int,
        coalesce(NEW.naloxone_doses_given, 0),
        coalesce(NEW.test_strips_given, 0),
        (NEW.other_supplies <> '')::int,
        coalesce(NEW.overdoses_experienced, 0),
        coalesce(NEW.overdoses_witnessed, 0),
        coalesce(NEW.naloxone_used, false)::int,
        ('moud' = ANY(NEW.referral_kinds))::int,
        ('medical' = ANY(NEW.referral_kinds))::int,
        ('mental_health' = ANY(NEW.referral_kinds))::int,
        ('withdrawal' = ANY(NEW.referral_kinds))::int,
        ('testing' = ANY(NEW.referral_kinds))::int,
        ('syringe' = ANY(NEW.referral_kinds))::int,
        ('housing' = ANY(NEW.referral_kinds))::int,
        ('benefits' = ANY(NEW.referral_kinds))::int,
        ('legal' = ANY(NEW.referral_kinds))::int,
        ('peer' = ANY(NEW.referral_kinds))::int,
        ('other' = ANY(NEW.referral_kinds))::int
        )
        ON CONFLICT (client_id, author_id, month) DO UPDATE SET
        sessions = m.sessions + EXCLUDED.sessions,
        modality_in_person = m.modality_in_person + EXCLUDED.modality_in_person,
        modality_video = m.modality_video + EXCLUDED.modality_video,
        modality_phone = m.modality_phone + EXCLUDED.modality_phone,
        modality_outreach = m.modality_outreach + EXCLUDED.modality_outreach,
        modality_drop_in = m.modality_drop_in + EXCLUDED.modality_drop_in,
        modality_group = m.modality_group + EXCLUDED.modality_group,
        naloxone_doses = m.naloxone_doses + EXCLUDED.naloxone_doses,
        test_strips = m.test_strips + EXCLUDED.test_strips,
        supplies_notes = m.supplies_notes + EXCLUDED.supplies_notes,
        overdoses_experienced = m.overdoses_experienced + EXCLUDED.overdoses_experienced,
        overdoses_witnessed = m.overdoses_witnessed + EXCLUDED.overdoses_witnessed,
        naloxone_used_notes = m.naloxone_used_notes + EXCLUDED.naloxone_used_notes,
        referral_moud = m.referral_moud + EXCLUDED.referral_moud,
        referral_medical = m.referral_medical + EXCLUDED.referral_medical,
        referral_mental_health = m.referral_mental_health + EXCLUDED.referral_mental_health,
        referral_withdrawal = m.referral_withdrawal + EXCLUDED.referral_withdrawal,
        referral_testing = m.referral_testing + EXCLUDED.referral_testing,
        referral_syringe = m.referral_syringe + EXCLUDED.referral_syringe,
        referral_housing = m.referral_housing + EXCLUDED.referral_housing,
        referral_benefits = m.referral_benefits + EXCLUDED.referral_benefits,
        referral_legal = m.referral_legal + EXCLUDED.referral_legal,
        referral_peer = m.referral_peer + EXCLUDED.referral_peer,
        referral_other = m.referral_other + EXCLUDED.referral_other;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION reports_rebuild_session_months(zone text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM reports_sessionmonth;
    INSERT INTO reports_sessionmonth (
        client_id, author_id, month,""" + COLUMNS + """
    )
    SELECT s.client_id, s.clinician_id,
        date_trunc('month', s.started_at AT TIME ZONE zone)::date,
        sum(1),
        sum((s.modality = 'in_person')::int),
        sum((s.modality = 'video')::int),
        sum((s.modality = 'phone')::int),
        sum((s.modality = 'outreach')::int),
        sum((s.modality = 'drop_in')::int),
        sum((s.modality = 'group')::int),
        sum(coalesce(s.naloxone_doses_given, 0)),
        sum(coalesce(s.test_strips_given, 0)),
        sum((s.other_supplies <> '')::int),
        sum(coalesce(s.overdoses_experienced, 0)),
        sum(coalesce(s.overdoses_witnessed, 0)),
        sum(coalesce(s.naloxone_used, false)::int),
        sum(('moud' = ANY(s.referral_kinds))::int),
        sum(('medical' = ANY(s.referral_kinds))::int),
        sum(('mental_health' = ANY(s.referral_kinds))::int),
        sum(('withdrawal' = ANY(s.referral_kinds))::int),
        sum(('testing' = ANY(s.referral_kinds))::int),
        sum(('syringe' = ANY(s.referral_kinds))::int),
        sum(('housing' = ANY(s.referral_kinds))::int),
        sum(('benefits' = ANY(s.referral_kinds))::int),
        sum(('legal' = ANY(s.referral_kinds))::int),
        sum(('peer' = ANY(s.referral_kinds))::int),
        sum(('other' = ANY(s.referral_kinds))::int)
    FROM therapy_sessions_therapysession s
    WHERE s.status = 'signed'
    GROUP BY 1, 2, 3;
$$;
"""

DROP_FUNCTION = """
DROP FUNCTION reports_rebuild_session_months(text);
DROP FUNCTION reports_count_signed_note();
"""


def _trigger() -> str:
    # The zone is a literal argument of the trigger: quoted as SQL text.
    zone = settings.TIME_ZONE.replace("'", "''")
    return (
        "CREATE TRIGGER reports_count_signed_note "
        "AFTER INSERT OR UPDATE OF status ON therapy_sessions_therapysession "
        f"FOR EACH ROW EXECUTE FUNCTION reports_count_signed_note('{zone}');"
    )


DROP_TRIGGER = (
    "DROP TRIGGER reports_count_signed_note ON therapy_sessions_therapysession;"
)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_session_months"),
        ("therapy_sessions", "0024_referral_kinds"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, DROP_FUNCTION),
        migrations.RunSQL(_trigger(), DROP_TRIGGER),
        # The backfill: every note signed before this migration.
        migrations.RunSQL(
            [("SELECT reports_rebuild_session_months(%s);", [settings.TIME_ZONE])],
            "DELETE FROM reports_sessionmonth;",
        ),
    ]
