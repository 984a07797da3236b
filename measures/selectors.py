"""Reads of standard measures. Every one starts from
MeasureResponse.objects.visible_to(user): the client's visibility, the one
rule (clients/access.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from clients.access import client_rows
from clients.models import Client
from hr_clinic.lib import sql
from measures import definitions
from measures.models import MeasureResponse
from sessions.models import TherapySession
from staff.models import User


@dataclass(frozen=True)
class History:
    measure: definitions.Measure
    responses: list[MeasureResponse]


def client_measure_histories(*, user: User, client: Client) -> list[History]:
    """Each defined measure with the client's responses to it, oldest first
    (one query), for the record's Measures page; a measure never taken has an
    empty list. Responses to a code no longer defined are left out of the
    charts (they stay in the database and on their own pages)."""
    by_code: dict[str, list[MeasureResponse]] = {}
    responses = (
        MeasureResponse.objects.visible_to(user)
        .filter(client=client)
        .select_related("safety_check")
        .order_by("taken_on", "created_at")
    )
    for response in responses:
        by_code.setdefault(response.code, []).append(response)
    return [
        History(measure, by_code.get(code, []))
        for code, measure in definitions.MEASURES.items()
    ]


def open_safety_prompts(
    user: User, *, clients: Iterable[Client] | None = None
) -> QuerySet[MeasureResponse]:
    """Responses asking `user` to check in about safety (a PHQ-9 item 9 above
    0) that nobody has recorded yet, on clients of `user`'s own caseload (the
    person who acts on them; a supervisor sees a supervisee's on the record),
    optionally only `clients`, oldest first, each with its client loaded. One
    query, whatever the number of clients or prompts (for Today)."""
    prompts = (
        MeasureResponse.objects.visible_to(user)
        .needing_safety_check()
        .filter(client__clinician=user)
        .select_related("client")
        .order_by("created_at")
    )
    if clients is not None:
        prompts = prompts.filter(client__in=[c.pk for c in clients])
    return prompts  # type: ignore[no-any-return]


def _needing_check(user: User, client_id: uuid.UUID) -> QuerySet[MeasureResponse]:
    return (
        MeasureResponse.objects.visible_to(user)
        .needing_safety_check()
        .filter(client_id=client_id)
        .order_by("created_at")
    )


def client_safety_prompts(*, user: User, client: Client) -> list[MeasureResponse]:
    """The client's responses whose safety check-in is still to be recorded,
    as `user` may see them (a supervisor reads a supervisee's). One query."""
    return list(_needing_check(user, client.pk))


# The record page's safety prompts, compiled once (clients.access.client_rows):
# building the ORM's query cost ten times what it takes to run (issue #25).
_PROMPTS = sql.CompiledOnce()


def _prompts(user: User, client_id: uuid.UUID) -> QuerySet[Any]:
    return _needing_check(user, client_id).values_list("pk", "code", "taken_on")


def client_safety_prompts_shown(*, user: User, client: Client) -> list[MeasureResponse]:
    """`client_safety_prompts` with what a prompt shows (its measure, title,
    day and link): unsaved responses carrying only those fields. One query,
    compiled once per rule shape."""
    return [
        MeasureResponse(pk=pk, client_id=client.pk, code=code, taken_on=taken_on)
        for pk, code, taken_on in client_rows(
            _PROMPTS, "safety prompts", user, client.pk, _prompts
        )
    ]


def session_measures(*, user: User, session: TherapySession) -> list[MeasureResponse]:
    """The measures taken in `session`, as `user` may see them, in the order
    they were entered. One query."""
    return list(
        MeasureResponse.objects.visible_to(user)
        .filter(session=session)
        .order_by("created_at")
    )
