"""What a clinician may offer on the client's screen, as a list of steps.

Each step is one view (screens/views.py), one template and one entry in STEPS:
adding a step is those three and a test, nothing else (the relationship
check-in and a measure were added this way). The screen's home lists the
steps handed over, in this order; a step's view marks it done
(services.screen_step_done) with the ids of what the person entered, and
`summary` turns those ids into the lines the clinician reads when they take
the device back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from staff.models import User

Summary = Callable[["User", list[str], str], list[str]]


def _goals_summary(user: User, ids: list[str], name: str) -> list[str]:
    from goals.models import Goal, GoalRating

    ratings = GoalRating.objects.filter(
        pk__in=ids, goal__in=Goal.objects.visible_to(user)
    ).select_related("goal")
    lines = []
    for rating in ratings:
        said = f" and said: “{rating.comment}”" if rating.comment else ""
        lines.append(
            f"{name} rated “{rating.goal.wording}” {rating.score} out of 10{said}."
        )
    return lines


def _consent_summary(user: User, ids: list[str], name: str) -> list[str]:
    return [f"{name} signed the consent on this device."] if ids else []


def _checkin_summary(user: User, ids: list[str], name: str) -> list[str]:
    return [f"{name} answered the check-in: it is on the note."] if ids else []


def _measure_summary(user: User, ids: list[str], name: str) -> list[str]:
    from measures import definitions
    from measures.models import MeasureResponse

    lines = []
    for response in MeasureResponse.objects.visible_to(user).filter(pk__in=ids):
        measure = definitions.get(response.code)
        title = measure.title if measure else response.code
        lines.append(f"{name} answered the {title}: {response.total}.")
        if response.needs_safety_check:
            lines.append(
                f"{name}'s answer to question 9 asks for a safety check-in today: "
                "see the prompt on the record."
            )
    return lines


@dataclass(frozen=True)
class Step:
    key: str
    offer: str  # the clinician's checkbox on the hand-over form
    title: str  # the person's link on the screen
    url_name: str
    summary: Summary
    # Offered only while a consent waits to be signed on the device.
    needs_consent: bool = False
    # Offered only when handed over from a note (it is about that session).
    needs_note: bool = False


STEPS: tuple[Step, ...] = (
    Step(
        key="goals",
        offer="Rate their goals",
        title="How close do you feel to your goals?",
        url_name="screen:goals",
        summary=_goals_summary,
    ),
    Step(
        key="checkin",
        offer="The check-in about this session",
        title="How was today’s session for you?",
        url_name="screen:checkin",
        summary=_checkin_summary,
        needs_note=True,
    ),
    Step(
        key="measure",
        offer="A questionnaire",
        title="A few questions about how you have been",
        url_name="screen:measure",
        summary=_measure_summary,
    ),
    Step(
        key="consent",
        offer="Read and sign the consent waiting to be signed",
        title="Read your consent, and sign it if you agree",
        url_name="screen:consent",
        summary=_consent_summary,
        needs_consent=True,
    ),
)
BY_KEY = {step.key: step for step in STEPS}


def offered(*, consent_waiting: bool, from_note: bool = False) -> list[Step]:
    """The steps the hand-over form offers for a client: the check-in only
    from a note, the consent only while one waits to be signed."""
    return [
        s
        for s in STEPS
        if (consent_waiting or not s.needs_consent) and (from_note or not s.needs_note)
    ]
