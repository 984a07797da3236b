"""The client's machine-readable copy: their record as a FHIR R4 Bundle
(issue #20, HIPAA §164.524's "electronic copy"), so another provider's system
can import it.

`record_bundle` builds plain dicts (FHIR JSON, R4 4.0.1); nothing here imports
a FHIR library. The tests validate every bundle against `fhir.resources`'
R4B models (4.3, the closest release the library ships to R4: Patient,
Practitioner, Goal, Observation, Encounter, Composition, Consent and Bundle
have the same shape in both for every element used here).

What goes in, read with the viewer's own visibility (`visible_to`), in a fixed
number of queries whatever the size of the record:

- Patient: the chosen name as the usual name, the legal name as the official
  one when recorded (as text only: splitting a name into given and family
  parts guesses wrong for "Nguyễn Thị Ánh"), pronouns (HL7's
  individual-pronouns extension), the date of birth when recorded.
- Practitioner: everyone who wrote or signed a note, co-signed one or added
  an addendum, with their credentials.
- Goal per goal, in the client's own words, expressed by the client, with its
  ratings as outcomes; Observation per 0–10 rating (the client's own).
- Encounter and Composition per signed note. Drafts and discarded drafts are
  not part of the record: a draft is unconfirmed and can still change (it is
  not even counted as contact, docs/design.md "What counts as contact"), a
  discarded one was set aside by its author; neither is in the copy.
- Consent per consent (#19), active or not by the database clock.
- A cover Composition, "About this copy", the counterpart of the PDF's cover
  page: what is in the copy, that SUD counseling notes are left out (the law
  allows it, 42 CFR 2.11 / HIPAA's psychotherapy notes), and the 42 CFR §2.32
  statement when the service is a Part 2 program.

Never SUD counseling notes, not even a count: they are read by nothing here.
Every `fullUrl` is a `urn:uuid:`, derived from the record's own id (the same
record has the same urn in every copy, so an importing system can recognise
it again); references between entries use those urns. Identifiers and local
codes live under `urn:hr-clinic:`, a scheme no real host answers.
"""

from __future__ import annotations

import datetime
import uuid

# Only to build XHTML (escaped by its serializer); nothing here parses XML.
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from clients.models import Client, ClientStatus
from clients.templatetags.clients_tags import short_date
from consents.models import (
    TPO_DESIGNATION,
    Consent,
    ConsentKind,
    ConsentRecipient,
    Item,
    Purpose,
    Revocation,
)
from consents.package import checkin_rows
from goals.models import Goal, GoalRating, GoalStatus
from hr_clinic.lib.part2 import is_part2_program, statement_for
from records.documents import amendment_sentences
from records.selectors import AmendmentEntry, amendment_statements
from sessions.models import Addendum, Modality, Review, ReviewDecision, TherapySession
from staff.models import User

# Every urn:uuid here is uuid5(NAMESPACE, "<kind>:<id>"): stable per record.
NAMESPACE = uuid.UUID("6f3b1c52-2a7e-4f0e-9d7c-1d2f5c0b8a41")
ID_SYSTEM = "urn:hr-clinic:id"
CODES = "urn:hr-clinic:codes"
GOAL_RATING = {
    "system": CODES,
    "code": "goal-rating",
    "display": "Goal-based outcome rating (0–10)",
}
XHTML = "http://www.w3.org/1999/xhtml"

# HL7 terminology (code systems, not hosts this service talks to).
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
ACT_CODE = f"{TERMINOLOGY}/v3-ActCode"
CONFIDENTIALITY = f"{TERMINOLOGY}/v3-Confidentiality"
PURPOSE_OF_USE = f"{TERMINOLOGY}/v3-ActReason"
LOINC = "http://loinc.org"
PRONOUNS = "http://hl7.org/fhir/StructureDefinition/individual-pronouns"
GOAL_RELATIONSHIP = "http://hl7.org/fhir/StructureDefinition/goal-relationship"
GOAL_RELATIONSHIP_TYPE = "http://hl7.org/fhir/goal-relationship-type"

