"""Fill a database with obviously fictional records at the scale of a large service
(issue #11): staff in supervision teams, clients, a million session notes, goals
and ratings, and (issue #21) two appointments a week for a year per active
client. Used by `manage.py seed_scale` and, through it, by `make bench`.

Rows go in with PostgreSQL COPY from in-memory text buffers, never per-row ORM
saves. The session and appointment tables' secondary indexes are dropped for a
big load and built once at the end, which is several times faster than
maintaining them row by row. Everything happens in one transaction: a failed or
interrupted load leaves the database as it was (indexes included).

Every name and every word of note text is made up. Note text is drawn from a
vocabulary of a few thousand words (a few hundred real ones about the work, the
rest invented) with a Zipf distribution, so full-text search has realistic
selectivity: common words match most notes, rare ones a fraction of a percent.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

USERNAME_PREFIX = "scale-"
# The one password of every scale-* account, documented in the README. These
# accounts exist only in a benchmark database full of fictional records.
SCALE_PASSWORD = "scale-benchmark-only"

SEED = 11
SESSION_TABLE = "therapy_sessions_therapysession"
# The triggers that refuse rows written as their end state (migrations goals
# `append_only_history`, therapy_sessions `review_status_from_reviews`): a
# rating in a signed note, a review of a note already co-signed or returned.
END_STATE_REFUSED_BY = (
    ("goals_goalrating", "goals_rating_only_in_open_drafts"),
    ("therapy_sessions_review", "therapy_sessions_review_moves_note"),
)
# Below this many sessions the load is small enough that dropping and rebuilding
# the session table's indexes costs more than it saves (and tests stay simple).
REBUILD_INDEXES_FROM = 50_000
BATCH = 20_000

Progress = Callable[[str, int, int], None]


class ScaleError(Exception):
    """The database is not in a state seed_scale may fill (see check_database)."""


@dataclass(frozen=True)
class Sizes:
    staff: int = 200
    clients: int = 20_000
    sessions: int = 1_000_000
    goals: int = 60_000
    ratings_per_goal: int = 4
    # About three months of a busy service's record openings, for the audit report.
    audit_events: int = 300_000
    # Per active client, for a year (issue #21); one weekly series each.
    appointments_per_week: int = 2


@dataclass(frozen=True)
class Counts:
    admins: int
    supervisors: int
    clinicians: int
    clients: int
    sessions: int
    drafts: int
    reviews: int
    goals: int
    ratings: int
    audit_events: int = 0
    appointment_series: int = 0
    appointments: int = 0


# ---------------------------------------------------------------------------
# Vocabulary

REAL_WORDS = """
housing shelter sleep naloxone kit fentanyl strips testing supplies overdose
sister brother mother father friend partner dog cat neighbour landlord doctor
nurse clinic pharmacy methadone buprenorphine prescription appointment letter
benefits application form deadline court lawyer probation job interview course
forklift kitchen cooking laundry phone charger bus ticket wallet keys bag
weekend weekday morning evening night winter summer rain cold heat blanket
tent camp park bridge library drop-in outreach van lunch breakfast coffee tea
anxiety worry panic anger grief loss loneliness boredom hope pride relief
craving cutting break pause plan buddy alone together safe safer careful slow
smaller dose tolerance mixing alcohol cannabis stimulant opioid pill injecting
smoking snorting needle syringe exchange sharps bin wound leg arm abscess
infection dressing fever cough tooth dentist glasses hearing memory headache
back pain sleepless nightmares dreams music guitar drawing painting reading
writing poetry football walking running swimming garden plants cooking baking
birthday anniversary funeral wedding visit move moving packing storage locker
voicemail texts email contact number address mail post office identity card
paperwork bank account rent deposit arrears council waiting list caseworker
advocate volunteer peer group meeting circle session check-in follow-up
referral counselling therapy support listening laughing crying shouting quiet
tired hungry thirsty warm dry clean shower haircut clothes shoes socks coat
hat gloves scarf umbrella bicycle scooter train taxi walk distance late early
missed rebooked cancelled rescheduled confirmed reminder calendar diary notes
goals progress setback slip lapse steady stable better worse same mixed
confident unsure curious open guarded cheerful flat irritable calm restless
""".split()

SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko ku la le li lo lu ma me "
    "mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to "
    "tu va ve vi vo za ze zi zo zu bren quas tiv lorn mesk drav sulp wint grel"
).split()


def vocabulary(size: int = 3_000) -> list[str]:
    """The vocabulary, most frequent first: the real words spread through it, the
    rest invented (e.g. "zorbel"), so no note can be mistaken for a real one."""
    rng = random.Random(SEED)
    invented: set[str] = set()
    while len(invented) < size - len(REAL_WORDS):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        if word not in REAL_WORDS:
            invented.add(word)
    words = sorted(invented)
    rng.shuffle(words)
    # Every fourth of the most frequent words is a real one, so notes read a
    # little like notes and the benchmark can search for a real word.
    for n, real in enumerate(dict.fromkeys(REAL_WORDS)):
        words.insert(n * 4, real)
    return words[:size]


def _cum_weights(n: int) -> list[float]:
    total = 0.0
    out = []
    for rank in range(1, n + 1):
        total += 1.0 / rank  # Zipf, s = 1
        out.append(total)
    return out


def typical_search_term() -> str:
    """A real word that appears in about 1% of notes (vocabulary rank ~1000):
    the benchmark's search, a realistic mid-selectivity query."""
    words = vocabulary()
    real = set(REAL_WORDS)
    return min(
        (w for w in words if w in real), key=lambda w: abs(words.index(w) - 1_000)
    )


