"""Writes to session notes: drafts that are never lost, signing, addenda."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit import services as audit
from audit.models import Action, Outcome
from clients.access import STAND_IN_ID, supervises
from clients.models import Client
from goals.models import Goal, GoalRating
from hr_clinic.lib.form_tokens import FormAlreadyUsed, create_once, same_values
from hr_clinic.lib.sql import CompiledOnce
from sessions.checkin_items import KEYS as CHECKIN_KEYS
from sessions.formats import corresponding_key, sections_for
from sessions.models import (
    EARLIEST_START,
    MAX_NOTE_CHARS,
    START_CLOCK_SKEW,
    Addendum,
    CounselingNote,
    EnteredHow,
    FollowUp,
    FollowUpOutcome,
    NotePreference,
    RelationshipCheckIn,
    Review,
    ReviewDecision,
    ReviewStatus,
    SessionStatus,
    TherapySession,
)
from staff.models import User

# The scalar fields a draft save may set (sections and ratings go separately).
DRAFT_FIELDS = (
    "started_at",
    "duration_minutes",
    "modality",
    "location",
    "naloxone_on_hand",
    "naloxone_doses_given",
    "test_strips_given",
    "other_supplies",
    "overdoses_experienced",
    "overdoses_witnessed",
    "naloxone_used",
    "referrals",
    "referral_kinds",
)


HANDED_OVER = (
    "This draft was handed over to the client's clinician, who finishes it as "
    "their own note. It stays as it was."
)
# What a hand-over carries to the new draft besides the sections: the session's
# details and the harm-reduction check-in.
HAND_OVER_FIELDS = (*DRAFT_FIELDS, "note_format")


class VersionConflict(Exception):
    """The draft changed since the form was opened (another tab, another person).
    Carries the session as it is now, so both texts can be shown side by side."""

    def __init__(self, current: TherapySession) -> None:
        super().__init__(f"session {current.pk} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class Rating:
    score: int
    comment: str = ""


# What a save says about each goal it carries: its rating in this session, or
# None when the rating was cleared. A goal the save does not carry keeps what it
# had (a partial autosave never erases anything).
Ratings = dict[uuid.UUID, Rating | None]

FOLLOW_UP = "follow_up"  # its object type in the audit trail


@dataclass(frozen=True)
class FollowUpRow:
    """One "Follow-up" line of the note form: its row's key (a follow-up's own,
    or a new one the form made), what was agreed, and by when. Empty text
    means the line was cleared."""

    key: uuid.UUID
    text: str
    due_on: datetime.date | None = None


# The note's own follow-up lines, and what the note says about follow-ups
# agreed earlier with the client (follow-up id -> outcome, "" for still open).
# None: the save does not carry them, and they stay as they are.
FollowUpRows = list[FollowUpRow]
Closings = dict[uuid.UUID, str]


def started_at_problem(value: datetime.datetime) -> str | None:
    """Why a session cannot have started at `value` (a typo in the year, as a
    rule), or None. A few minutes ahead of the clock are allowed
    (START_CLOCK_SKEW)."""
    if value < EARLIEST_START:
        return "Check the year: a session cannot be dated before 1900."
    if value > timezone.now() + START_CLOCK_SKEW:
        return (
            "Check the date and time: this session is in the future. Log a session "
            "once it has started."
        )
    return None


def note_length(sections: dict[str, Any], referrals: str = "") -> int:
    """The characters a note holds: every section (a leftover from an earlier
    format too) and the referrals."""
    return sum(len(str(text)) for text in sections.values()) + len(referrals or "")


def too_long_message(length: int) -> str:
    return (
        f"This note is too long to save: a note holds up to {MAX_NOTE_CHARS:,} "
        f"characters and this one has {length:,}. Shorten it, then save again."
    )


def _same_content(
    session: TherapySession,
    fields: dict[str, Any],
    sections: dict[str, str],
    ratings: Ratings,
    follow_ups: FollowUpRows | None = None,
    closings: Closings | None = None,
) -> bool:
    if any(getattr(session, name) != value for name, value in fields.items()):
        return False
    stored = session.sections or {}
    if any(stored.get(key, "") != text for key, text in sections.items()):
        return False
    given = {r.goal_id: Rating(r.score, r.comment) for r in session.goal_ratings.all()}
    if not all(given.get(goal) == rating for goal, rating in ratings.items()):
        return False
    return _same_follow_ups(session, follow_ups or [], closings or {})


def _same_follow_ups(
    session: TherapySession, rows: FollowUpRows, closings: Closings
) -> bool:
    """Whether the note already holds these follow-up lines and ticks (a
    repeated save). No query when the save carries none."""
    if rows:
        own = {
            f.row_key: f
            for f in FollowUp.objects.filter(
                session=session, row_key__in=[r.key for r in rows]
            )
        }
        for row in rows:
            kept = own.get(row.key)
            if kept is None:
                if row.text.strip():
                    return False
            elif row.text.strip():
                if (kept.text, kept.due_on, kept.outcome) != (
                    row.text.strip(),
                    row.due_on,
                    FollowUpOutcome.OPEN,
                ):
                    return False
            elif kept.is_open:
                return False
    if closings:
        outcomes = dict(
            FollowUp.objects.filter(
                client_id=session.client_id, pk__in=closings.keys()
            ).values_list("pk", "outcome")
        )
        if any(outcomes.get(pk, wanted) != wanted for pk, wanted in closings.items()):
            return False
    return True


def _save_follow_ups(session: TherapySession, by: User, rows: FollowUpRows) -> None:
    """The note's own follow-up lines: a new line's text becomes a follow-up
    (found again by its row's key, so a repeated autosave adds nothing), a
    changed line changes it, and a cleared line is closed as no longer needed
    in this draft (kept: follow-ups are never deleted), and opens again if
    text is typed back. One query, and a write for each line that changed."""
    if not rows:
        return
    own = {
        f.row_key: f
        for f in FollowUp.objects.filter(
            session=session, row_key__in=[r.key for r in rows]
        )
    }
    now = timezone.now()
    for row in rows:
        text = row.text.strip()
        kept = own.get(row.key)
        if kept is None:
            if not text:
                continue
            follow_up = FollowUp(
                session=session,
                client_id=session.client_id,
                row_key=row.key,
                text=text,
                due_on=row.due_on,
                created_by=by,
            )
            _check_follow_up(follow_up)
            follow_up.save()
            _audit_follow_up(by, follow_up, Action.CREATE)
        elif not text:
            if kept.is_open:
                _close(kept, by, session, FollowUpOutcome.NOT_NEEDED, now)
        elif (kept.text, kept.due_on, kept.outcome) != (
            text,
            row.due_on,
            FollowUpOutcome.OPEN,
        ):
            kept.text, kept.due_on = text, row.due_on
            _check_follow_up(kept)
            _reopen_fields(kept)
            kept.save()
            _audit_follow_up(by, kept, Action.UPDATE)


def _check_follow_up(follow_up: FollowUp) -> None:
    """The row's own fields (the text's length above all). Not its references
    or constraints: each would be a query on every autosave, the form and this
    module set them, and PostgreSQL holds them (its constraints and the trigger
    of migration `follow_ups_kept`). Raises ValidationError."""
    follow_up.full_clean(
        exclude=["session", "client", "created_by", "done_by", "done_in"],
        validate_unique=False,
        validate_constraints=False,
    )


def _save_closings(session: TherapySession, by: User, closings: Closings) -> None:
    """What this note says about follow-ups agreed earlier with its client:
    done, no longer needed, or (a tick taken back while this note is a draft)
    still open. Only follow-ups of this note's client that are open, or were
    closed in this note, are touched: any other id a request names is left
    alone. One query, and a write for each that changed."""
    if not closings:
        return
    now = timezone.now()
    earlier = (
        FollowUp.objects.live()
        .filter(client_id=session.client_id, pk__in=closings.keys())
        .exclude(session=session)
        .filter(Q(outcome=FollowUpOutcome.OPEN) | Q(done_in=session))
    )
    for follow_up in earlier:
        wanted = closings[follow_up.pk]
        if wanted == follow_up.outcome:
            continue
        if wanted == FollowUpOutcome.OPEN:
            _reopen_fields(follow_up)
            follow_up.save()
            _audit_follow_up(by, follow_up, Action.REOPEN)
        else:
            _close(follow_up, by, session, wanted, now)


def _close(
    follow_up: FollowUp,
    by: User,
    session: TherapySession,
    outcome: str,
    now: datetime.datetime,
) -> None:
    follow_up.outcome = outcome
    follow_up.done_at, follow_up.done_by, follow_up.done_in = now, by, session
    follow_up.save()
    _audit_follow_up(by, follow_up, Action.CLOSE)


def _reopen_fields(follow_up: FollowUp) -> None:
    follow_up.outcome = FollowUpOutcome.OPEN
    follow_up.done_at = follow_up.done_by = follow_up.done_in = None


def _audit_follow_up(by: User, follow_up: FollowUp, action: str) -> None:
    """Ids and the outcome's code only, never what was agreed."""
    audit.record(
        actor=by,
        action=action,
        object_type=FOLLOW_UP,
        object_id=str(follow_up.pk),
        client_id=follow_up.client_id,
        detail={"session": str(follow_up.session_id), "outcome": follow_up.outcome},
    )