# Where each goal status lands in FHIR's Goal.lifecycleStatus. Never a word of
# failure (docs/design.md, product rule 1): set aside is "on-hold", a pause
# the person may come back from. A changed goal is "cancelled" (no longer
# pursued as worded) with the goal-relationship extension naming the goal it
# became and a note saying so; not "entered-in-error": the goal was real, and
# its ratings stand.
LIFECYCLE = {
    GoalStatus.ACTIVE: "active",
    GoalStatus.REACHED: "completed",
    GoalStatus.SET_ASIDE: "on-hold",
    GoalStatus.CHANGED: "cancelled",
}

# The kind of contact (v3 ActEncounterCode): video and phone are virtual,
# outreach meets people where they are (field), the rest is ambulatory.
ENCOUNTER_CLASS = {
    Modality.VIDEO: ("VR", "virtual"),
    Modality.PHONE: ("VR", "virtual"),
    Modality.OUTREACH: ("FLD", "field"),
}
AMBULATORY = ("AMB", "ambulatory")

# Which resources of this bundle each consented item covers.
ITEM_RESOURCES = {
    Item.ATTENDANCE: ["Encounter"],
    Item.GOALS: ["Goal", "Observation"],
    Item.SESSION_NOTES: ["Composition"],
    Item.EVERYTHING: ["Encounter", "Goal", "Observation", "Composition"],
    Item.COUNSELING_NOTES: [],
}
PURPOSE = {
    Purpose.AT_MY_REQUEST: ("PATRQT", "patient requested"),
    Purpose.TREATMENT: ("TREAT", "treatment"),
    Purpose.PAYMENT: ("HPAYMT", "healthcare payment"),
}

ABOUT = (
    "This is a copy of your record, made for you: your goals in your own words "
    "with every rating you gave, every signed session note with its addenda and "
    "signatures, and your consents. Drafts are not part of the record. SUD "
    "counseling notes are left out, as the law allows."
)


def _urn(kind: str, pk: object) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}:{pk}')}"


def _ref(url: str, display: str = "") -> dict[str, str]:
    return {"reference": url, **({"display": display} if display else {})}


def _identifier(kind: str, pk: object) -> list[dict[str, str]]:
    return [{"system": f"{ID_SYSTEM}:{kind}", "value": str(pk)}]


def _instant(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat()


def narrative(lines: Iterable[str]) -> dict[str, str]:
    """FHIR narrative: the text as an XHTML div, one <br/> per line break.
    Built with ElementTree, whose serializer escapes the text: a clinician's
    "<" or "&" stays text, never markup."""
    div = ET.Element("div", {"xmlns": XHTML})
    last: ET.Element | None = None
    for number, line in enumerate("\n".join(lines).split("\n")):
        if number:
            last = ET.SubElement(div, "br")
        if last is None:
            div.text = line
        else:
            last.tail = line
    return {"status": "generated", "div": ET.tostring(div, encoding="unicode")}


@dataclass
class _Record:
    """What one client's copy holds, read in a fixed number of queries."""

    goals: list[Goal]
    notes: list[TherapySession]
    consents: list[Consent]
    people: dict[int, User] = field(default_factory=dict)


def _read(*, client: Client, user: User) -> _Record:
    """The client's goals (with ratings), signed notes (with addenda and
    co-signatures) and consents (with recipients), each scoped by `user`'s own
    visibility: seven queries, whatever the size."""
    goals = list(
        Goal.objects.visible_to(user)
        .filter(client=client)
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "pk"))
        )
        .order_by("set_on", "created_at")
    )
    notes = list(
        TherapySession.objects.visible_to(user)
        .filter(client=client)
        .signed()
        .select_related("group_meeting__group")
        .prefetch_related(
            Prefetch("addenda", queryset=Addendum.objects.order_by("created_at", "pk")),
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(decision=ReviewDecision.COSIGNED),
                to_attr="cosignatures",
            ),
        )
        .order_by("started_at", "pk")
    )
    consents = list(_consents(client=client, user=user))
    wanted = {n.clinician_id for n in notes}
    for note in notes:
        addenda = note.addenda.all()  # type: ignore[attr-defined]
        wanted |= {a.author_id for a in addenda}
        wanted |= {r.reviewer_id for r in note.cosignatures}  # type: ignore[attr-defined]
    people = User.objects.in_bulk(wanted) if wanted else {}
    return _Record(goals=goals, notes=notes, consents=consents, people=people)


