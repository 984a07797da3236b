from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length, Now
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from clients.access import counseling_note_visibility, facilitated_notes, visibility
from clients.models import Client
from hr_clinic.lib.urls import record_url
from sessions.checkin_items import KEYS as CHECKIN_KEYS
from sessions.formats import NoteFormat, Section, section_label, sections_for

if TYPE_CHECKING:
    from staff.models import User


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"
    OUTREACH = "outreach", "Outreach"
    DROP_IN = "drop_in", "Drop-in"
    GROUP = "group", "Group"


class ReferralKind(models.TextChoices):
    """What kind of service a referral in a note's check-in was to: the
    structured counterpart of the free-text referrals (which stay the note's
    words), so that the program figures can count referrals by kind without
    reading anyone's text (issue #23). Person-first names, from the language
    guide (withdrawal management, never "detox")."""

    MOUD = "moud", "Medication for opioid use disorder (MOUD)"
    MEDICAL = "medical", "Medical or primary care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    WITHDRAWAL = "withdrawal", "Withdrawal management"
    TESTING = "testing", "HIV, hepatitis C or STI testing"
    SYRINGE = "syringe", "Syringe services"
    HOUSING = "housing", "Housing or shelter"
    BENEFITS = "benefits", "Food, benefits or ID"
    LEGAL = "legal", "Legal help"
    PEER = "peer", "Peer support"
    OTHER = "other", "Something else"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    # A draft its author set aside (started by mistake, a duplicate, never
    # finished): kept in the record, locked, and counted nowhere. A status of its
    # own rather than a flag on a draft, so that every "status = draft" (the
    # drafts lists and counts, their partial indexes) leaves it out by itself.
    DISCARDED = "discarded", "Discarded"


# A session's start time may be this far ahead of the server's clock (a
# clinician's watch, a phone a little fast); anything later is a typo such as
# the wrong year, which would otherwise take the client off the reach-out list.
START_CLOCK_SKEW = datetime.timedelta(minutes=5)
# No session of this service started before this; an earlier date is a typo.
EARLIEST_START = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
# The most text one note holds (its sections and referrals together), about
# 8,000 words: twenty times a long session note. It bounds what every page that
# shows or checks the note costs (the language guide reads 100,000 characters
# in about 0.6 s; a 2.4 MB draft took 7-9 s a page).
MAX_NOTE_CHARS = 50_000


class ReviewStatus(models.TextChoices):
    """Where a signed note stands in co-signature. Workflow state, not note
    content: the only column of a signed note that may still change."""

    NOT_NEEDED = "", "No co-signature needed"
    WAITING = "waiting", "Waiting for co-signature"
    RETURNED = "returned", "Returned with comments"
    COSIGNED = "cosigned", "Co-signed"


# A draft still to be finished: not yet signed, and not handed to someone else.
OPEN_DRAFT = Q(status=SessionStatus.DRAFT, handed_over_at__isnull=True)
# A note that still waits on its author or their supervisor: an open draft, or a
# signed note waiting for co-signature or returned with comments.
PENDING = OPEN_DRAFT | Q(
    review_status__in=[ReviewStatus.WAITING, ReviewStatus.RETURNED]
)