def common_search_term() -> str:
    """A word in nearly every note: the vocabulary's most frequent word (a real
    one, "housing"). The search's worst case: every note in scope matches."""
    return vocabulary()[0]


class NoteWriter:
    """Builds note sections from the vocabulary."""

    SECTION_KEYS = {
        "hr": ("brought", "did", "response", "safety", "next"),
        "dap": ("data", "assessment", "plan"),
        "soap": ("subjective", "objective", "assessment", "plan"),
    }

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()
        self.cum = _cum_weights(len(self.words))

    def sentence(self) -> str:
        words = self.rng.choices(
            self.words, cum_weights=self.cum, k=self.rng.randint(5, 11)
        )
        return " ".join(words).capitalize() + "."

    def sections(self, note_format: str) -> dict[str, str]:
        return {
            key: " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))
            for key in self.SECTION_KEYS[note_format]
        }


# ---------------------------------------------------------------------------
# COPY helpers


def _text(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _copy(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    label: str,
    total: int,
    progress: Progress,
) -> int:
    """COPY `rows` into `table` in batches, reporting progress. Returns the count."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    done = 0
    buffer = io.StringIO()
    in_buffer = 0

    def flush() -> None:
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(map(_text, row)))
        buffer.write("\n")
        in_buffer += 1
        if in_buffer == BATCH:
            flush()
            done += in_buffer
            in_buffer = 0
            progress(label, done, total)
    if in_buffer or not done:
        flush()
        done += in_buffer
        progress(label, done, total)
    return done


# ---------------------------------------------------------------------------
# Checks


def scale_data_present() -> bool:
    from staff.models import User

    return User.objects.filter(username__startswith=USERNAME_PREFIX).exists()


def check_database(*, force: bool) -> None:
    """Raise ScaleError when this database already holds scale data (a second run
    would double it) or, unless `force`, any other data (seed_scale is for an
    empty benchmark database, never a real or demo one)."""
    from clients.models import Client
    from staff.models import User

    if scale_data_present():
        raise ScaleError(
            "This database already holds scale data (scale-* staff). seed_scale "
            "runs once per database; use a fresh database to seed again."
        )
    if not force and (User.objects.exists() or Client.objects.exists()):
        raise ScaleError(
            "This database already holds staff or clients that seed_scale did "
            "not create. Use an empty database, or --force to add to it anyway."
        )


# ---------------------------------------------------------------------------
# The load


def _staff(sizes: Sizes, rng: random.Random) -> tuple[list[Any], list[Any], int]:
    """Admins, supervisors and clinicians (each clinician supervised). Returns
    (supervisors, clinicians, admin count). 200 staff: 5 admins, 20 supervisors
    and 175 clinicians, about 9 supervisees each; 15% need co-signature."""
    from staff.models import Role, User

    admins = max(1, sizes.staff // 40)
    supervisors = max(1, round(sizes.staff / 10))
    clinicians = max(1, sizes.staff - admins - supervisors)
    password = make_password(SCALE_PASSWORD)  # hashed once, shared by every row
    joined = timezone.now() - datetime.timedelta(days=900)

    def user(username: str, role: str, number: int, **extra: Any) -> Any:
        return User(
            username=username,
            password=password,
            display_name=f"{role.title()} {number:03d} (scale)",
            role=role,
            date_joined=joined,
            **extra,
        )

    User.objects.bulk_create(
        [
            user(f"{USERNAME_PREFIX}admin-{n:02d}", Role.ADMIN, n)
            for n in range(1, admins + 1)
        ]
    )
    sups = User.objects.bulk_create(
        [
            user(f"{USERNAME_PREFIX}supervisor-{n:02d}", Role.SUPERVISOR, n)
            for n in range(1, supervisors + 1)
        ]
    )
    clins = User.objects.bulk_create(
        [
            user(
                f"{USERNAME_PREFIX}clinician-{n:03d}",
                Role.CLINICIAN,
                n,
                supervisor=sups[(n - 1) % len(sups)],
                requires_cosign=rng.random() < 0.15,
            )
            for n in range(1, clinicians + 1)
        ]
    )
    return sups, clins, admins


CLIENT_COLUMNS = (
    "id chosen_name pronouns aliases legal_name date_of_birth phone email "
    "voicemail_ok texts_ok safe_times code_word contact_notes clinician_id "
    "intake_date status closed_reason closed_on created_at updated_at"
).split()
SESSION_COLUMNS = (
    "id client_id clinician_id started_at duration_minutes modality location "
    "note_format sections naloxone_on_hand naloxone_doses_given test_strips_given "
    "other_supplies overdoses_experienced overdoses_witnessed naloxone_used "
    "referrals status signed_at review_status version form_token created_at "
    "updated_at"
).split()
NAMES = (
    "Ash Birch Cedar Dune Ember Fern Gale Heath Iris Juniper Kestrel Lark Moss "
    "Nova Oak Pebble Quill Reed Sage Tansy Umber Vale Willow Yarrow Zephyr"
).split()
MODALITIES = ["in_person"] * 5 + ["phone", "video", "outreach", "drop_in", "group"]


@dataclass
class _Client:
    id: uuid.UUID
    clinician_id: int
    requires_cosign: bool
    supervisor_id: int | None
    intake: datetime.date
    status: str
    sessions: int


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` uneven whole numbers that add up exactly."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _clients(
    sizes: Sizes, holders: list[Any], rng: random.Random, today: datetime.date
) -> list[_Client]:
    weights = [0.5 if h.role == "supervisor" else 1.0 for h in holders]
    owners = rng.choices(holders, weights=weights, k=sizes.clients)
    per_client = _split(sizes.sessions, sizes.clients, rng) if sizes.clients else []
    out = []
    for owner, sessions in zip(owners, per_client, strict=True):
        roll = rng.random()
        status = "active" if roll < 0.8 else "paused" if roll < 0.9 else "closed"
        out.append(
            _Client(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                clinician_id=owner.pk,
                requires_cosign=owner.requires_cosign,
                supervisor_id=owner.supervisor_id,
                intake=today - datetime.timedelta(days=rng.randint(200, 1400)),
                status=status,
                sessions=sessions,
            )
        )
    return out


def _client_rows(
    clients: list[_Client],
    rng: random.Random,
    now: datetime.datetime,
    *,
    first: int = 1,
) -> Iterator[list[Any]]:
    today = now.date()
    for n, c in enumerate(clients, start=first):
        closed = c.status == "closed"
        yield [
            c.id,
            f"{rng.choice(NAMES)} Scale-{n:05d}",
            rng.choice(["she/her", "he/him", "they/them", ""]),
            "",
            "",
            None,
            f"555-01{n % 100:02d}" if rng.random() < 0.6 else "",
            "",
            rng.choice([True, False, None]),
            rng.choice([True, False, None]),
            rng.choice(["Weekday mornings", "After 6 pm", "Any time", ""]),
            "",
            "",
            c.clinician_id,
            c.intake,
            c.status,
            "client_chose" if closed else "",
            today - datetime.timedelta(days=rng.randint(0, 30)) if closed else None,
            now,
            now,
        ]


def _session_rows(
    clients: list[_Client],
    rng: random.Random,
    now: datetime.datetime,
    reviews: list[list[Any]],
    drafts: list[int],
) -> Iterator[list[Any]]:
    """Every client's sessions, oldest first, between intake and now (closed
    clients: until a month ago). Signed, except a third of clients' latest
    session which is a draft. Co-signed, returned or waiting notes for clinicians
    who need co-signature, with their Review rows appended to `reviews`."""
    writer = NoteWriter(rng)
    formats = ["hr"] * 8 + ["dap", "soap"]
    for c in clients:
        start = datetime.datetime.combine(
            c.intake, datetime.time(9), tzinfo=datetime.UTC
        )
        end = now - datetime.timedelta(days=30 if c.status == "closed" else 0)
        span = max((end - start).total_seconds(), 3600.0)
        times = sorted(rng.random() * span for _ in range(c.sessions))
        for i, offset in enumerate(times):
            started = start + datetime.timedelta(seconds=offset)
            sid = uuid.UUID(int=rng.getrandbits(128), version=4)
            is_draft = i == c.sessions - 1 and rng.random() < 0.33
            note_format = rng.choice(formats)
            review = ""
            signed_at = None
            if not is_draft:
                signed_at = started + datetime.timedelta(hours=rng.uniform(1, 30))
                if c.requires_cosign:
                    from_end = c.sessions - i
                    review = (
                        "waiting"
                        if from_end <= 2
                        else "returned"
                        if from_end == 3
                        else "cosigned"
                    )
                    if review != "waiting" and rng.random() < 0.5:
                        reviews.append(
                            [
                                sid,
                                c.supervisor_id,
                                review,
                                "Please add the safety plan."
                                if review == "returned"
                                else "",
                                signed_at + datetime.timedelta(days=1),
                            ]
                        )
            else:
                drafts[0] += 1
            yield [
                sid,
                c.id,
                c.clinician_id,
                started,
                rng.choice([30, 45, 50, 60]),
                rng.choice(MODALITIES),
                "",
                note_format,
                json.dumps(writer.sections(note_format), ensure_ascii=False),
                rng.choice([True, None]),
                None,
                rng.choice([None, 0, 5]),
                "",
                None,
                None,
                None,
                "",
                "draft" if is_draft else "signed",
                signed_at,
                review,
                1,
                None,
                started,
                signed_at or started,
            ]


def _goal_rows(
    clients: list[_Client],
    sizes: Sizes,
    rng: random.Random,
    today: datetime.date,
    now: datetime.datetime,
    revisions: list[list[Any]],
    ratings: list[list[Any]],
) -> Iterator[list[Any]]:
    writer = NoteWriter(rng)
    areas = ["safer_use", "changing_use", "health", "housing", "relationships"]
    per_client = _split(sizes.goals, len(clients), rng) if clients else []
    for c, count in zip(clients, per_client, strict=True):
        for _ in range(count):
            gid = uuid.UUID(int=rng.getrandbits(128), version=4)
            set_on = c.intake + datetime.timedelta(
                days=rng.randint(0, (today - c.intake).days)
            )
            roll = rng.random()
            status = (
                "active" if roll < 0.7 else "reached" if roll < 0.85 else "set_aside"
            )
            wording = writer.sentence()
            created = datetime.datetime.combine(
                set_on, datetime.time(10), tzinfo=datetime.UTC
            )
            revisions.append([gid, wording, "", c.clinician_id, created])
            days = max((today - set_on).days, 1)
            for r in range(sizes.ratings_per_goal):
                rated = set_on + datetime.timedelta(
                    days=days * r // sizes.ratings_per_goal
                )
                ratings.append(
                    [gid, min(10, 2 + r + rng.randint(0, 3)), rated, "", None,
                     c.clinician_id, now]
                )  # fmt: skip
            yield [
                gid,
                c.id,
                wording,
                "",
                rng.choice(areas),
                status,
                set_on,
                None if status == "active" else today,
                None,
                c.clinician_id,
                created,
                now,
            ]


AUDIT_COLUMNS = (
    "occurred_at actor_id actor_role action object_type object_id client_id "
    "outcome result_count source_ip user_agent request_id prev_hash hash"
).split()
AUDIT_AGENT = "Mozilla/5.0 (X11; Linux x86_64) hr_clinic-scale"


def _audit_rows(
    clients: list[_Client], sizes: Sizes, rng: random.Random, now: datetime.datetime
) -> Iterator[list[Any]]:
    """Record openings by each client's clinician over the last 90 days, oldest
    first, with some lists and sign-ins between them (ids only)."""
    span = datetime.timedelta(days=90).total_seconds()
    for n in range(sizes.audit_events):
        client = clients[rng.randrange(len(clients))]
        at = now - datetime.timedelta(seconds=span * (1 - n / sizes.audit_events))
        roll = rng.random()
        client_id: uuid.UUID | None = None
        if roll < 0.75:
            action, kind, object_id = "read", "client", str(client.id)
            client_id = client.id
        elif roll < 0.95:
            action, kind, object_id = "list", "client", ""
        else:
            action, kind, object_id = "sign_in", "staff", str(client.clinician_id)
        yield [
            at,
            client.clinician_id,
            "clinician",
            action,
            kind,
            object_id,
            client_id,
            "allowed",
            rng.randint(1, 60) if action == "list" else None,
            f"192.0.2.{rng.randint(1, 250)}",  # a documentation-only range
            AUDIT_AGENT,
            f"{rng.getrandbits(128):032x}",
            "",
            "",
        ]


@contextlib.contextmanager
def _indexes_built_after(
    cursor: Any, table: str, *, rows: int, label: str, progress: Progress
) -> Iterator[None]:
    """For a load of `rows` into `table`: from REBUILD_INDEXES_FROM rows, its
    secondary indexes are dropped before and each built once after, several
    times faster than maintaining them row by row."""
    dropped = _secondary_indexes(cursor, table) if rows >= REBUILD_INDEXES_FROM else []
    for name, _ in dropped:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for n, (_, statement) in enumerate(dropped, start=1):
        cursor.execute(statement)
        progress(label, n, len(dropped))


def _quiet(label: str, done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------
# Appointments (issue #21)

APPOINTMENT_TABLE = "appointments_appointment"
SERIES_TABLE = "appointments_appointmentseries"
# Sizes.appointments_per_week weekly series per active client (two: issue #21's
# scale), one year back from now and a few weeks into the coming ones.
WEEKS_BACK = 52
WEEKS_AHEAD = 4
# Working hours, Monday to Friday, in the service's time zone: a start every
# quarter hour from 9:00 to 16:00.
WORKDAYS = 5
STARTS = [datetime.time(h, m) for h in range(9, 17) for m in (0, 15, 30, 45)][:-3]
SERIES_COLUMNS = (
    "id client_id clinician_id repeat first_date local_time weekday time_zone "
    "until count created_by_id created_at updated_at"
).split()
APPOINTMENT_COLUMNS = (
    "id client_id clinician_id starts_at duration_minutes modality place "
    "series_id outcome outcome_recorded_at outcome_recorded_by_id session_id "
    "rescheduled_to_id created_by_id created_at updated_at form_token"
).split()
# What happened at the ones whose time has passed: most met (no note linked,
# as when the note is written from the record), some the person didn't make
# it to, some cancelled, a few not recorded yet. Cumulative shares.
PAST_OUTCOMES = (
    (0.80, "met"),
    (0.90, "didnt_make_it"),
    (0.95, "cancelled_client"),
    (0.97, "cancelled_us"),
    (1.00, ""),
)
# Of the ones still to come, a few already cancelled by the person.
FUTURE_CANCELLED = 0.03


def appointments_present() -> bool:
    from appointments.models import Appointment

    return Appointment.objects.filter(
        clinician__username__startswith=USERNAME_PREFIX
    ).exists()


def _series_and_appointments(
    clients: list[tuple[uuid.UUID, int]],
    per_week: int,
    rng: random.Random,
    now: datetime.datetime,
    appointments: list[list[Any]],
) -> Iterator[list[Any]]:
    """Each active client's `per_week` weekly series (rows yielded), their
    occurrences appended to `appointments`: a wall-clock time on a weekday in
    the service's time zone, converted to UTC, as appointment_book does."""
    from django.conf import settings

    zone = timezone.get_default_timezone()
    today = timezone.localdate(now)
    first_day = today - datetime.timedelta(weeks=WEEKS_BACK)
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    for client_id, clinician_id in clients:
        for weekday in rng.sample(range(WORKDAYS), per_week):
            local_time = rng.choice(STARTS)
            duration = rng.choice((50, 50, 50, 30, 60))
            modality = rng.choice(MODALITIES)
            first = first_day + datetime.timedelta(
                days=(weekday - first_day.weekday()) % 7
            )
            dates = []
            day = first
            while day <= last_day:
                dates.append(day)
                day += datetime.timedelta(weeks=1)
            series_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            booked = datetime.datetime.combine(
                first - datetime.timedelta(days=rng.randint(1, 14)),
                datetime.time(12),
                tzinfo=zone,
            )
            for day in dates:
                starts = datetime.datetime.combine(day, local_time, tzinfo=zone)
                starts = starts.astimezone(datetime.UTC)
                ends = starts + datetime.timedelta(minutes=duration)
                outcome = ""
                if ends <= now:
                    roll = rng.random()
                    outcome = next(o for share, o in PAST_OUTCOMES if roll < share)
                elif rng.random() < FUTURE_CANCELLED:
                    outcome = "cancelled_client"
                recorded = None
                if outcome:
                    recorded = min(
                        now, ends + datetime.timedelta(minutes=rng.randint(5, 600))
                    )
                    if outcome == "cancelled_client" and ends > now:
                        recorded = now
                appointments.append(
                    [
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        client_id,
                        clinician_id,
                        starts,
                        duration,
                        modality,
                        "",
                        series_id,
                        outcome,
                        recorded,
                        clinician_id if outcome else None,
                        None,
                        None,
                        clinician_id,
                        booked,
                        recorded or booked,
                        None,
                    ]
                )
            yield [
                series_id,
                client_id,
                clinician_id,
                "weekly",
                first,
                local_time,
                weekday,
                settings.TIME_ZONE,
                None,
                len(dates),
                clinician_id,
                booked,
                now,
            ]