def _save_ratings(session: TherapySession, by: User, ratings: Ratings) -> None:
    """Ratings given in this session: one per goal, dated with the session (not
    after today: a session may start a few minutes ahead, past midnight). A
    rating cleared in a draft is removed (nothing was signed yet); goals not in
    `ratings` keep theirs."""
    given = {goal: r for goal, r in ratings.items() if r is not None}
    cleared = [goal for goal, r in ratings.items() if r is None]
    goals = Goal.objects.filter(client_id=session.client_id, pk__in=given.keys())
    rated_on = min(timezone.localdate(session.started_at), timezone.localdate())
    for goal in goals:
        rating = given[goal.pk]
        GoalRating.objects.update_or_create(
            goal=goal,
            session=session,
            defaults={
                "score": rating.score,
                "comment": rating.comment.strip(),
                "rated_on": rated_on,
                "recorded_by": by,
            },
        )
    if not cleared:
        return
    # Nothing points at a rating, so this is one statement; written as SQL, as
    # the ORM's delete collector cost several times the statement itself on every
    # autosave.
    table = GoalRating._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE session_id = %s"  # nosec B608 - table name from the model
            " AND goal_id = ANY(%s::uuid[])",
            [session.pk, cleared],
        )


def _index_words(session: TherapySession) -> None:
    """Have PostgreSQL index this draft's words on its next save (a NULL
    vector asks the trigger therapy_sessions_sync_search_vector for it; an
    autosave leaves them be, see TherapySession.search_vector)."""
    session.search_vector = None