class TherapySessionQuerySet(models.QuerySet["TherapySession"]):
    def visible_to(self, user: User) -> TherapySessionQuerySet:
        """Notes `user` may see: every note of a client they may see
        (clients.access.visibility, the same rule as Client.objects.visible_to:
        a clinician's caseload, a supervisor's and their team's), and the
        PENDING notes whose author the same rule covers (the user, or one of
        their supervisees), wherever the client has moved since. Nothing for
        admins.

        The second half is what keeps unfinished work reachable after a
        reassignment: the author can still finish their draft or answer their
        supervisor's comments, and the author's supervisor can still co-sign or
        hand the draft on. Once a note is finished it is seen only through its
        client, like any other.

        Applied to the note's own copy of its client's primary clinician
        (`client_clinician`, kept by PostgreSQL on every reassignment), not
        through a join to the client: with the join, the rule's OR kept
        PostgreSQL from narrowing the clients side and the team dashboard
        hashed every client on each request (docs/performance.md, "Issue
        #17")."""
        rule = visibility(user, via="client_", emergency="client")
        if rule is None:
            return self.none()
        authors = visibility(user, emergency=None)
        assert authors is not None  # the same rule, on the note's own author
        # A group meeting's facilitators also see every member's note of it
        # (issue #24); the branch is NULL, so false, for every other note.
        return self.filter(rule | (authors & PENDING) | facilitated_notes(user))

    def drafts(self) -> TherapySessionQuerySet:
        """Open drafts: not discarded, and not handed over to another
        clinician (a handed-over draft is kept as it was and waits on nobody)."""
        return self.filter(OPEN_DRAFT)

    def not_discarded(self) -> TherapySessionQuerySet:
        """Drafts and signed notes: what counts as a session anywhere."""
        return self.exclude(status=SessionStatus.DISCARDED)

    def signed(self) -> TherapySessionQuerySet:
        return self.filter(status=SessionStatus.SIGNED)