def _load_appointments(
    cursor: Any, per_week: int, now: datetime.datetime, progress: Progress
) -> tuple[int, int]:
    """`per_week` a week for a year for every active scale-* client (the
    clinician who holds them at seeding time books them), by COPY. Returns
    (series, appointments). Runs in the caller's transaction, with its
    settings for a bulk load."""
    from clients.models import Client, ClientStatus

    if per_week <= 0:
        return 0, 0
    if per_week > WORKDAYS:  # seed_scale checks before its load; this is for the rest
        raise ScaleError(f"At most {WORKDAYS} appointments a week (one a workday).")

    rng = random.Random(SEED + 21)  # its own stream: earlier tables stay as they were
    clients = list(
        Client.objects.filter(
            clinician__username__startswith=USERNAME_PREFIX,
            status=ClientStatus.ACTIVE,
        )
        .order_by("pk")
        .values_list("pk", "clinician_id")
    )
    appointments: list[list[Any]] = []
    series = _copy(
        cursor,
        SERIES_TABLE,
        SERIES_COLUMNS,
        _series_and_appointments(clients, per_week, rng, now, appointments),
        label="series",
        total=len(clients) * per_week,
        progress=progress,
    )
    with _indexes_built_after(
        cursor,
        APPOINTMENT_TABLE,
        rows=len(appointments),
        label="appt indexes",
        progress=progress,
    ):
        count = _copy(
            cursor,
            APPOINTMENT_TABLE,
            APPOINTMENT_COLUMNS,
            appointments,
            label="appointments",
            total=len(appointments),
            progress=progress,
        )
    for table in (SERIES_TABLE, APPOINTMENT_TABLE):
        cursor.execute(f"ANALYZE {table}")
    return series, count