def _check_writable(session: TherapySession, by: User) -> None:
    if session.is_signed:
        raise ValidationError("This note is signed. Add an addendum instead.")
    if session.is_discarded:
        raise ValidationError(
            "This draft was discarded. It is kept in the record but can no longer "
            "be changed; log a new session instead."
        )
    if session.is_handed_over:
        raise ValidationError(HANDED_OVER)
    if session.clinician_id != by.pk:
        raise ValidationError("Only the author can change this draft.")


def _check_content(
    session: TherapySession, fields: dict[str, Any], stored_length: int = 0
) -> None:
    """What no save may bring into a draft, whoever makes it: a start time in
    the future or before 1900, or more text than MAX_NOTE_CHARS. Only what the
    save changes is judged, so an older draft that breaks a rule (from before
    the rule) can still be saved, and shortened: a save may always shrink a
    note. The form says the same next to the fields."""
    if "started_at" in fields:
        problem = started_at_problem(session.started_at)
        if problem:
            raise ValidationError(problem)
    length = note_length(session.sections or {}, session.referrals)
    if length > MAX_NOTE_CHARS and length > stored_length:
        raise ValidationError(too_long_message(length))


@transaction.atomic
def therapy_session_save_draft(
    *,
    client: Client,
    by: User,
    session: TherapySession | None,
    expected_version: int | None,
    form_token: uuid.UUID | None,
    note_format: str,
    fields: dict[str, Any],
    sections: dict[str, str],
    ratings: Ratings,
    follow_ups: FollowUpRows | None = None,
    closings: Closings | None = None,
    group_meeting: Any | None = None,
    autosave: bool = False,
) -> TherapySession:
    """Create or update a draft note, keeping everything given and leaving
    what is not given (fields, sections, goals and follow-ups the save does not
    carry) as it is: a partial save never blanks anything.

    `follow_ups` are the note's own "Follow-up" lines (see _save_follow_ups);
    `closings` what it says about follow-ups agreed earlier with the client
    (see _save_closings): both saved with the draft, and audited each.
    `group_meeting`: the group meeting a new draft is this member's note of
    (groups.services, which checks who may write it); ignored on an update.
    `autosave`: the page's own save while the clinician types (X-Autosave),
    which leaves the note's search words as PostgreSQL last indexed them (at
    most two minutes behind, TherapySession.search_vector) so the row can be
    updated in place; every other save indexes them.

    `client` must already be scoped to `by`'s own caseload by the caller. A new
    draft is found again by its `form_token`, so a double-clicked or re-sent
    first save creates one session. Raises VersionConflict when the draft has
    changed since `expected_version` (unless this save carries exactly what is
    stored, as a double-clicked save does), and ValidationError for a signed or
    discarded note, someone else's draft, a start time in the future or before
    1900, or a note longer than MAX_NOTE_CHARS.
    """
    fields = {k: v for k, v in fields.items() if k in DRAFT_FIELDS}
    if session is None and form_token is not None:
        session = (
            TherapySession.objects.filter(form_token=form_token, client=client)
            .select_for_update()
            .first()
        )
    if session is None:
        session = TherapySession(
            client=client,
            clinician=by,
            note_format=note_format,
            form_token=form_token,
            sections=sections,
            group_meeting=group_meeting,
            **fields,
        )
        _check_content(session, {"started_at": session.started_at})
        # The token is left to the unique constraint below: checked here, a
        # racing first save that committed a moment ago would show the raw
        # "Therapy session with this Form token already exists."
        session.full_clean(exclude=["search_vector", "form_token"])
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:
            if form_token is None:
                raise
            # The same form's first save raced us (a double click): use that one.
            # Only ever this client's note by this author: a token seen on
            # another note is never an answer here (its text would show).
            existing = TherapySession.objects.filter(
                form_token=form_token, client=client, clinician=by
            ).first()
            if existing is None:
                raise FormAlreadyUsed(
                    "This form was already used for another note. Nothing is "
                    "lost: press Save draft again to save this one."
                ) from None
            if _same_content(existing, fields, sections, ratings, follow_ups, closings):
                return existing
            raise VersionConflict(existing) from None
        _save_ratings(session, by, ratings)
        _save_follow_ups(session, by, follow_ups or [])
        _save_closings(session, by, closings or {})
        audit.record(actor=by, action=Action.CREATE, obj=session)
        return session

    # Without the vector: it can be as long as the note, and PostgreSQL keeps
    # it (a deferred field is left out of the UPDATE unless set below).
    session = (
        TherapySession.objects.select_for_update()
        .defer("search_vector")
        .get(pk=session.pk)
    )
    _check_writable(session, by)
    if expected_version != session.version:
        if _same_content(session, fields, sections, ratings, follow_ups, closings):
            return session  # a repeated save of what is already stored
        raise VersionConflict(session)
    stored_length = note_length(session.sections or {}, session.referrals)
    for name, value in fields.items():
        setattr(session, name, value)
    session.sections = _merged_sections(session, sections)
    _check_content(session, fields, stored_length)
    # The row is locked (select_for_update above) until this transaction ends, so
    # the version can be counted here: no re-read after the UPDATE.
    session.version += 1
    if not autosave:
        _index_words(session)
    session.save()
    _save_ratings(session, by, ratings)
    _save_follow_ups(session, by, follow_ups or [])
    _save_closings(session, by, closings or {})
    audit.record(actor=by, action=Action.UPDATE, obj=session)
    return session


