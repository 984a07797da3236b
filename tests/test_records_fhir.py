"""Issue #20: the client's machine-readable copy, a FHIR R4 Bundle (JSON).

Every bundle is validated with fhir.resources' R4B models (4.3, the closest
the library ships to R4; the resources used are the same shape in both), the
bundle as a whole and each entry as its own type, and read back from those
parsed models: the ratings and the signed notes must come back as the
database holds them."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from audit.models import AuditEvent
from clients.models import Client
from consents.models import ConsentKind, Item
from consents.services import consent_revoke
from goals.models import GoalRating, GoalStatus
from goals.services import goal_change, goal_set_status
from hr_clinic.lib.part2 import STATEMENT_2
from records.fhir import addendum_title
from sessions.models import Addendum, ReviewStatus, SessionStatus, TherapySession
from sessions.services import (
    counseling_note_create,
    review_cosign,
    therapy_session_sign,
)
from staff.models import User
from tests.consent_data import consent_for, expired_consent
from tests.factories import (
    ClientFactory,
    EmergencyGrantFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)

Web = Callable[[User], DjangoTestApp]

VIETNAMESE = "Nguyễn Thị Ánh"
COUNSELING = "counseling-only words zqvx"
DRAFT = "draft-only words kmwj"
DISCARDED = "discarded-only words pfty"


def _signed(client: Client, **kw: Any) -> TherapySession:
    """A signed note by the client's clinician, waiting for co-signature when
    they need it (as PostgreSQL insists)."""
    cosign = client.clinician.requires_cosign
    return TherapySessionFactory.create(
        client=client,
        status=SessionStatus.SIGNED,
        signed_at=timezone.now(),
        review_status=ReviewStatus.WAITING if cosign else ReviewStatus.NOT_NEEDED,
        **kw,
    )


def _needs_cosign(clinician: User) -> None:
    User.objects.filter(pk=clinician.pk).update(requires_cosign=True)
    clinician.refresh_from_db()


@pytest.fixture
def record(clinician: User, supervisor: User) -> dict[str, Any]:
    """A client with something of everything the copy holds, and everything
    it must leave out."""
    _needs_cosign(clinician)
    client = ClientFactory.create(
        clinician=clinician,
        chosen_name="Ánh",
        legal_name=VIETNAMESE,
        pronouns="she/her",
        date_of_birth=dt.date(1990, 4, 2),
    )
    start = timezone.now() - dt.timedelta(days=3)
    note = TherapySessionFactory.create(
        client=client,
        started_at=start,
        sections={"brought": "I want <safer> use & more\nsecond line", "did": "Plan"},
        naloxone_on_hand=True,
        test_strips_given=4,
    )
    goal = GoalFactory.create(client=client, wording="Sleep somewhere safe")
    GoalRatingFactory.create(goal=goal, score=3, rated_on=start.date(), session=note)
    signed = therapy_session_sign(session=note, by=clinician, expected_version=1)
    review_cosign(session=signed, by=supervisor)
    Addendum.objects.create(
        session=note, author=clinician, reason="Correction", text="Met at 3pm."
    )
    second = _signed(client, started_at=start + dt.timedelta(days=1), modality="phone")
    TherapySessionFactory.create(client=client, sections={"brought": DRAFT})
    TherapySessionFactory.create(
        client=client,
        sections={"brought": DISCARDED},
        status=SessionStatus.DISCARDED,
        discarded_at=timezone.now(),
        discarded_by=clinician,
    )
    counseling_note_create(client=client, by=clinician, text=COUNSELING, session=note)
    GoalRatingFactory.create(goal=goal, score=7, comment="Better, in my words")
    reached = GoalFactory.create(client=client, wording="Get my ID back")
    goal_set_status(goal=reached, by=clinician, to_status=GoalStatus.REACHED)
    paused = GoalFactory.create(client=client, wording="Call my sister")
    goal_set_status(goal=paused, by=clinician, to_status=GoalStatus.SET_ASIDE)
    changed = GoalFactory.create(client=client, wording="Stop using")
    successor = goal_change(goal=changed, by=clinician, wording="Use more safely")
    consent = consent_for(client, clinician)
    tpo = consent_for(client, clinician, kind=ConsentKind.TPO, recipients=[])
    revoked = consent_for(client, clinician, items=[Item.EVERYTHING])
    consent_revoke(
        consent=revoked, by=clinician, revoked_on=timezone.localdate(), how="phone"
    )
    return {
        "client": client,
        "notes": [note, second],
        "goals": {"goal": goal, "reached": reached, "paused": paused},
        "changed": changed,
        "successor": successor,
        "consents": {
            "active": consent,
            "tpo": tpo,
            "revoked": revoked,
            "expired": expired_consent(client, clinician),
        },
    }


def _url(client: Client) -> str:
    return reverse("records:fhir", args=[client.pk])


def _download(web: Web, user: User, client: Client) -> Any:
    response = web(user).get(_url(client))
    assert response.status_code == 200
    return response


def _bundle(web: Web, user: User, client: Client) -> dict[str, Any]:
    return json.loads(_download(web, user, client).body)  # type: ignore[no-any-return]


def _parsed(data: dict[str, Any]) -> dict[str, Any]:
    """Each entry's resource parsed as its own R4B type, by fullUrl (the whole
    bundle validated first)."""
    Bundle.model_validate(data)
    return {
        entry["fullUrl"]: get_fhir_model_class(
            entry["resource"]["resourceType"]
        ).model_validate(entry["resource"])
        for entry in data["entry"]
    }


def _of_type(parsed: dict[str, Any], kind: str) -> list[Any]:
    return [r for r in parsed.values() if r.get_resource_type() == kind]


def _text(narrative: Any) -> str:
    """The text of an XHTML narrative: line breaks back as newlines."""
    div = ET.fromstring(narrative.div)  # noqa: S314 - our own test output
    assert div.tag == "{http://www.w3.org/1999/xhtml}div"
    parts = [div.text or ""]
    for child in div:
        assert child.tag.endswith("br")
        parts.append("\n" + (child.tail or ""))
    return "".join(parts)


def _by_identifier(resources: list[Any]) -> dict[str, Any]:
    """By record id (a Composition has one identifier, the others a list)."""
    return {
        (
            r.identifier if r.get_resource_type() == "Composition" else r.identifier[0]
        ).value: r
        for r in resources
    }


def test_the_bundle_validates_and_every_entry_parses_as_its_type(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    data = _bundle(web, clinician, record["client"])
    parsed = _parsed(data)
    assert data["type"] == "collection" and data["timestamp"]
    assert data["identifier"]["value"].startswith("urn:uuid:")
    kinds = {r.get_resource_type() for r in parsed.values()}
    assert kinds == {
        "Patient",
        "Practitioner",
        "Goal",
        "Observation",
        "Encounter",
        "Composition",
        "Consent",
    }


def test_every_full_url_is_a_urn_uuid_and_every_reference_names_an_entry(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    data = _bundle(web, clinician, record["client"])
    urls = [entry["fullUrl"] for entry in data["entry"]]
    assert all(url.startswith("urn:uuid:") for url in urls)
    assert len(set(urls)) == len(urls)
    references: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):
                references.append(node["reference"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data["entry"])
    assert references and set(references) <= set(urls)
    # No real-looking host of our own: identifiers and local codes are urns.
    assert "hr-clinic.example" not in json.dumps(data)


def test_every_rating_round_trips_with_its_score_date_goal_and_comment(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    client = record["client"]
    parsed = _parsed(_bundle(web, clinician, client))
    goal_urls = {
        r.identifier[0].value: url
        for url, r in parsed.items()
        if r.get_resource_type() == "Goal"
    }
    got = sorted(
        (
            o.valueInteger,
            o.effectiveDateTime.isoformat(),
            o.focus[0].reference,
            o.note[0].text if o.note else "",
            o.code.coding[0].system,
            o.code.coding[0].code,
        )
        for o in _of_type(parsed, "Observation")
    )
    held = sorted(
        (
            r.score,
            r.rated_on.isoformat(),
            goal_urls[str(r.goal_id)],
            r.comment,
            "urn:hr-clinic:codes",
            "goal-rating",
        )
        for r in GoalRating.objects.filter(goal__client=client)
    )
    assert got == held and len(held) == 2
    goal = _by_identifier(_of_type(parsed, "Goal"))[str(record["goals"]["goal"].pk)]
    assert {ref.reference for ref in goal.outcomeReference} == {
        url for url, r in parsed.items() if r.get_resource_type() == "Observation"
    }
    assert goal.description.text == "Sleep somewhere safe"


def test_every_signed_note_round_trips_its_sections_check_in_addenda_and_signatures(
    web: Web, clinician: User, supervisor: User, record: dict[str, Any]
) -> None:
    parsed = _parsed(_bundle(web, clinician, record["client"]))
    compositions = _by_identifier(
        [c for c in _of_type(parsed, "Composition") if c.type.text == "Session note"]
    )
    assert set(compositions) == {str(n.pk) for n in record["notes"]}
    for note in TherapySession.objects.filter(pk__in=compositions):
        got = [(s.title, _text(s.text)) for s in compositions[str(note.pk)].section]
        held = [(s.label, text) for s, text in note.section_texts() if text.strip()]
        if note.has_checkin:
            held.append(
                (
                    "Harm-reduction check-in",
                    "Naloxone on hand: Yes\nFentanyl test strips given: 4",
                )
            )
        held += [
            (addendum_title(a, a.author), a.text)
            for a in note.addenda.select_related("author")
        ]
        assert got == held
    first = compositions[str(record["notes"][0].pk)]
    assert first.section[0].title == "What the client brought, in their words"
    assert _text(first.section[0].text) == "I want <safer> use & more\nsecond line"
    assert first.section[-1].title.startswith("Addendum, ")
    assert first.section[-1].title.endswith(f"{clinician.signature}: Correction")
    assert [(a.mode, a.party.display) for a in first.attester] == [
        ("legal", clinician.signature),
        ("professional", supervisor.signature),
    ]
    practitioners = {
        p.name[0].text: p.qualification[0].code.text
        for p in _of_type(parsed, "Practitioner")
    }
    assert practitioners == {
        clinician.name: clinician.credentials,
        supervisor.name: supervisor.credentials,
    }
    encounter = parsed[first.encounter.reference]
    assert encounter.status == "finished" and encounter.class_fhir.code == "AMB"
    phone = compositions[str(record["notes"][1].pk)]
    assert parsed[phone.encounter.reference].class_fhir.code == "VR"


def test_no_counseling_draft_or_discarded_note_text_appears_anywhere(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    body = _download(web, clinician, record["client"]).text
    for hidden in (COUNSELING, DRAFT, DISCARDED):
        assert hidden not in body
    assert "ounseling note" not in body.replace("SUD counseling notes are left", "")
    # Only the two signed notes' sessions are encounters.
    parsed = _parsed(json.loads(body))
    assert len(_of_type(parsed, "Encounter")) == 2


def test_the_patient_carries_chosen_and_legal_names_pronouns_and_birth_date(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    parsed = _parsed(_bundle(web, clinician, record["client"]))
    (patient,) = _of_type(parsed, "Patient")
    assert [(n.use, n.text) for n in patient.name] == [
        ("usual", "Ánh"),
        ("official", VIETNAMESE),
    ]
    assert patient.birthDate == dt.date(1990, 4, 2)
    (pronouns,) = patient.extension
    assert pronouns.extension[0].valueCodeableConcept.text == "she/her"
    assert patient.identifier[0].value == str(record["client"].pk)


def test_an_alias_alone_gives_a_patient_with_no_official_name_or_birth_date(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician, chosen_name=VIETNAMESE)
    parsed = _parsed(_bundle(web, clinician, client))
    (patient,) = _of_type(parsed, "Patient")
    assert [(n.use, n.text) for n in patient.name] == [("usual", VIETNAMESE)]
    assert patient.birthDate is None


def test_goal_statuses_map_to_kind_lifecycle_states(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    parsed = _parsed(_bundle(web, clinician, record["client"]))
    goals = _by_identifier(_of_type(parsed, "Goal"))
    states = {
        key: goals[str(goal.pk)].lifecycleStatus
        for key, goal in record["goals"].items()
    }
    assert states == {"goal": "active", "reached": "completed", "paused": "on-hold"}
    reached = goals[str(record["goals"]["reached"].pk)]
    assert reached.achievementStatus.coding[0].code == "achieved"
    changed = goals[str(record["changed"].pk)]
    assert changed.lifecycleStatus == "cancelled"
    assert changed.note[-1].text == "Changed into a new goal: Use more safely"
    relationship = {e.url: e for e in changed.extension[0].extension}
    assert relationship["type"].valueCodeableConcept.coding[0].code == "replacement"
    target = parsed[relationship["target"].valueReference.reference]
    assert target.identifier[0].value == str(record["successor"].pk)
    assert all(g.expressedBy.reference == g.subject.reference for g in goals.values())


def test_consents_are_active_or_inactive_by_the_database_clock(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    parsed = _parsed(_bundle(web, clinician, record["client"]))
    consents = _by_identifier(_of_type(parsed, "Consent"))
    statuses = {
        key: consents[str(c.pk)].status for key, c in record["consents"].items()
    }
    # The expired one ended a second ago by PostgreSQL's clock (inserted with
    # now() - interval): inactive, as the revoked one.
    assert statuses == {
        "active": "active",
        "tpo": "active",
        "revoked": "inactive",
        "expired": "inactive",
    }
    active = consents[str(record["consents"]["active"].pk)]
    assert active.category[0].coding[0].code == "59284-0"
    assert active.scope.coding[0].code == "patient-privacy"
    assert active.provision.period.end == record["consents"]["active"].expires_on
    assert [a.reference.display for a in active.provision.actor] == [
        "Test Recipient, Test Clinic"
    ]
    assert {c.code for c in active.provision.class_fhir} == {"Goal", "Observation"}
    tpo = consents[str(record["consents"]["tpo"].pk)]
    assert "treating providers" in tpo.provision.actor[0].reference.display
    assert "Who may receive it: my treating providers" in _text(tpo.text)
    assert parsed[active.patient.reference].get_resource_type() == "Patient"


def test_the_download_is_audited_once_as_an_export_of_that_client(
    web: Web, clinician: User, record: dict[str, Any]
) -> None:
    app = web(clinician)
    before = AuditEvent.objects.count()
    app.get(_url(record["client"]))
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.client_id, e.actor_id) for e in events] == [
        ("export", "client", record["client"].pk, clinician.pk)
    ]


def test_the_download_is_not_stored_and_its_file_name_has_the_id_not_the_name(
    web: Web, clinician: User, client_record: Client
) -> None:
    response = _download(web, clinician, client_record)
    assert response.content_type == "application/fhir+json"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="record-{client_record.pk}-'
        f'{timezone.localdate().isoformat()}.json"'
    )
    assert "Robin" not in response.headers["Content-Disposition"]


def test_the_bundle_carries_the_part2_labels_and_not_without_part2(
    web: Web, settings: Any, clinician: User, client_record: Client
) -> None:
    data = _bundle(web, clinician, client_record)
    codes = {label["code"] for label in data["meta"]["security"]}
    assert codes == {"R", "42CFRPart2", "NORDSCLCD"}
    assert STATEMENT_2 in json.dumps(data, ensure_ascii=False)
    settings.PART2_PROGRAM = False
    data = _bundle(web, clinician, client_record)
    assert {label["code"] for label in data["meta"]["security"]} == {"R"}
    assert "42 CFR" not in json.dumps(data)


def test_another_clinicians_client_is_404_and_a_denied_event(
    web: Web, outsider: User, client_record: Client
) -> None:
    response = web(outsider).get(_url(client_record), expect_errors=True)
    assert response.status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.outcome, event.client_id) == ("denied", client_record.pk)


def test_the_supervisor_downloads_a_supervisees_clients_copy(
    web: Web, supervisor: User, record: dict[str, Any]
) -> None:
    parsed = _parsed(_bundle(web, supervisor, record["client"]))
    assert len(_of_type(parsed, "Composition")) == 3  # two notes and the cover


def test_an_emergency_access_holder_does_not_get_the_copy(
    web: Web, outsider: User, client_record: Client
) -> None:
    EmergencyGrantFactory.create(client=client_record, grantee=outsider)
    assert web(outsider).get(client_record.get_absolute_url()).status_code == 200
    response = web(outsider).get(_url(client_record), expect_errors=True)
    assert response.status_code == 404


def _queries(web: Web, user: User, client: Client) -> int:
    app = web(user)
    with CaptureQueriesContext(connection) as ctx:
        app.get(_url(client))
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_record(
    web: Web, clinician: User, supervisor: User
) -> None:
    _needs_cosign(clinician)
    client = ClientFactory.create(clinician=clinician)
    _signed(client)
    GoalRatingFactory.create(goal=GoalFactory.create(client=client))
    consent_for(client, clinician)
    small = _queries(web, clinician, client)
    for _ in range(4):
        note = _signed(client)
        review_cosign(session=note, by=supervisor)
        Addendum.objects.create(session=note, author=supervisor, reason="r", text="t")
        GoalRatingFactory.create(goal=GoalFactory.create(client=client))
        consent_for(client, clinician)
    assert _queries(web, clinician, client) == small


def test_the_product_never_imports_the_fhir_library() -> None:
    """fhir.resources is a dev dependency: the bundle is plain dicts."""
    root = Path(django_settings.BASE_DIR)
    importing = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not path.is_relative_to(root / "tests")
        and not path.is_relative_to(root / ".venv")
        and re.search(r"^\s*(from|import)\s+fhir\b", path.read_text(), re.MULTILINE)
    ]
    assert importing == []