def _consents(*, client: Client, user: User) -> QuerySet[Consent]:
    """The client's consents, each marked with whether it covers anything now
    and whether it is signed, by the database clock (`Consent.objects.active`,
    `.signed`), and its recipients marked when withdrawn by now."""
    withdrawn = Revocation.objects.filter(
        recipient=OuterRef("pk"), recorded_at__lte=Now()
    )
    return (
        Consent.objects.visible_to(user)
        .filter(client=client)
        .annotate(
            covers_now=Exists(Consent.objects.active().filter(pk=OuterRef("pk"))),
            is_signed=Exists(Consent.objects.signed().filter(pk=OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=ConsentRecipient.objects.annotate(
                    withdrawn=Exists(withdrawn)
                ).order_by("pk"),
            )
        )
        .order_by("created_at", "pk")
    )


def _patient(client: Client) -> dict[str, Any]:
    names = [{"use": "usual", "text": client.chosen_name}]
    if client.legal_name:
        names.append({"use": "official", "text": client.legal_name})
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": _identifier("client", client.pk),
        "active": client.status != ClientStatus.CLOSED,
        "name": names,
    }
    if client.pronouns:
        patient["extension"] = [
            {
                "url": PRONOUNS,
                "extension": [
                    {"url": "value", "valueCodeableConcept": {"text": client.pronouns}}
                ],
            }
        ]
    if client.date_of_birth:
        patient["birthDate"] = client.date_of_birth.isoformat()
    return patient


def _practitioner(person: User) -> dict[str, Any]:
    practitioner: dict[str, Any] = {
        "resourceType": "Practitioner",
        "identifier": _identifier("staff", person.pk),
        "name": [{"text": person.name}],
    }
    if person.credentials:
        practitioner["qualification"] = [{"code": {"text": person.credentials}}]
    return practitioner


def _goal(
    goal: Goal,
    *,
    patient: str,
    by_pk: dict[Any, Goal],
    amendments: list[AmendmentEntry],
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "identifier": _identifier("goal", goal.pk),
        "lifecycleStatus": LIFECYCLE[GoalStatus(goal.status)],
        "description": {"text": goal.wording},
        "subject": _ref(patient),
        "startDate": goal.set_on.isoformat(),
        "expressedBy": _ref(patient),
        "outcomeReference": [_ref(_urn("rating", r.pk)) for r in goal.ratings.all()],
    }
    if goal.status == GoalStatus.REACHED:
        resource["achievementStatus"] = {
            "coding": [
                {
                    "system": f"{TERMINOLOGY}/goal-achievement",
                    "code": "achieved",
                    "display": "Achieved",
                }
            ]
        }
    if goal.area:
        resource["category"] = [{"text": goal.get_area_display()}]
    if goal.status_changed_on:
        resource["statusDate"] = goal.status_changed_on.isoformat()
    notes = []
    if goal.why_it_matters:
        notes.append({"text": f"Why it matters to them: {goal.why_it_matters}"})
    notes += [
        {"text": sentence}
        for entry in amendments
        for sentence in amendment_sentences(entry)
    ]
    successor = by_pk.get(goal.replaced_by_id)
    if goal.status == GoalStatus.CHANGED and successor is not None:
        notes.append({"text": f"Changed into a new goal: {successor.wording}"})
        resource["extension"] = [
            {
                "url": GOAL_RELATIONSHIP,
                "extension": [
                    {
                        "url": "type",
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": GOAL_RELATIONSHIP_TYPE,
                                    "code": "replacement",
                                    "display": "Replacement",
                                }
                            ]
                        },
                    },
                    {
                        "url": "target",
                        "valueReference": _ref(_urn("goal", successor.pk)),
                    },
                ],
            }
        ]
    if notes:
        resource["note"] = notes
    if not resource["outcomeReference"]:
        del resource["outcomeReference"]
    return resource


