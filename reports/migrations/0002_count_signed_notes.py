"""PostgreSQL keeps the program figures' summaries of signed notes
(reports.SessionMonth per person, author and month; reports.ClientMonth per
person and month), issue #23. A trigger adds each note to both when it is
signed (or inserted signed); `reports_rebuild_session_months(zone)` rebuilds
both from the notes (the backfill below; bench/scale.py after its bulk load,
which runs without triggers). A signed note never changes and is never
deleted (migration therapy_sessions `lock_signed_notes`), so the trigger only
ever adds.

The month is the note's start in the service's time zone (settings.TIME_ZONE
when this ran), passed to the trigger as its argument: a service that changes
TIME_ZONE re-creates the trigger with the new zone and calls the rebuild
(docs/deployment.md). ClientMonth.flags sets bit i when column i (in the
order of reports.models.FLAGGED) is above 0, and one more bit for either
kind of overdose; ClientMonth.is_first marks each person's earliest month."""

from django.conf import settings
from django.db import migrations

FUNCTION = """
CREATE FUNCTION reports_count_signed_note() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    note_month date := date_trunc('month', NEW.started_at AT TIME ZONE TG_ARGV[0])::date;
BEGIN
    IF NEW.status <> 'signed'
       OR (TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM 'signed') THEN
        RETURN NULL;
    END IF;
    INSERT INTO reports_sessionmonth AS m (client_id, author_id, month,
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
            referral_other
    ) VALUES (
            NEW.client_id, NEW.clinician_id, note_month,
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
    -- The same note on its person's month, whoever wrote it.
    INSERT INTO reports_clientmonth AS m (client_id, month, flags, is_first,
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
            referral_other
    ) SELECT NEW.client_id, note_month,
            ((sessions > 0)::int << 0)
            | ((modality_in_person > 0)::int << 1)
            | ((modality_video > 0)::int << 2)
            | ((modality_phone > 0)::int << 3)
            | ((modality_outreach > 0)::int << 4)
            | ((modality_drop_in > 0)::int << 5)
            | ((modality_group > 0)::int << 6)
            | ((naloxone_doses > 0)::int << 7)
            | ((test_strips > 0)::int << 8)
            | ((supplies_notes > 0)::int << 9)
            | ((overdoses_experienced > 0)::int << 10)
            | ((overdoses_witnessed > 0)::int << 11)
            | ((naloxone_used_notes > 0)::int << 12)
            | ((referral_moud > 0)::int << 13)
            | ((referral_medical > 0)::int << 14)
            | ((referral_mental_health > 0)::int << 15)
            | ((referral_withdrawal > 0)::int << 16)
            | ((referral_testing > 0)::int << 17)
            | ((referral_syringe > 0)::int << 18)
            | ((referral_housing > 0)::int << 19)
            | ((referral_benefits > 0)::int << 20)
            | ((referral_legal > 0)::int << 21)
            | ((referral_peer > 0)::int << 22)
            | ((referral_other > 0)::int << 23)
            | ((overdoses_experienced + overdoses_witnessed > 0)::int << 24), false,
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
            referral_other
    FROM (SELECT
            1 AS sessions,
            (NEW.modality = 'in_person')::int AS modality_in_person,
            (NEW.modality = 'video')::int AS modality_video,
            (NEW.modality = 'phone')::int AS modality_phone,
            (NEW.modality = 'outreach')::int AS modality_outreach,
            (NEW.modality = 'drop_in')::int AS modality_drop_in,
            (NEW.modality = 'group')::int AS modality_group,
            coalesce(NEW.naloxone_doses_given, 0) AS naloxone_doses,
            coalesce(NEW.test_strips_given, 0) AS test_strips,
            (NEW.other_supplies <> '')::int AS supplies_notes,
            coalesce(NEW.overdoses_experienced, 0) AS overdoses_experienced,
            coalesce(NEW.overdoses_witnessed, 0) AS overdoses_witnessed,
            coalesce(NEW.naloxone_used, false)::int AS naloxone_used_notes,
            ('moud' = ANY(NEW.referral_kinds))::int AS referral_moud,
            ('medical' = ANY(NEW.referral_kinds))::int AS referral_medical,
            ('mental_health' = ANY(NEW.referral_kinds))::int AS referral_mental_health,
            ('withdrawal' = ANY(NEW.referral_kinds))::int AS referral_withdrawal,
            ('testing' = ANY(NEW.referral_kinds))::int AS referral_testing,
            ('syringe' = ANY(NEW.referral_kinds))::int AS referral_syringe,
            ('housing' = ANY(NEW.referral_kinds))::int AS referral_housing,
            ('benefits' = ANY(NEW.referral_kinds))::int AS referral_benefits,
            ('legal' = ANY(NEW.referral_kinds))::int AS referral_legal,
            ('peer' = ANY(NEW.referral_kinds))::int AS referral_peer,
            ('other' = ANY(NEW.referral_kinds))::int AS referral_other
    ) note
    ON CONFLICT (client_id, month) DO UPDATE SET
            flags = m.flags | EXCLUDED.flags,
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
    -- The person's first month, also when a note dated earlier than any
    -- other is signed later.
    UPDATE reports_clientmonth c
    SET is_first = (c.month = earliest.month)
    FROM (SELECT min(f.month) AS month FROM reports_clientmonth f
          WHERE f.client_id = NEW.client_id) earliest
    WHERE c.client_id = NEW.client_id AND c.is_first <> (c.month = earliest.month);
    RETURN NULL;
END;
$$;

CREATE FUNCTION reports_rebuild_session_months(zone text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM reports_clientmonth;
    DELETE FROM reports_sessionmonth;
    INSERT INTO reports_sessionmonth (client_id, author_id, month,
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
            referral_other
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
    INSERT INTO reports_clientmonth (client_id, month, flags, is_first,
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
            referral_other
    )
    SELECT client_id, month,
            ((sessions > 0)::int << 0)
            | ((modality_in_person > 0)::int << 1)
            | ((modality_video > 0)::int << 2)
            | ((modality_phone > 0)::int << 3)
            | ((modality_outreach > 0)::int << 4)
            | ((modality_drop_in > 0)::int << 5)
            | ((modality_group > 0)::int << 6)
            | ((naloxone_doses > 0)::int << 7)
            | ((test_strips > 0)::int << 8)
            | ((supplies_notes > 0)::int << 9)
            | ((overdoses_experienced > 0)::int << 10)
            | ((overdoses_witnessed > 0)::int << 11)
            | ((naloxone_used_notes > 0)::int << 12)
            | ((referral_moud > 0)::int << 13)
            | ((referral_medical > 0)::int << 14)
            | ((referral_mental_health > 0)::int << 15)
            | ((referral_withdrawal > 0)::int << 16)
            | ((referral_testing > 0)::int << 17)
            | ((referral_syringe > 0)::int << 18)
            | ((referral_housing > 0)::int << 19)
            | ((referral_benefits > 0)::int << 20)
            | ((referral_legal > 0)::int << 21)
            | ((referral_peer > 0)::int << 22)
            | ((referral_other > 0)::int << 23)
            | ((overdoses_experienced + overdoses_witnessed > 0)::int << 24),
            month = min(month) OVER (PARTITION BY client_id),
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
            referral_other
    FROM (
        SELECT client_id, month, 
            sum(sessions) AS sessions,
            sum(modality_in_person) AS modality_in_person,
            sum(modality_video) AS modality_video,
            sum(modality_phone) AS modality_phone,
            sum(modality_outreach) AS modality_outreach,
            sum(modality_drop_in) AS modality_drop_in,
            sum(modality_group) AS modality_group,
            sum(naloxone_doses) AS naloxone_doses,
            sum(test_strips) AS test_strips,
            sum(supplies_notes) AS supplies_notes,
            sum(overdoses_experienced) AS overdoses_experienced,
            sum(overdoses_witnessed) AS overdoses_witnessed,
            sum(naloxone_used_notes) AS naloxone_used_notes,
            sum(referral_moud) AS referral_moud,
            sum(referral_medical) AS referral_medical,
            sum(referral_mental_health) AS referral_mental_health,
            sum(referral_withdrawal) AS referral_withdrawal,
            sum(referral_testing) AS referral_testing,
            sum(referral_syringe) AS referral_syringe,
            sum(referral_housing) AS referral_housing,
            sum(referral_benefits) AS referral_benefits,
            sum(referral_legal) AS referral_legal,
            sum(referral_peer) AS referral_peer,
            sum(referral_other) AS referral_other
        FROM reports_sessionmonth GROUP BY client_id, month
    ) per_month;
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
        ("reports", "0001_summaries"),
        ("therapy_sessions", "0024_referral_kinds"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, DROP_FUNCTION),
        migrations.RunSQL(_trigger(), DROP_TRIGGER),
        # The backfill: every note signed before this migration.
        migrations.RunSQL(
            [("SELECT reports_rebuild_session_months(%s);", [settings.TIME_ZONE])],
            "DELETE FROM reports_clientmonth; DELETE FROM reports_sessionmonth;",
        ),
    ]