class TherapySession(models.Model):
    """One contact with a client and its note: a draft until signed, then locked
    (PostgreSQL refuses any change to a signed note and any delete; see the
    migration `lock_signed_notes`). Corrections are Addenda."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="sessions"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_sessions",
        verbose_name="author",
    )
    started_at = models.DateTimeField("date and time", default=timezone.now)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", null=True, blank=True
    )
    modality = models.CharField(
        max_length=20, choices=Modality.choices, default=Modality.IN_PERSON
    )
    location = models.CharField(max_length=200, blank=True)
    note_format = models.CharField(
        max_length=10, choices=NoteFormat.choices, default=NoteFormat.HARM_REDUCTION
    )
    sections = models.JSONField(default=dict, blank=True)

    # Harm-reduction check-in: every part optional, never a gate (docs/design.md,
    # product rule 1).
    naloxone_on_hand = models.BooleanField(null=True, blank=True)
    naloxone_doses_given = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A two-dose kit counts as two."
    )
    test_strips_given = models.PositiveSmallIntegerField(
        "fentanyl test strips given", null=True, blank=True
    )
    other_supplies = models.CharField(
        "other safer-use supplies given", max_length=300, blank=True
    )
    overdoses_experienced = models.PositiveSmallIntegerField(
        "overdoses they experienced since last contact", null=True, blank=True
    )
    overdoses_witnessed = models.PositiveSmallIntegerField(
        "overdoses they witnessed since last contact", null=True, blank=True
    )
    naloxone_used = models.BooleanField(
        "naloxone was used in an overdose", null=True, blank=True
    )
    referrals = models.TextField("referrals made", blank=True)
    # The kinds of those referrals, ticked (issue #23): what the program
    # figures count. Optional like every part of the check-in; the free text
    # above stays the note's own words and is never counted or shown in a
    # report. A database default too: the bulk loads (bench/scale.py) COPY
    # without it.
    referral_kinds = ArrayField(
        models.CharField(max_length=20, choices=ReferralKind.choices),
        verbose_name="kinds of referral made",
        default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=20))),
        blank=True,
    )

    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, blank=True, default=""
    )
    discarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    # The goal ratings a discarded draft held, as they were (goal id, score,
    # comment, date): the person's words stay with the draft, and the goals'
    # histories no longer count them (services.therapy_session_discard).
    # NULL for every other note (bulk loads need not know the column).
    discarded_ratings = models.JSONField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    # A draft its author cannot finish (they left, or the client moved to
    # another clinician), handed by the author's supervisor to the client's
    # clinician (services.therapy_session_hand_over). The text lives on in
    # `handed_over_to`, the new clinician's own draft; this one is kept as it
    # was, never deleted, and waits on nobody. The new draft finds this one as
    # `handed_over_from`: who handed it over, when and from which draft.
    handed_over_to = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="handed_over_from",
    )
    handed_over_at = models.DateTimeField(null=True, blank=True, editable=False)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The group meeting this is one member's note of (issue #24), or None. Set
    # when the note is made from the meeting's page, never changed after (the
    # signed-note lock covers it too). Its facilitators see the note
    # (clients.access.facilitated_notes); the note shows the meeting's shared
    # part, never another member.
    group_meeting = models.ForeignKey(
        "groups.GroupMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="notes",
        # The partial index session_group_meeting_idx serves it.
        db_index=False,
    )
    # The token of the form that created this session: a double-clicked or
    # re-sent submit finds the session it already created.
    form_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    # The reasons and text of the note's addenda, in order, for the search: kept
    # by PostgreSQL whatever Django writes here (migration
    # `search_addenda_checkin_referrals`). A copy, not note content: the addenda
    # themselves stay the record.
    addenda_text = models.TextField(
        blank=True, default="", db_default="", editable=False
    )
    # The words of the sections' string values (not their keys), the
    # check-in's other supplies, the referrals and the addenda: one vector, so
    # that a search stays one scan of session_search_scope_idx. Written only by
    # PostgreSQL (trigger therapy_sessions_sync_search_vector, migration
    # `index_draft_words_between_autosaves`), from the row, on every insert and
    # every change of a signed or discarded note, so those are found exactly
    # by what they hold. A draft's words are indexed when a save asks for it by
    # writing NULL here (every save but an autosave: services.
    # therapy_session_save_draft), and by an autosave only once two minutes
    # have passed since they last were: any other autosave
    # changes no indexed column and PostgreSQL can update the row in place
    # (a HOT update) instead of writing into every index of the table
    # (issue #25). Any other value written here is ignored.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # When PostgreSQL last indexed this draft's words (the same trigger); kept
    # as it was once the note is signed or discarded. Not note content.
    search_indexed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # A copy of the client's primary clinician (clients_client.clinician_id),
    # kept by PostgreSQL on every insert and update of a note and on every
    # reassignment of its client (migration `search_notes_by_client_clinician`),
    # whatever Django writes here. Not note content: a signed note's lock lets it
    # change. It puts who may see a note into the search index (see
    # session_search_scope_idx and selectors.note_search), and it is what a
    # note's visibility is decided on (TherapySession.objects.visible_to).
    client_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        # A derived copy: the client's own foreign key guards the reference, and
        # nothing looks notes up by this column alone.
        db_constraint=False,
        db_index=False,
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapySessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The client's timeline and last contact: newest first per client.
            models.Index(
                fields=["client", "-started_at"], name="session_client_started_idx"
            ),
            # A clinician's notes by date: the team dashboard's recent
            # sessions per supervisee read from the index alone (the columns
            # its visibility and status conditions read are included), 0.45
            # -> 0.10 ms a supervisee (issue #25, docs/performance.md). Keyed
            # by date, not status first: a range of dates within each status
            # read every note of the clinician.
            models.Index(
                fields=["clinician", "started_at"],
                include=[
                    "status",
                    "review_status",
                    "handed_over_at",
                    "client_clinician",
                ],
                name="session_clinician_recent_idx",
            ),
            # Full-text search within who may see the note: the words and the
            # client's clinician in one GIN index, so a supervisor's search
            # intersects the word's matches with the team's notes inside the
            # index instead of reading every match from the table
            # (docs/performance.md). Serves searches on the words alone too.
            # The clinician goes in as a one-element array: without the
            # btree_gin extension (not in the embedded PostgreSQL) a GIN index
            # holds an integer only inside an array.
            GinIndex(
                F("search_vector"),
                Func(
                    F("client_clinician"),
                    template="ARRAY[%(expressions)s]",
                    output_field=ArrayField(models.BigIntegerField()),
                ),
                name="session_search_scope_idx",
                # Every autosave adds the note's words again. GIN queues them in
                # a pending list that each search reads through until it is
                # merged; the default 4 MB let a busy afternoon's autosaves
                # triple a supervisor's search (index scan 0.9 -> 3.2 ms). Merged
                # every 128 kB, searches stay fast and a save pays a small merge
                # now and then; turning the list off cost saves 20% (measured
                # with make bench, migration 0009).
                gin_pending_list_limit=128,
            ),
            # The note search's walk newest first (sessions.selectors, issue
            # #25): for a word in many notes it reads the scope's notes newest
            # first and stops at the cap, instead of a GIN bitmap of every
            # match and a sort of them all: each scope clinician's notes through
            # the first, a team's merged by date. The second (every note newest
            # first, the scope checked on the index entry) was a team's walk
            # until the merge replaced it (docs/performance.md, sixth pass); it
            # is kept until a measured change removes it with a migration.
            models.Index(
                fields=["client_clinician", "-started_at", "-id"],
                name="session_scope_newest_idx",
                condition=~Q(status=SessionStatus.DISCARDED),
            ),
            models.Index(
                fields=["-started_at", "-id"],
                name="session_newest_idx",
                include=["client_clinician"],
                condition=~Q(status=SessionStatus.DISCARDED),
            ),
            # What waits on its author, per author: drafts and notes waiting for
            # or returned from co-signature; a few % of rows. Counted on every
            # caseload page (waiting_counts) and per supervisee on the team
            # dashboard, which otherwise read all ~5,000 notes of each author.
            models.Index(
                fields=["clinician", "review_status", "status"],
                name="session_waiting_idx",
                condition=Q(status=SessionStatus.DRAFT)
                | Q(review_status__in=[ReviewStatus.WAITING, ReviewStatus.RETURNED]),
            ),
            # The team dashboard's "drafts older than 3 days" per supervisee (and
            # the list behind it): drafts are under 1% of notes, but the other
            # indexes give no creation date, so each count read ~40 heap pages.
            models.Index(
                fields=["clinician", "created_at"],
                name="session_draft_created_idx",
                condition=Q(status=SessionStatus.DRAFT),
            ),
            # A meeting's notes (the meeting page, sign-all, facilitators'
            # visibility); almost every note has none.
            models.Index(
                fields=["group_meeting"],
                name="session_group_meeting_idx",
                condition=Q(group_meeting__isnull=False),
            ),
            # The review queue: notes waiting for co-signature, oldest first.
            models.Index(
                fields=["review_status", "signed_at"],
                name="session_review_idx",
                condition=~Q(review_status=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values),
                name="session_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[SessionStatus.DRAFT, SessionStatus.DISCARDED],
                    signed_at__isnull=True,
                )
                | Q(status=SessionStatus.SIGNED, signed_at__isnull=False),
                name="session_signed_has_time",
            ),
            # Who discarded a draft and when, for discarded drafts only. With
            # the locks (migration `lock_discarded_drafts`: a discarded row
            # never changes, a signed one never changes status) only a draft
            # can be discarded, and a discarded draft is never signed.
            models.CheckConstraint(
                condition=Q(
                    status=SessionStatus.DISCARDED,
                    discarded_at__isnull=False,
                    discarded_by__isnull=False,
                )
                | (
                    ~Q(status=SessionStatus.DISCARDED)
                    & Q(discarded_at__isnull=True, discarded_by__isnull=True)
                ),
                name="session_discarded_has_who_and_when",
            ),
            # The future bound (START_CLOCK_SKEW) moves with the clock, which a
            # check constraint must not: the form and the services hold it.
            models.CheckConstraint(
                condition=Q(started_at__gte=EARLIEST_START),
                name="session_started_after_1900",
            ),
            models.CheckConstraint(
                condition=Q(review_status="") | Q(status=SessionStatus.SIGNED),
                name="session_only_signed_notes_are_reviewed",
            ),
            # Only a draft is handed over, and a hand-over is recorded whole; the
            # handed-over draft stays a draft (it is never signed).
            models.CheckConstraint(
                condition=Q(
                    handed_over_to__isnull=True,
                    handed_over_at__isnull=True,
                    handed_over_by__isnull=True,
                )
                | Q(
                    status=SessionStatus.DRAFT,
                    handed_over_to__isnull=False,
                    handed_over_at__isnull=False,
                    handed_over_by__isnull=False,
                )
                & ~Q(handed_over_to=F("pk")),
                name="session_hand_over_whole",
            ),
            models.CheckConstraint(
                condition=Q(referral_kinds__contained_by=ReferralKind.values),
                name="session_referral_kinds_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="session_duration_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("sessions:detail", self.pk)

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Not in Python: PostgreSQL enforces Meta.constraints on every write.
        Django would evaluate each check constraint by building a query (and
        running the ones it can) on every form save, including the autosave
        every few seconds while someone types: a third of a save's Python.
        Nobody's input can break them: services set status, signature and
        review state, and SessionForm checks the duration's range."""

    def referral_kind_labels(self) -> list[str]:
        """The ticked kinds of referral, as the form words them, in its order."""
        kinds = set(self.referral_kinds or ())
        return [label for value, label in ReferralKind.choices if value in kinds]

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def is_handed_over(self) -> bool:
        return self.handed_over_at is not None

    @property
    def is_draft(self) -> bool:
        return self.status == SessionStatus.DRAFT

    @property
    def is_discarded(self) -> bool:
        return self.status == SessionStatus.DISCARDED

    @property
    def format_sections(self) -> tuple[Section, ...]:
        return sections_for(self.note_format)

    def section_texts(self) -> list[tuple[Section, str]]:
        """The format's sections with their text, in order."""
        texts = self.sections or {}
        return [(s, str(texts.get(s.key, ""))) for s in self.format_sections]

    def shared_part_texts(self) -> list[tuple[str, str]]:
        """(label, text) of the group meeting's shared part this note shows
        (issue #24): the group's name, the topic and what the group did,
        written about the group and never naming another member. Empty for a
        note of no meeting. Reads `group_meeting` and its group: lists and
        copies load them with select_related("group_meeting__group")."""
        if self.group_meeting_id is None:
            return []
        meeting = self.group_meeting
        assert meeting is not None
        rows = [("Group", meeting.group.name)]
        if meeting.topic:
            rows.append(("Group topic", meeting.topic))
        if meeting.what_we_did:
            rows.append(("What the group did", meeting.what_we_did))
        return rows

    def leftover_texts(self) -> list[tuple[str, str, str]]:
        """(key, label, text) of the sections with text that the note's format
        has no place for: left over from an earlier format (see
        services.therapy_session_switch_format), kept until moved or cleared."""
        keys = {s.key for s in self.format_sections}
        return [
            (key, section_label(key), str(text))
            for key, text in sorted((self.sections or {}).items())
            if key not in keys and str(text).strip()
        ]

    @property
    def has_checkin(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.naloxone_on_hand,
                self.naloxone_doses_given,
                self.test_strips_given,
                self.other_supplies,
                self.overdoses_experienced,
                self.overdoses_witnessed,
                self.naloxone_used,
                self.referrals,
                self.referral_kinds or None,
            )
        )