def _rating(
    rating: GoalRating, *, goal: Goal, patient: str, encounters: set[Any]
) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": _identifier("goal-rating", rating.pk),
        "status": "final",
        "code": {"coding": [GOAL_RATING], "text": GOAL_RATING["display"]},
        "subject": _ref(patient),
        "focus": [_ref(_urn("goal", goal.pk))],
        "effectiveDateTime": rating.rated_on.isoformat(),
        # The client's own rating, whoever typed it in.
        "performer": [_ref(patient)],
        "valueInteger": rating.score,
    }
    if rating.session_id in encounters:
        observation["encounter"] = _ref(_urn("encounter", rating.session_id))
    if rating.comment:
        observation["note"] = [{"text": rating.comment}]
    return observation


def _encounter(note: TherapySession, *, patient: str) -> dict[str, Any]:
    code, display = ENCOUNTER_CLASS.get(Modality(note.modality), AMBULATORY)
    period = {"start": _instant(note.started_at)}
    if note.duration_minutes:
        end = note.started_at + datetime.timedelta(minutes=note.duration_minutes)
        period["end"] = _instant(end)
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "identifier": _identifier("session", note.pk),
        "status": "finished",
        "class": {"system": ACT_CODE, "code": code, "display": display},
        "type": [{"text": note.get_modality_display()}],
        "subject": _ref(patient),
        "participant": [{"individual": _ref(_urn("staff", note.clinician_id))}],
        "period": period,
    }
    if note.duration_minutes:
        encounter["length"] = {
            "value": note.duration_minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        }
    if note.location:
        encounter["location"] = [{"location": {"display": note.location}}]
    return encounter


def addendum_title(addendum: Addendum, author: User) -> str:
    """An addendum's section title: "Addendum, <date>, <author>: <reason>"."""
    when = short_date(timezone.localdate(addendum.created_at))
    return f"Addendum, {when}, {author.signature}: {addendum.reason}"


def _amendment_sections(entries: list[AmendmentEntry]) -> list[dict[str, Any]]:
    """Decided requests to change this part, with the client's statement of
    disagreement: they go with it in every copy (§164.526(d)(4))."""
    return [
        {
            "title": f"Request to change the record, {short_date(entry.asked_on)}",
            "text": narrative(amendment_sentences(entry)),
        }
        for entry in entries
    ]


def _composition(
    note: TherapySession,
    *,
    patient: str,
    people: dict[int, User],
    amendments: list[AmendmentEntry],
) -> dict[str, Any]:
    author = people[note.clinician_id]
    # A group meeting's shared part first, about the group (issue #24).
    sections: list[dict[str, Any]] = [
        {"title": label, "text": narrative([text])}
        for label, text in note.shared_part_texts()
    ]
    sections += [
        {"title": section.label, "text": narrative([text])}
        for section, text in note.section_texts()
        if text.strip()
    ]
    checkin = checkin_rows(note)
    if checkin:
        sections.append(
            {
                "title": "Harm-reduction check-in",
                "text": narrative(f"{label}: {value}" for label, value in checkin),
            }
        )
    for addendum in note.addenda.all():  # type: ignore[attr-defined]
        writer = people[addendum.author_id]
        sections.append(
            {
                "title": addendum_title(addendum, writer),
                "author": [_ref(_urn("staff", writer.pk))],
                "text": narrative([addendum.text]),
            }
        )
    sections += _amendment_sections(amendments)
    attesters = [
        {
            "mode": "legal",
            "time": _instant(note.signed_at),  # type: ignore[arg-type]
            "party": _ref(_urn("staff", author.pk), author.signature),
        }
    ]
    for review in note.cosignatures:  # type: ignore[attr-defined]
        cosigner = people[review.reviewer_id]
        attesters.append(
            {
                "mode": "professional",
                "time": _instant(review.created_at),
                "party": _ref(_urn("staff", cosigner.pk), cosigner.signature),
            }
        )
    composition: dict[str, Any] = {
        "resourceType": "Composition",
        # One identifier (0..1 on a Composition).
        "identifier": _identifier("session-note", note.pk)[0],
        "status": "final",
        "type": {
            "coding": [
                {"system": LOINC, "code": "11506-3", "display": "Progress note"}
            ],
            "text": "Session note",
        },
        "subject": _ref(patient),
        "encounter": _ref(_urn("encounter", note.pk)),
        "date": _instant(note.signed_at),  # type: ignore[arg-type]
        "author": [_ref(_urn("staff", author.pk), author.signature)],
        "title": f"Session note, {short_date(timezone.localdate(note.started_at))}",
        "confidentiality": "R",
        "attester": attesters,
    }
    if sections:
        composition["section"] = sections
    return composition


