"""What the program figures are counted from (issue #23): a summary of signed
notes per person, author and month kept by PostgreSQL, and the reach-out
list's size as recorded each day. Neither holds a word anyone wrote."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clients.models import Client
from sessions.models import Modality, ReferralKind

# The summary's counted columns, by what they count. The trigger that keeps
# them (migration `session_months`) and its rebuild name the same columns.
MODALITY_COLUMNS = {value: f"modality_{value}" for value in Modality.values}
REFERRAL_COLUMNS = {value: f"referral_{value}" for value in ReferralKind.values}


def _count(verbose_name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, default=0)


class CountedMonth(models.Model):
    """The counted columns both summaries share: how many signed notes, of
    which modality, and the check-in's counted parts, added up."""

    month = models.DateField()  # the first day of the month
    sessions = _count("signed notes")
    modality_in_person = _count("in person")
    modality_video = _count("video")
    modality_phone = _count("phone")
    modality_outreach = _count("outreach")
    modality_drop_in = _count("drop-in")
    modality_group = _count("group")
    naloxone_doses = _count("naloxone doses given")
    test_strips = _count("fentanyl test strips given")
    supplies_notes = _count("notes with other supplies given")
    overdoses_experienced = _count("overdoses experienced")
    overdoses_witnessed = _count("overdoses witnessed")
    naloxone_used_notes = _count("notes reporting naloxone used in an overdose")
    referral_moud = _count("referrals: MOUD")
    referral_medical = _count("referrals: medical")
    referral_mental_health = _count("referrals: mental health")
    referral_withdrawal = _count("referrals: withdrawal management")
    referral_testing = _count("referrals: testing")
    referral_syringe = _count("referrals: syringe services")
    referral_housing = _count("referrals: housing")
    referral_benefits = _count("referrals: benefits")
    referral_legal = _count("referrals: legal")
    referral_peer = _count("referrals: peer support")
    referral_other = _count("referrals: something else")

    class Meta:
        abstract = True


class SessionMonth(CountedMonth):
    """The signed notes one author wrote about one person in one month (the
    service's time zone), added up: what a team's figures, and one person's,
    are counted from. Written only by PostgreSQL, when a note is signed (or
    inserted signed): a signed note never changes and is never deleted, so a
    row only ever grows. Drafts, discarded and handed-over drafts never
    count. Rebuilt whole, with ClientMonth, by
    `reports_rebuild_session_months(zone)` (after a bulk load, or a change
    of TIME_ZONE).

    Kept because the figures' year for the whole service read 540,000 notes
    in 1.1-1.7 s even from a covering index (docs/performance.md, issue #23)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "author", "month"], name="session_month_one_row"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="session_month_first_day"
            ),
        ]
        indexes = [
            # A period's rows of a team's authors.
            models.Index(fields=["author", "month"], name="session_month_author_idx"),
        ]

    def __str__(self) -> str:
        return f"notes of {self.month:%Y-%m} by {self.author_id}"


# ClientMonth.flags: bit i is set when FLAGGED[i] is above 0 in the row
# (OVERDOSE_FLAG: either kind of overdose). The trigger (migration
# `count_signed_notes`) sets them in this order.
FLAGGED = (
    "sessions",
    *MODALITY_COLUMNS.values(),
    "naloxone_doses",
    "test_strips",
    "supplies_notes",
    "overdoses_experienced",
    "overdoses_witnessed",
    "naloxone_used_notes",
    *REFERRAL_COLUMNS.values(),
)
OVERDOSE_FLAG = len(FLAGGED)


class ClientMonth(CountedMonth):
    """The same, for one person and month whoever wrote the notes: what the
    whole service's figures are counted from, one row per person a month
    (the per-author rows took 0.9 s a year to add up per person). `flags`
    says which columns are above 0 (FLAGGED), so a period's people behind
    each figure are one bit_or per person; `is_first` marks the person's
    first month with the service (kept by the trigger, also when a note
    dated earlier is signed later)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    flags = models.IntegerField(default=0)
    is_first = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month"], name="client_month_one_row"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="client_month_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["month"], name="client_month_idx"),
            # A person's first month ("new" or "returning"), for a team's people.
            models.Index(
                fields=["client"],
                name="client_month_first_idx",
                condition=models.Q(is_first=True),
                include=["month"],
            ),
        ]

    def __str__(self) -> str:
        return f"notes of {self.month:%Y-%m} about {self.client_id}"


class ReachOutCount(models.Model):
    """How many of a clinician's clients were due a reach-out on a day
    (clients.selectors.reach_out_due, the list itself), recorded by
    `manage.py record_reach_out_counts` (daily). The list is a rule over
    today's records; its size on a past day cannot be recomputed (statuses,
    review dates and appointments have changed since), so it is kept.
    Recorded again the same day, the later count wins."""

    day = models.DateField()
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "clinician"], name="reach_out_count_one_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"reach-out count of {self.clinician_id} on {self.day}"


class FiguresVersion(models.Model):
    """One row that changes, in the same transaction, with anything the
    program figures count: written only by PostgreSQL's triggers (migration
    `figures_version`) on the summaries, attempts, goals and ratings,
    check-ins, the daily reach-out counts, appointments, and the columns of
    clients and notes the figures read. reports.selectors keeps computed
    figures under the row as read before counting, so a figure is never
    served from before a change that had committed when the page was asked
    for.

    `changed_by` (the writing transaction) and `changed_at` (its clock) are
    kept with `version` because a transaction rolled back, or a savepoint,
    takes `version` back to a number an undone change already used; a
    transaction id or clock time is never used twice."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    changed_by = models.TextField(blank=True)  # pg_current_xact_id() as text
    changed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="figures_version_one_row"
            ),
        ]

    def __str__(self) -> str:
        return f"figures version {self.version}"