class Addendum(models.Model):
    """A correction or addition to a signed note. Append-only: PostgreSQL refuses
    UPDATE and DELETE on this table."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="addenda"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # The token of the form that added it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "addenda"
        constraints = [
            # One addendum per filled-in form, per note and author: a token
            # seen on another note (or from someone else) is a new addendum.
            models.UniqueConstraint(
                fields=["session", "author", "form_token"],
                name="addendum_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"addendum {self.pk} to session {self.session_id}"


class ReviewDecision(models.TextChoices):
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned with comments"


class Review(models.Model):
    """A supervisor's co-signature of, or comments on, a signed note.
    Append-only: PostgreSQL refuses UPDATE and DELETE on this table."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values),
                name="review_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ReviewDecision.RETURNED) | ~Q(comment=""),
                name="review_return_has_comment",
            ),
            # A note is co-signed once.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(decision=ReviewDecision.COSIGNED),
                name="review_one_cosignature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} review of session {self.session_id}"


class NotePreference(models.Model):
    """A clinician's default note format."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="note_preference",
    )
    note_format = models.CharField(
        max_length=10, choices=NoteFormat.choices, default=NoteFormat.HARM_REDUCTION
    )

    def __str__(self) -> str:
        return f"note preference of {self.clinician_id}"


class CounselingNoteQuerySet(models.QuerySet["CounselingNote"]):
    def visible_to(self, user: User) -> CounselingNoteQuerySet:
        """Counseling notes `user` may read (clients.access.
        counseling_note_visibility): their own, and a supervisor's supervisees'
        who require co-signature. Never through the client (its clinician, a
        reassignment, an emergency-access grant) and nothing for an admin:
        everything else answers 404."""
        rule = counseling_note_visibility(user)
        return self.none() if rule is None else self.filter(rule)


class CounselingNote(models.Model):
    """An SUD counseling note (42 CFR 2.11; the Part 2 counterpart of
    psychotherapy notes): the author's own record, kept apart from the session
    note and optional, never needed for care or billing. Its own table and its
    own visibility rule (CounselingNoteQuerySet.visible_to), so nothing that
    reads clients, notes or their search index can reach it: no related name
    leads here from a client or a session.

    Never deleted; every version of the text is kept in
    CounselingNoteRevision by PostgreSQL itself (migration
    `counseling_notes_kept`), whatever the app writes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Optionally one of the author's own sessions with this client
    # (services.counseling_note_create checks whose it is).
    session = models.ForeignKey(
        TherapySession,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    # The token of the form that created it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CounselingNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["author", "-created_at"], name="counseling_author_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="counseling_note_has_text"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MAX_NOTE_CHARS),
                name="counseling_note_not_too_long",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="counseling_note_version_valid"
            ),
            models.UniqueConstraint(
                fields=["author", "form_token"], name="counseling_note_one_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"counseling note {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("sessions:counseling_detail", self.pk)


class CounselingNoteRevision(models.Model):
    """One version of a counseling note's text, the first included, written by
    PostgreSQL on every insert and every change of version (migration
    `counseling_notes_kept`). Append-only."""

    note = models.ForeignKey(
        CounselingNote, on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    # The database's clock, set by the trigger that writes the row.
    saved_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "version"], name="counseling_revision_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"version {self.version} of counseling note {self.note_id}"


class FollowUpOutcome(models.TextChoices):
    """How a follow-up ended. Neutral words: a follow-up that is no longer
    needed was not a failure of anyone's."""

    OPEN = "", "Still open"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "No longer needed"


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def visible_to(self, user: User) -> FollowUpQuerySet:
        """Follow-ups of clients `user` may see (clients.access.visibility,
        through the follow-up's client, as goals are). Nothing for admins."""
        rule = visibility(user, via="client__", emergency="client")
        return self.none() if rule is None else self.filter(rule)

    def on_caseload_of(self, user: User) -> FollowUpQuerySet:
        """Follow-ups of the clients on `user`'s own caseload: inside
        visibility (without emergency-access grants, which are no caseload),
        narrowed to the clients `user` is the primary clinician of (a
        supervisor's own, not their team's). Nothing for admins."""
        rule = visibility(user, via="client__", emergency=None)
        if rule is None:
            return self.none()
        return self.filter(rule, client__clinician=user)

    def live(self) -> FollowUpQuerySet:
        """Follow-ups of notes that count: a signed note or an open draft.
        Those of a discarded draft count nowhere, as the draft does; a
        handed-over draft's moved with its text to the new draft."""
        return self.filter(
            session__status__in=[SessionStatus.DRAFT, SessionStatus.SIGNED],
            session__handed_over_at__isnull=True,
        )

    def still_open(self) -> FollowUpQuerySet:
        return self.filter(outcome=FollowUpOutcome.OPEN)


class FollowUp(models.Model):
    """Something agreed together in a session ("Next steps agreed together"),
    in plain words, with an optional date: shown on the note form of the next
    session with the client and on the clinician's Today until it is done or
    no longer needed. Written with its note's draft and editable while the
    note is a draft; once the note is signed, PostgreSQL lets it only be closed
    (done or no longer needed), never edited or deleted (migration
    `follow_ups_kept`). Never a gate on anything: an open follow-up closes
    nothing and blocks nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="follow_ups"
    )
    # The session's client, for lists (Today, the next note's form) without a
    # join through the note; kept equal to the session's by PostgreSQL.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="follow_ups", editable=False
    )
    # Which row of the note form wrote it: an autosave repeats every row the
    # page shows, and the row's key makes each repeat land on the same
    # follow-up instead of adding one more.
    row_key = models.UUIDField(editable=False)
    text = models.CharField("what was agreed", max_length=300)
    due_on = models.DateField("by when (optional)", null=True, blank=True)
    outcome = models.CharField(
        max_length=12,
        choices=FollowUpOutcome.choices,
        blank=True,
        default=FollowUpOutcome.OPEN,
    )
    # When and by whom it was closed (done or no longer needed), and in which
    # note when it was ticked in one: a tick is part of that note, and can be
    # taken back only while the note is a draft. (A page that closes one
    # outside a note, such as Today, leaves `done_in` empty.)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    done_in = models.ForeignKey(
        TherapySession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="follow_ups_closed",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # What is still open per client: the next note's form and Today.
            models.Index(
                fields=["client", "due_on"],
                name="follow_up_open_idx",
                condition=Q(outcome=""),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "row_key"], name="follow_up_one_per_row"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=FollowUpOutcome.values),
                name="follow_up_outcome_valid",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="follow_up_has_text"),
            # Closed with when and by whom (and, when ticked in a note, which
            # one), or open with none of them.
            models.CheckConstraint(
                condition=Q(
                    outcome="",
                    done_at__isnull=True,
                    done_by__isnull=True,
                    done_in__isnull=True,
                )
                | (~Q(outcome="") & Q(done_at__isnull=False, done_by__isnull=False)),
                name="follow_up_closed_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("sessions:detail", self.session_id)

    @property
    def is_open(self) -> bool:
        return self.outcome == FollowUpOutcome.OPEN


class EnteredHow(models.TextChoices):
    """Whose hand typed a check-in's answers (they are always the client's)."""

    BY_CLIENT = "by_client", "By the client on this device"
    WITH_CLINICIAN = "with_clinician", "With the clinician"


def _score_0_10(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": 0, f"{field}__lte": 10}
    )


class RelationshipCheckInQuerySet(models.QuerySet["RelationshipCheckIn"]):
    def visible_to(self, user: User) -> RelationshipCheckInQuerySet:
        """Check-ins of clients `user` may see (clients.access.visibility,
        through the check-in's client, as follow-ups are). Nothing for
        admins."""
        rule = visibility(user, via="client__", emergency="client")
        return self.none() if rule is None else self.filter(rule)


class RelationshipCheckIn(models.Model):
    """How a session felt to the person, in their own voice (issue #22): four
    items 0–10 (sessions.checkin_items, the project's own wording) and a few
    words for their clinician, any of it left unanswered. Optional, after a
    session, linked to its note (draft or signed). A prompt to talk, never a
    score against anyone; append-only in PostgreSQL (migration
    `checkins_kept`): never changed, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="checkins"
    )
    # The session's client, for the record's trend without a join through the
    # note; kept equal to the session's by PostgreSQL.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="checkins", editable=False
    )
    heard = models.PositiveSmallIntegerField(null=True, blank=True)
    wanted = models.PositiveSmallIntegerField(null=True, blank=True)
    honest = models.PositiveSmallIntegerField(null=True, blank=True)
    helped = models.PositiveSmallIntegerField(null=True, blank=True)
    words = models.TextField(blank=True, max_length=2000)
    entered_how = models.CharField(max_length=16, choices=EnteredHow.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The token of the form that wrote it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = RelationshipCheckInQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["client", "created_at"], name="checkin_client_time"),
        ]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=_score_0_10(key), name=f"checkin_{key}_0_to_10"
                )
                for key in CHECKIN_KEYS
            ),
            models.UniqueConstraint(
                fields=["session", "entered_by", "form_token"],
                name="checkin_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk} for session {self.session_id}"

    def get_absolute_url(self) -> str:
        return record_url("sessions:detail", self.session_id)