def _merged_sections(
    session: TherapySession, sections: dict[str, str]
) -> dict[str, str]:
    """The stored sections with `sections` laid over them. A section left over
    from an earlier format (see therapy_session_switch_format) is dropped once
    it is emptied: its text has been moved into the note or cleared on purpose."""
    format_keys = {s.key for s in session.format_sections}
    merged = {**(session.sections or {}), **sections}
    return {
        key: text
        for key, text in merged.items()
        if key in format_keys or str(text).strip()
    }


@dataclass(frozen=True)
class SignProblem:
    """One thing a note needs before signing, and the draft form's field where
    it is fixed (the sign page links to it)."""

    message: str
    field: str

    def __str__(self) -> str:
        return self.message


def sign_problems(session: TherapySession) -> list[SignProblem]:
    """What a note still needs before it can be signed (never anything about the
    person's use: nothing here is a gate on care)."""
    problems = []
    texts = session.section_texts()
    if not any(text.strip() for _, text in texts):
        first = texts[0][0].key if texts else ""
        problems.append(
            SignProblem("Write at least one section of the note.", f"section_{first}")
        )
    if session.duration_minutes is None:
        problems.append(
            SignProblem("Add how long the session was.", "duration_minutes")
        )
    if session.started_at > timezone.now():
        problems.append(
            SignProblem("A session in the future cannot be signed yet.", "started_at")
        )
    elif session.started_at < EARLIEST_START:
        problems.append(
            SignProblem(
                "Check the year: a session cannot be dated before 1900.", "started_at"
            )
        )
    if session.leftover_texts():
        problems.append(
            SignProblem(
                "Some text from an earlier note format has no section in this one: "
                "move it into the note, or clear it.",
                "leftover_text",
            )
        )
    length = note_length(session.sections or {}, session.referrals)
    if length > MAX_NOTE_CHARS:
        problems.append(
            SignProblem(
                f"The note is too long to sign: shorten it to {MAX_NOTE_CHARS:,} "
                f"characters (it has {length:,}).",
                f"section_{texts[0][0].key}" if texts else "",
            )
        )
    return problems