def _consent(consent: Consent, *, patient: str) -> dict[str, Any]:
    # Signed and covering something now (database clock): active. Waiting for
    # the client's signature on the device: proposed. Revoked or expired:
    # inactive.
    if consent.covers_now:  # type: ignore[attr-defined]
        status = "active"
    elif not consent.is_signed:  # type: ignore[attr-defined]
        status = "proposed"
    else:
        status = "inactive"
    provision: dict[str, Any] = {"type": "permit"}
    if consent.expires_on:
        provision["period"] = {"end": consent.expires_on.isoformat()}
    recipient_role = {
        "coding": [
            {
                "system": f"{TERMINOLOGY}/v3-ParticipationType",
                "code": "IRCP",
                "display": "information recipient",
            }
        ]
    }
    recipients: list[Any] = list(consent.recipients.all())  # type: ignore[attr-defined]
    actors = [
        {
            "role": recipient_role,
            "reference": {"display": ", ".join(filter(None, [r.name, r.organisation]))},
        }
        for r in recipients
        if not r.withdrawn
    ]
    if consent.kind == ConsentKind.TPO:
        actors.append(
            {"role": recipient_role, "reference": {"display": TPO_DESIGNATION}}
        )
    if actors:
        provision["actor"] = actors
    withdrawn = [r for r in recipients if r.withdrawn]
    if withdrawn:
        provision["provision"] = [
            {
                "type": "deny",
                "actor": [
                    {"role": recipient_role, "reference": {"display": r.name}}
                    for r in withdrawn
                ],
            }
        ]
    classes = sorted({t for item in consent.items for t in ITEM_RESOURCES[Item(item)]})
    if classes:
        provision["class"] = [
            {"system": "http://hl7.org/fhir/resource-types", "code": t} for t in classes
        ]
    provision["code"] = [
        {
            "coding": [
                {"system": f"{CODES}:consent-item", "code": i, "display": Item(i).label}
            ],
            "text": Item(i).label,
        }
        for i in consent.items
    ]
    if consent.purpose in PURPOSE:
        code, display = PURPOSE[Purpose(consent.purpose)]
        provision["purpose"] = [
            {"system": PURPOSE_OF_USE, "code": code, "display": display}
        ]
    else:
        provision["purpose"] = [
            {
                "system": f"{CODES}:purpose",
                "code": "other",
                "display": consent.purpose_other,
            }
        ]
    words = [consent.get_kind_display()]
    if consent.is_tpo:
        words.append(f"Who may receive it: {TPO_DESIGNATION}.")
    if consent.items_detail:
        words.append(f"What, in my words: {consent.items_detail}")
    if consent.expiry_event:
        words.append(f"Ends when: {consent.expiry_event}")
    policy = (
        {
            "coding": [
                {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}
            ]
        }
        if consent.part2
        else {
            "coding": [
                {
                    "system": f"{TERMINOLOGY}/consentpolicycodes",
                    "code": "hipaa-auth",
                    "display": "HIPAA Authorization",
                }
            ]
        }
    )
    return {
        "resourceType": "Consent",
        "identifier": _identifier("consent", consent.pk),
        "text": narrative(words),
        "status": status,
        "scope": {
            "coding": [
                {
                    "system": f"{TERMINOLOGY}/consentscope",
                    "code": "patient-privacy",
                    "display": "Privacy Consent",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {"system": LOINC, "code": "59284-0", "display": "Patient Consent"}
                ]
            }
        ],
        "patient": _ref(patient),
        "dateTime": _instant(consent.created_at),
        "performer": [_ref(patient)],
        "policyRule": policy,
        "provision": provision,
    }