def _bulk_load_settings(cursor: Any) -> bool:
    """This transaction's settings for a bulk load; True when the connection is
    a superuser's and the load runs without triggers and foreign-key checks
    (session_replication_role = replica: every id written is generated or read
    just before, so the checks could only pass). SET LOCAL: they end with the
    transaction."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    superuser = bool(cursor.fetchone()[0])
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    if superuser:
        cursor.execute("SET LOCAL session_replication_role = replica")
    return superuser


@transaction.atomic
def seed_appointments(
    *,
    per_week: int = Sizes.appointments_per_week,
    now: datetime.datetime | None = None,
    progress: Progress = _quiet,
) -> tuple[int, int]:
    """Add the scale appointments to a database seeded before they existed
    (issue #21), once: nothing when scale-* staff already have appointments.
    Returns (series, appointments) added. One transaction."""
    if not scale_data_present() or appointments_present():
        return 0, 0
    with connection.cursor() as cursor:
        _bulk_load_settings(cursor)
        return _load_appointments(cursor, per_week, now or timezone.now(), progress)


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of `table`'s indexes that back no
    constraint (the primary key and unique constraints stay)."""
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname
        """,
        [table],
    )
    return list(cursor.fetchall())


@transaction.atomic
def seed_scale(
    sizes: Sizes, *, force: bool = False, progress: Progress = _quiet
) -> Counts:
    """Fill this (empty) database with fictional scale data; see the module
    docstring. Raises ScaleError when check_database refuses. One transaction."""
    from staff.models import User

    check_database(force=force)
    if sizes.appointments_per_week > WORKDAYS:
        raise ScaleError(f"At most {WORKDAYS} appointments a week (one a workday).")
    rng = random.Random(SEED)
    now = timezone.now()
    today = now.date()
    with connection.cursor() as cursor:
        # As a superuser, the foreign-key checks and the triggers are skipped for
        # this bulk load of new rows only: every id written here was generated
        # just above, so the checks could only pass, and the rows are written as
        # their end state (signed notes with their ratings, reviews with the
        # note's review status already set), which the workflow triggers would
        # otherwise refuse (a rating into a signed note; a review of a note no
        # longer waiting).
        superuser = _bulk_load_settings(cursor)
        if not superuser:
            # The owner (`make test` on the embedded server): the workflow
            # triggers that would refuse rows written as their end state are
            # off for this load, switched on again before it ends.
            for table, trigger in END_STATE_REFUSED_BY:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")

        sups, clins, admins = _staff(sizes, rng)
        progress("staff", sizes.staff, sizes.staff)
        holders = list(
            User.objects.filter(pk__in=[u.pk for u in sups + clins]).order_by("pk")
        )
        clients = _clients(sizes, holders, rng, today)
        _copy(
            cursor,
            "clients_client",
            CLIENT_COLUMNS,
            _client_rows(clients, rng, now),
            label="clients",
            total=len(clients),
            progress=progress,
        )

        reviews: list[list[Any]] = []
        drafts = [0]
        with _indexes_built_after(
            cursor,
            SESSION_TABLE,
            rows=sizes.sessions,
            label="session indexes",
            progress=progress,
        ):
            sessions = _copy(
                cursor,
                SESSION_TABLE,
                SESSION_COLUMNS,
                _session_rows(clients, rng, now, reviews, drafts),
                label="sessions",
                total=sizes.sessions,
                progress=progress,
            )
        # The bulk load ran without triggers: set each client's latest signed
        # note's start as the trigger (therapy_sessions migration
        # last_contact_is_a_signed_note) would have.
        cursor.execute(
            "UPDATE clients_client c SET last_contact_at = s.latest FROM ("
            " SELECT client_id, max(started_at) AS latest"
            " FROM therapy_sessions_therapysession"
            " WHERE status = 'signed' AND started_at <= now() GROUP BY client_id) s"
            " WHERE s.client_id = c.id"
        )
        progress("last contacts", 1, 1)
        # And the program figures' summary of signed notes (reports
        # migration `count_signed_notes`), built whole from the notes.
        cursor.execute(
            "SELECT reports_rebuild_session_months(%s)", [settings.TIME_ZONE]
        )
        progress("figures summary", 1, 1)
        _copy(
            cursor,
            "therapy_sessions_review",
            ["session_id", "reviewer_id", "decision", "comment", "created_at"],
            reviews,
            label="reviews",
            total=len(reviews),
            progress=progress,
        )

        revisions: list[list[Any]] = []
        ratings: list[list[Any]] = []
        goals = _copy(
            cursor,
            "goals_goal",
            "id client_id wording why_it_matters area status set_on "
            "status_changed_on replaced_by_id created_by_id created_at "
            "updated_at".split(),
            _goal_rows(clients, sizes, rng, today, now, revisions, ratings),
            label="goals",
            total=sizes.goals,
            progress=progress,
        )
        _copy(
            cursor,
            "goals_goalrevision",
            ["goal_id", "wording", "why_it_matters", "revised_by_id", "revised_at"],
            revisions,
            label="goal revisions",
            total=len(revisions),
            progress=progress,
        )
        rating_count = _copy(
            cursor,
            "goals_goalrating",
            "goal_id score rated_on comment session_id recorded_by_id "
            "created_at".split(),
            ratings,
            label="ratings",
            total=len(ratings),
            progress=progress,
        )
        appointment_series, appointments = _load_appointments(
            cursor, sizes.appointments_per_week, now, progress
        )
        # The audit trail goes in with its triggers on (session_replication_role
        # back to origin): the database numbers and hash-chains every row, as it
        # does for the app's own events, so verify_audit holds on the seeded data.
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            # No table is altered while foreign-key checks are still queued.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in END_STATE_REFUSED_BY:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        audit_events = _copy(
            cursor,
            "audit_auditevent",
            AUDIT_COLUMNS,
            _audit_rows(clients, sizes, rng, now),
            label="audit events",
            total=sizes.audit_events,
            progress=progress,
        )
        for table in (
            "audit_auditevent",
            "staff_user",
            "clients_client",
            SESSION_TABLE,
            "therapy_sessions_review",
            "goals_goal",
            "goals_goalrevision",
            "goals_goalrating",
        ):
            cursor.execute(f"ANALYZE {table}")
        progress("analyze", 1, 1)
    return Counts(
        admins=admins,
        supervisors=len(sups),
        clinicians=len(clins),
        clients=len(clients),
        sessions=sessions,
        drafts=drafts[0],
        reviews=len(reviews),
        goals=goals,
        ratings=rating_count,
        audit_events=audit_events,
        appointment_series=appointment_series,
        appointments=appointments,
    )


# ---------------------------------------------------------------------------
# The two big personas (issue #25)

# A supervisor of 40 clinicians and a clinician with 2,000 open clients, for
# the search's and the caseload's worst cases. A clinician has one supervisor
# (staff.User.supervisor), so the big team is 40 clinicians of its own
# (scale-big-team-01..40), not the existing teams moved: the median
# supervisor and clinician the bench reads stay as they were.
BIG_SUPERVISOR = f"{USERNAME_PREFIX}big-supervisor"
BIG_CLINICIAN = f"{USERNAME_PREFIX}big-clinician"
BIG_TEAM_PREFIX = f"{USERNAME_PREFIX}big-team-"


@dataclass(frozen=True)
class PersonaSizes:
    team: int = 40
    # Like the median clinician's caseload (about 100 clients of ~50 notes).
    team_clients: int = 100
    team_sessions: int = 4_000
    big_clients: int = 2_000
    big_sessions: int = 50_000


def personas_present() -> bool:
    from staff.models import User

    return User.objects.filter(username=BIG_SUPERVISOR).exists()


@transaction.atomic
def seed_personas(
    sizes: PersonaSizes = PersonaSizes(), *, progress: Progress = _quiet
) -> tuple[int, int]:
    """Add BIG_SUPERVISOR with `sizes.team` supervisees of their own and
    BIG_CLINICIAN with `sizes.big_clients` open clients, all with notes (signed,
    a third of clients' latest a draft; no co-signature, goals or appointments),
    to a database that holds scale data, once: nothing when they are there.
    Returns (clients, sessions) added. One transaction, by COPY, the session
    table's indexes kept (other readers may be using them)."""
    from staff.models import Role, User

    if not scale_data_present() or personas_present():
        return 0, 0
    rng = random.Random(SEED + 25)  # its own stream
    now = timezone.now()
    password = make_password(SCALE_PASSWORD)
    joined = now - datetime.timedelta(days=900)

    def user(username: str, role: str, name: str, **extra: Any) -> Any:
        return User(
            username=username,
            password=password,
            display_name=f"{name} (scale)",
            role=role,
            date_joined=joined,
            **extra,
        )

    supervisor = User.objects.bulk_create(
        [user(BIG_SUPERVISOR, Role.SUPERVISOR, "Big supervisor")]
    )[0]
    # The big clinician is in an existing team, not one of the 40.
    other_team = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    holders = User.objects.bulk_create(
        [
            user(
                f"{BIG_TEAM_PREFIX}{n:02d}",
                Role.CLINICIAN,
                f"Big team {n:02d}",
                supervisor=supervisor,
            )
            for n in range(1, sizes.team + 1)
        ]
        + [user(BIG_CLINICIAN, Role.CLINICIAN, "Big clinician", supervisor=other_team)]
    )
    big = holders[-1]
    today = now.date()
    clients: list[_Client] = []
    for owner, count, sessions in [
        *((h, sizes.team_clients, sizes.team_sessions) for h in holders[:-1]),
        (big, sizes.big_clients, sizes.big_sessions),
    ]:
        per_client = _split(sessions, count, rng)
        for notes in per_client:
            clients.append(
                _Client(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    clinician_id=owner.pk,
                    requires_cosign=False,
                    supervisor_id=owner.supervisor_id,
                    intake=today - datetime.timedelta(days=rng.randint(200, 1400)),
                    status="active",
                    sessions=notes,
                )
            )
    with connection.cursor() as cursor:
        _bulk_load_settings(cursor)
        _copy(
            cursor,
            "clients_client",
            CLIENT_COLUMNS,
            _client_rows(clients, rng, now, first=100_001),
            label="persona clients",
            total=len(clients),
            progress=progress,
        )
        sessions = _copy(
            cursor,
            SESSION_TABLE,
            SESSION_COLUMNS,
            _session_rows(clients, rng, now, [], [0]),
            label="persona notes",
            total=sum(c.sessions for c in clients),
            progress=progress,
        )
        # What the skipped triggers would have kept (see seed_scale).
        cursor.execute(
            "UPDATE clients_client c SET last_contact_at = s.latest FROM ("
            " SELECT client_id, max(started_at) AS latest"
            " FROM therapy_sessions_therapysession"
            " WHERE status = 'signed' AND started_at <= now()"
            " AND clinician_id = ANY(%s) GROUP BY client_id) s"
            " WHERE s.client_id = c.id",
            [[h.pk for h in holders]],
        )
        cursor.execute(
            "SELECT reports_rebuild_session_months(%s)", [settings.TIME_ZONE]
        )
        for table in ("staff_user", "clients_client", SESSION_TABLE):
            cursor.execute(f"ANALYZE {table}")
        progress("analyze", 1, 1)
    return len(clients), sessions