@transaction.atomic
def therapy_session_sign(
    *, session: TherapySession, by: User, expected_version: int
) -> TherapySession:
    """Sign a draft: from now on PostgreSQL refuses any change to it. Raises
    VersionConflict when it changed since `expected_version`, ValidationError when
    it is already signed, not `by`'s, or incomplete (see sign_problems)."""
    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    if session.is_signed:
        raise ValidationError("This note is already signed.")
    if session.is_handed_over:
        raise ValidationError(HANDED_OVER)
    if session.is_discarded:
        raise ValidationError("This draft was discarded; it cannot be signed.")
    if session.clinician_id != by.pk:
        raise ValidationError("Only the author can sign this note.")
    if session.version != expected_version:
        raise VersionConflict(session)
    problems = sign_problems(session)
    if problems:
        raise ValidationError([p.message for p in problems])
    session.status = SessionStatus.SIGNED
    session.signed_at = timezone.now()
    if by.requires_cosign:
        session.review_status = ReviewStatus.WAITING
    session.version += 1
    session.save()
    audit.record(actor=by, action=Action.SIGN, obj=session)
    return session


@transaction.atomic
def therapy_session_switch_format(
    *, session: TherapySession, by: User, note_format: str
) -> TherapySession:
    """Move a draft to another note format, carrying its text along: each
    section goes to the new format's corresponding section (sessions.formats,
    joined after any text already there), and a section with no counterpart
    stays in the draft as a leftover, shown above the form until it is moved or
    cleared (signing waits for that). Nothing typed is dropped. Raises
    ValidationError as therapy_session_save_draft does for a note `by` may not
    change."""
    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    _check_writable(session, by)
    if note_format == session.note_format:
        return session
    stored = session.sections or {}
    # The old format's order first, then earlier leftovers: joined text reads in
    # the order it was written (a JSON object keeps no order in PostgreSQL).
    order = [s.key for s in session.format_sections]
    order += [key for key in stored if key not in order]
    moved: dict[str, str] = {}
    for key in order:
        text = str(stored.get(key, ""))
        if not text.strip():
            continue
        target = corresponding_key(key, note_format) or key
        moved[target] = f"{moved[target]}\n\n{text}" if target in moved else text
    session.note_format = note_format
    session.sections = {
        **{s.key: "" for s in sections_for(note_format)},
        **moved,
    }
    session.version += 1
    _index_words(session)
    session.save()
    audit.record(actor=by, action=Action.UPDATE, obj=session)
    return session


@transaction.atomic
def therapy_session_discard(*, session: TherapySession, by: User) -> TherapySession:
    """Discard a draft: it is kept, locked (PostgreSQL refuses any later change,
    migration `lock_discarded_drafts`), marked with who discarded it and when,
    and counted nowhere (drafts lists and figures, search, last contact). The
    goal ratings it held leave the goals' histories and are kept in the draft
    (`discarded_ratings`). Never deleted. Raises ValidationError for a note `by`
    may not change (_check_writable: signed, discarded, handed over, or someone
    else's)."""
    session = TherapySession.objects.select_for_update().get(pk=session.pk)
    _check_writable(session, by)
    ratings = list(session.goal_ratings.order_by("created_at", "pk"))
    session.discarded_ratings = [
        {
            "goal": str(r.goal_id),
            "score": r.score,
            "comment": r.comment,
            "rated_on": r.rated_on.isoformat(),
        }
        for r in ratings
    ]
    _save_ratings(session, by, {r.goal_id: None for r in ratings})
    # Ticks given in this draft to earlier follow-ups go with it: a discarded
    # draft counts nowhere, so what it closed is open again. Its own
    # follow-ups are kept with it and counted nowhere (FollowUp.objects.live).
    for follow_up in FollowUp.objects.filter(done_in=session).exclude(session=session):
        _reopen_fields(follow_up)
        follow_up.save()
        _audit_follow_up(by, follow_up, Action.REOPEN)
    session.status = SessionStatus.DISCARDED
    session.discarded_at = timezone.now()
    session.discarded_by = by
    session.version += 1
    session.save()
    audit.record(actor=by, action=Action.DISCARD, obj=session)
    return session