def _cover(
    *, patient: str, now: datetime.datetime, amendments: list[AmendmentEntry]
) -> dict[str, Any]:
    sections = [{"title": "About this copy", "text": narrative([ABOUT])}]
    sections += _amendment_sections(amendments)
    statement = statement_for("label")
    if statement:
        sections.append({"title": "42 CFR part 2", "text": narrative([statement])})
    return {
        "resourceType": "Composition",
        "status": "final",
        "type": {"text": "Copy of record"},
        "subject": _ref(patient),
        "date": _instant(now),
        "author": [{"display": "hr_clinic"}],
        "title": "Copy of your record",
        "confidentiality": "R",
        "section": sections,
    }


def _security() -> list[dict[str, str]]:
    """The bundle's security labels: restricted; for a Part 2 program, also
    42 CFR Part 2 and its refrain, no redisclosure without consent (the
    machine-readable form of the §2.32 statement)."""
    labels = [{"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}]
    if is_part2_program():
        labels += [
            {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
            {
                "system": ACT_CODE,
                "code": "NORDSCLCD",
                "display": "no redisclosure without consent directive",
            },
        ]
    return labels


def record_bundle(
    *, client: Client, user: User, now: datetime.datetime
) -> dict[str, Any]:
    """`client`'s record as a FHIR R4 Bundle (type collection) made at `now`,
    holding what `user` may see of it (every read goes through `visible_to`;
    the caller has opened the client for `user`). Seven queries, whatever
    the size of the record. Never SUD counseling notes, drafts or discarded
    drafts."""
    record = _read(client=client, user=user)
    amendments = amendment_statements(client=client, user=user)
    patient = _urn("client", client.pk)
    entries: list[tuple[str, dict[str, Any]]] = [
        (patient, _patient(client)),
        (
            _urn("copy", f"{client.pk}:{now.isoformat()}"),
            _cover(patient=patient, now=now, amendments=amendments.other),
        ),
    ]
    entries += [
        (_urn("staff", pk), _practitioner(person))
        for pk, person in sorted(record.people.items())
    ]
    by_pk = {goal.pk: goal for goal in record.goals}
    encounters = {note.pk for note in record.notes}
    for goal in record.goals:
        entries.append(
            (
                _urn("goal", goal.pk),
                _goal(
                    goal,
                    patient=patient,
                    by_pk=by_pk,
                    amendments=amendments.for_goal(goal.pk),
                ),
            )
        )
        entries += [
            (
                _urn("rating", rating.pk),
                _rating(rating, goal=goal, patient=patient, encounters=encounters),
            )
            for rating in goal.ratings.all()
        ]
    for note in record.notes:
        entries.append((_urn("encounter", note.pk), _encounter(note, patient=patient)))
        entries.append(
            (
                _urn("session-note", note.pk),
                _composition(
                    note,
                    patient=patient,
                    people=record.people,
                    amendments=amendments.for_note(note.pk),
                ),
            )
        )
    entries += [
        (_urn("consent", consent.pk), _consent(consent, patient=patient))
        for consent in record.consents
    ]
    return {
        "resourceType": "Bundle",
        "meta": {"security": _security()},
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{uuid.uuid4()}",
        },
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