@transaction.atomic
def addendum_add(
    *,
    session: TherapySession,
    by: User,
    reason: str,
    text: str,
    form_token: uuid.UUID | None = None,
) -> Addendum:
    """Add an addendum to a signed note (the way to correct one). A re-sent form
    (same token, same note, same author, same words) returns the addendum it
    already made; the same token with other words raises FormAlreadyUsed, and
    a token seen on another note makes a new addendum here. Raises
    ValidationError for a draft or empty text."""
    typed = {"reason": reason.strip(), "text": text.strip()}

    def create() -> Addendum:
        if not session.is_signed:
            raise ValidationError(
                "A draft can still be edited; addenda are for signed notes."
            )
        addendum = Addendum(session=session, author=by, form_token=form_token, **typed)
        addendum.full_clean()
        addendum.save()
        audit.record(actor=by, action=Action.ADDENDUM, obj=session)
        if session.review_status == ReviewStatus.RETURNED:
            # The clinician's answer to the supervisor's comments: back to the
            # queue. PostgreSQL moves it, as a consequence of the addendum row
            # (migration `review_status_from_reviews`); the app cannot.
            session.review_status = ReviewStatus.WAITING
        return addendum

    addendum, _ = create_once(
        earlier=Addendum.objects.filter(session=session, author=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already added an addendum, shown on the note. To "
        "add this one as well, check it and press Add the addendum again.",
    )
    return addendum


def hand_over_problem(session: TherapySession, by: User) -> str:
    """Why `by` cannot hand `session` to its client's clinician, or "" when they
    can. `session.clinician` and `session.client.clinician` must be loaded."""
    author, taker = session.clinician, session.client.clinician
    if not supervises(by, author):
        return "Only the author's supervisor can hand this draft over."
    if session.is_signed:
        return "This note is signed; it stays its author's."
    if session.is_handed_over:
        return "This draft has already been handed over."
    if session.is_discarded:
        return "This draft was discarded; it is kept as it was."
    if taker.pk == author.pk:
        return (
            f"The client is still on {author.name}'s caseload. Move the client to "
            "their new clinician first, then hand the draft over."
        )
    if not taker.is_active:
        return f"{taker.name} is deactivated. Move the client to someone active first."
    return ""


@transaction.atomic
def therapy_session_hand_over(*, session: TherapySession, by: User) -> TherapySession:
    """Hand a draft its author cannot finish to the client's current clinician,
    who completes it as their own note: a new draft of theirs with the original
    details, sections, check-in and goal ratings (the client's, moved rather
    than copied so that no rating counts twice). The old draft is kept as it
    was, marked handed over (by whom, when, to which draft) and waits on nobody.

    `session` must already be scoped (TherapySession.objects.visible_to(by)).
    Raises ValidationError (see hand_over_problem): `by` is not the author's
    supervisor, the note is signed or already handed over, the client has not
    moved on from its author, or its clinician is deactivated."""
    session = (
        TherapySession.objects.select_for_update()
        .select_related("clinician", "client__clinician")
        .get(pk=session.pk)
    )
    problem = hand_over_problem(session, by)
    if problem:
        raise ValidationError(problem)
    taken = TherapySession(
        client=session.client,
        clinician=session.client.clinician,
        sections=dict(session.sections or {}),
        **{name: getattr(session, name) for name in HAND_OVER_FIELDS},
    )
    taken.full_clean(exclude=["search_vector"])
    taken.save()
    GoalRating.objects.filter(session=session).update(session=taken)
    # What was agreed, and the ticks given in the draft, move with its text
    # (while it is still an open draft: PostgreSQL locks them after).
    FollowUp.objects.filter(session=session).update(session=taken)
    FollowUp.objects.filter(done_in=session).update(done_in=taken)
    session.handed_over_to = taken
    session.handed_over_at = timezone.now()
    session.handed_over_by = by
    # An edit page still open on the old draft now meets a version conflict.
    session.version += 1
    # Kept as it was, words included: found by what it held when handed over.
    _index_words(session)
    session.save()
    audit.record(actor=by, action=Action.HAND_OVER, obj=session)
    audit.record(actor=by, action=Action.CREATE, obj=taken)
    return taken


def _reviewable(session: TherapySession, by: User) -> TherapySession:
    """The note, locked, when `by` is its author's supervisor."""
    session = (
        TherapySession.objects.select_for_update()
        .select_related("clinician")
        .get(pk=session.pk)
    )
    if not supervises(by, session.clinician):
        raise ValidationError("Only the author's supervisor can review this note.")
    return session


def _repeated_return(session: TherapySession, by: User, comment: str) -> Review | None:
    """The return a repeated submit (a double click, a re-sent form) already
    made: `by`'s own latest review of this note, returning it with these very
    comments, and the note still returned."""
    latest = session.reviews.order_by("-created_at", "-pk").first()
    if (
        latest is not None
        and latest.reviewer_id == by.pk
        and latest.decision == ReviewDecision.RETURNED
        and latest.comment == comment
        and session.review_status == ReviewStatus.RETURNED
    ):
        return latest
    return None


def _check_waiting(session: TherapySession) -> None:
    if session.review_status != ReviewStatus.WAITING:
        raise ValidationError(
            f"This note is not waiting for co-signature "
            f"({session.get_review_status_display().lower()})."
        )


@transaction.atomic
def review_cosign(*, session: TherapySession, by: User) -> Review:
    """Co-sign a signed note waiting in `by`'s queue. Raises ValidationError when
    `by` is not the author's supervisor (their own note included) or the note is
    not waiting (already co-signed, a repeated click included; returned and not
    yet answered; or a draft)."""
    session = _reviewable(session, by)
    _check_waiting(session)
    # The review row moves the note to co-signed, in PostgreSQL (migration
    # `review_status_from_reviews`): the only way its review status changes.
    review = Review.objects.create(
        session=session, reviewer=by, decision=ReviewDecision.COSIGNED
    )
    session.review_status = ReviewStatus.COSIGNED
    audit.record(actor=by, action=Action.COSIGN, obj=session)
    return review


@transaction.atomic
def review_return(*, session: TherapySession, by: User, comment: str) -> Review:
    """Return a waiting note to its author with comments; the author answers with
    an addendum, which puts it back in the queue. A repeat (the note still
    returned by `by` with these very comments) returns that review. Same rules
    as review_cosign; a comment is required."""
    comment = comment.strip()
    if not comment:
        raise ValidationError("Write a comment for the clinician.")
    session = _reviewable(session, by)
    earlier = _repeated_return(session, by, comment)
    if earlier is not None:
        return earlier
    _check_waiting(session)
    review = Review.objects.create(
        session=session,
        reviewer=by,
        decision=ReviewDecision.RETURNED,
        comment=comment,
    )
    session.review_status = ReviewStatus.RETURNED  # set by PostgreSQL, as above
    audit.record(actor=by, action=Action.RETURN, obj=session)
    return review


def note_preference_set(*, clinician: User, note_format: str) -> None:
    NotePreference.objects.update_or_create(
        clinician=clinician, defaults={"note_format": note_format}
    )


_PREFERENCE = CompiledOnce()


def default_note_format(clinician: User) -> str | None:
    """The note format `clinician` chose as their default, if any (compiled
    once: every new note's form reads it)."""
    found = _PREFERENCE.rows(
        "note format",
        lambda: NotePreference.objects.filter(clinician_id=STAND_IN_ID).values_list(
            "note_format"
        )[:1],
        {STAND_IN_ID: clinician.pk},
    )
    return found[0][0] if found else None


# --- SUD counseling notes (42 CFR 2.11; docs/design.md, "Counseling notes") ---

COUNSELING_NOTE = "counseling_note"
COUNSELING_CHANGED_ELSEWHERE = (
    "This counseling note was changed in another tab since this page opened. "
    "Your text is still here: copy it, open the note again and add it."
)


def counseling_note_audit(
    *,
    actor: User,
    action: str,
    note_id: object,
    client_id: object | None,
    outcome: str = Outcome.ALLOWED,
) -> None:
    """An audit event about a counseling note: its id, and its client's id in
    `detail` (whose record it is, for a breach review) rather than in
    `client_id`, so the client's access history, which its care team's
    supervisors read, never shows that a counseling note exists. Ids only."""
    audit.record(
        actor=actor,
        action=action,
        object_type=COUNSELING_NOTE,
        object_id=str(note_id),
        outcome=outcome,
        detail={"clients": [] if client_id is None else [str(client_id)]},
    )


@transaction.atomic
def counseling_note_create(
    *,
    client: Client,
    by: User,
    text: str,
    session: TherapySession | None = None,
    form_token: uuid.UUID | None = None,
) -> CounselingNote:
    """A counseling note by `by` about `client` (whom the caller has opened as
    its primary clinician), optionally tied to one of `by`'s own sessions
    with that client. A re-sent form (same token, same words) returns the note
    it already made; the same token with other words raises FormAlreadyUsed.
    Raises ValidationError for empty or too long text, or someone else's
    session. PostgreSQL keeps its first version (CounselingNoteRevision)."""
    text = text.strip()
    typed = {"text": text, "session": session}
    if session is not None and (
        session.client_id != client.pk or session.clinician_id != by.pk
    ):
        raise ValidationError("Choose one of your own sessions with this client.")

    def create() -> CounselingNote:
        _check_counseling_text(text)
        note = CounselingNote(
            client=client,
            author=by,
            form_token=form_token,
            text=text,
            session=session,
        )
        note.full_clean()
        note.save()
        counseling_note_audit(
            actor=by, action=Action.CREATE, note_id=note.pk, client_id=client.pk
        )
        return note

    note, _ = create_once(
        earlier=CounselingNote.objects.filter(author=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already saved a counseling note. To save this one "
        "as well, check it and press Save again.",
    )
    return note


@transaction.atomic
def counseling_note_update(
    *, note: CounselingNote, by: User, text: str, expected_version: int | None
) -> CounselingNote:
    """A new version of `by`'s own counseling note (the earlier ones stay, kept
    by PostgreSQL). Raises ValidationError when `by` is not its author, the
    text is empty or too long, or the note changed since the form was opened
    (another tab): nothing is overwritten. The same text again changes
    nothing."""
    if note.author_id != by.pk:
        raise ValidationError("Only its author changes a counseling note.")
    text = text.strip()
    _check_counseling_text(text)
    if expected_version is not None and expected_version != note.version:
        raise ValidationError(COUNSELING_CHANGED_ELSEWHERE)
    if text == note.text:
        return note
    changed = CounselingNote.objects.filter(pk=note.pk, version=note.version).update(
        text=text, version=F("version") + 1, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError(COUNSELING_CHANGED_ELSEWHERE)
    note.refresh_from_db()
    counseling_note_audit(
        actor=by, action=Action.UPDATE, note_id=note.pk, client_id=note.client_id
    )
    return note


def _check_counseling_text(text: str) -> None:
    if not text:
        raise ValidationError("Write the counseling note before saving it.")
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationError(too_long_message(len(text)))


@transaction.atomic
def checkin_record(
    *,
    session: TherapySession,
    by: User,
    answers: Mapping[str, int | None],
    words: str,
    entered_how: EnteredHow | str,
    form_token: uuid.UUID | None = None,
) -> RelationshipCheckIn:
    """Record the person's relationship check-in after `session` (its note a
    draft or signed): `answers` maps item keys (sessions.checkin_items.KEYS)
    to 0–10 or None (left unanswered; missing keys are unanswered too),
    `words` their few words for the clinician, `entered_how` whose hand typed
    it. `by` is the note's author or the client's primary clinician (the one
    who handed the device over, for the client's screen). A re-sent form
    (same token, same answers) returns the check-in it made; the same token
    with other answers raises FormAlreadyUsed. Raises ValidationError for an
    unknown item, an answer outside 0–10, a discarded or handed-over note, or
    someone else's note. Audited as a create on the client."""
    unknown = set(answers) - set(CHECKIN_KEYS)
    if unknown:
        raise ValidationError(f"Unknown check-in items: {', '.join(sorted(unknown))}.")
    if by.pk not in (session.clinician_id, session.client.clinician_id):
        raise ValidationError("Only the note's author records a check-in on it.")
    if session.is_discarded or session.handed_over_at is not None:
        raise ValidationError(
            "This note was set aside; add the check-in to the note that counts."
        )
    typed: dict[str, Any] = {key: answers.get(key) for key in CHECKIN_KEYS}
    typed.update(words=words.strip(), entered_how=EnteredHow(entered_how))

    def create() -> RelationshipCheckIn:
        checkin = RelationshipCheckIn(
            session=session,
            client_id=session.client_id,
            entered_by=by,
            form_token=form_token,
            **typed,
        )
        checkin.full_clean()
        checkin.save()
        audit.record(actor=by, action=Action.CREATE, obj=checkin)
        return checkin

    checkin, _ = create_once(
        earlier=RelationshipCheckIn.objects.filter(session=session, entered_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already saved a check-in, shown on the note. To "
        "save this one as well, check it and press Save again.",
    )
    return checkin
