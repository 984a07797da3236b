"""The standard measures, as data, in one place (issue #22, section 3).

Each measure is a frozen `Measure`: its items in the published wording, the
answers with their points, how it is scored (the sum of the items' points) and
its bands with their published labels. Views, forms, the scoring service, the
charts and the client's hand-held screen all read these; adding a measure is a
new definition here plus its tests, never a new view.

A score is a way into a conversation, never a condition of care: nothing here
gates anything (docs/design.md, "The stance").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    points: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    # Answers of this item alone (AUDIT-C's differ per item); empty: the
    # measure's own.
    own_answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    full_name: str
    stem: str
    items: tuple[Item, ...]
    answers: tuple[Answer, ...]
    bands: tuple[Band, ...]
    source: str
    licence: str
    # Said beside every score, as information only (AUDIT-C's cut-offs).
    information: str = ""
    # Items whose answer above 0 asks the clinician to check in about safety
    # today (PHQ-9 item 9), with the words the prompt uses.
    safety_items: tuple[str, ...] = ()
    safety_prompt: str = ""

    def answers_for(self, item: Item) -> tuple[Answer, ...]:
        """The answers offered for `item`: its own, or the measure's."""
        return item.own_answers or self.answers

    @property
    def max_total(self) -> int:
        return sum(max(a.points for a in self.answers_for(i)) for i in self.items)

    def score(self, answers: Mapping[str, int]) -> int:
        """The published scoring: the sum of the items' points. `answers`
        must already be complete and valid (`problems` says what is not)."""
        return sum(answers[item.key] for item in self.items)

    def band_for(self, total: int) -> str:
        """The published label of the band `total` falls in ("" for a
        measure without bands, such as AUDIT-C)."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return ""

    def problems(self, answers: Mapping[str, object]) -> list[str]:
        """What is wrong with `answers` (item key → points), in plain words:
        an item without an answer, an answer this measure does not have, an
        item it does not ask. Empty when they can be scored."""
        found = []
        keys = {item.key for item in self.items}
        for number, item in enumerate(self.items, start=1):
            value = answers.get(item.key)
            if value is None:
                found.append(f"Question {number} has no answer yet.")
            elif type(value) is not int or value not in {
                a.points for a in self.answers_for(item)
            }:
                found.append(
                    f"Question {number} has an answer this measure does not have."
                )
        if set(answers) - keys:
            found.append(f"These answers are not questions of the {self.title}.")
        return found

    def needs_safety_check(self, answers: Mapping[str, int]) -> bool:
        return any(answers.get(key, 0) > 0 for key in self.safety_items)


FREQUENCY_2_WEEKS = (
    Answer(0, "Not at all"),
    Answer(1, "Several days"),
    Answer(2, "More than half the days"),
    Answer(3, "Nearly every day"),
)

PFIZER_LICENCE = (
    "Developed by Drs Robert L. Spitzer, Janet B. W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission is "
    "required to reproduce, translate, display or distribute."
)

PHQ9 = Measure(
    code="phq9",
    title="PHQ-9",
    full_name="Patient Health Questionnaire (PHQ-9)",
    stem=(
        "Over the last 2 weeks, how often have you been bothered by any of the "
        "following problems?"
    ),
    items=(
        Item("1", "Little interest or pleasure in doing things"),
        Item("2", "Feeling down, depressed, or hopeless"),
        Item("3", "Trouble falling or staying asleep, or sleeping too much"),
        Item("4", "Feeling tired or having little energy"),
        Item("5", "Poor appetite or overeating"),
        Item(
            "6",
            "Feeling bad about yourself — or that you are a failure or have let "
            "yourself or your family down",
        ),
        Item(
            "7",
            "Trouble concentrating on things, such as reading the newspaper or "
            "watching television",
        ),
        Item(
            "8",
            "Moving or speaking so slowly that other people could have noticed? "
            "Or the opposite — being so fidgety or restless that you have been "
            "moving around a lot more than usual",
        ),
        Item(
            "9",
            "Thoughts that you would be better off dead or of hurting yourself in "
            "some way",
        ),
    ),
    answers=FREQUENCY_2_WEEKS,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
    source=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief "
        "depression severity measure. J Gen Intern Med 2001;16:606–613."
    ),
    licence=PFIZER_LICENCE,
    safety_items=("9",),
    safety_prompt=(
        "They marked thoughts of being better off dead or of hurting themselves. "
        "Check in about safety today."
    ),
)

GAD7 = Measure(
    code="gad7",
    title="GAD-7",
    full_name="Generalized Anxiety Disorder scale (GAD-7)",
    stem=(
        "Over the last 2 weeks, how often have you been bothered by the following "
        "problems?"
    ),
    items=(
        Item("1", "Feeling nervous, anxious, or on edge"),
        Item("2", "Not being able to stop or control worrying"),
        Item("3", "Worrying too much about different things"),
        Item("4", "Trouble relaxing"),
        Item("5", "Being so restless that it is hard to sit still"),
        Item("6", "Becoming easily annoyed or irritable"),
        Item("7", "Feeling afraid, as if something awful might happen"),
    ),
    answers=FREQUENCY_2_WEEKS,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
    source=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for "
        "assessing generalized anxiety disorder: the GAD-7. Arch Intern Med "
        "2006;166:1092–1097."
    ),
    licence=PFIZER_LICENCE,
)

AUDIT_C = Measure(
    code="auditc",
    title="AUDIT-C",
    full_name="Alcohol Use Disorders Identification Test – Consumption (AUDIT-C)",
    stem="Questions about drinking alcohol.",
    items=(
        Item(
            "1",
            "How often do you have a drink containing alcohol?",
            (
                Answer(0, "Never"),
                Answer(1, "Monthly or less"),
                Answer(2, "2 to 4 times a month"),
                Answer(3, "2 to 3 times a week"),
                Answer(4, "4 or more times a week"),
            ),
        ),
        Item(
            "2",
            "How many drinks containing alcohol do you have on a typical day when "
            "you are drinking?",
            (
                Answer(0, "1 or 2"),
                Answer(1, "3 or 4"),
                Answer(2, "5 or 6"),
                Answer(3, "7, 8, or 9"),
                Answer(4, "10 or more"),
            ),
        ),
        Item(
            "3",
            "How often do you have six or more drinks on one occasion?",
            (
                Answer(0, "Never"),
                Answer(1, "Less than monthly"),
                Answer(2, "Monthly"),
                Answer(3, "Weekly"),
                Answer(4, "Daily or almost daily"),
            ),
        ),
    ),
    # Every item has its own answers (above), each scored 0–4.
    answers=(),
    # AUDIT-C has no published severity bands: its cut-offs are information.
    bands=(),
    source=(
        "Items 1–3 of the WHO AUDIT: Babor TF, Higgins-Biddle JC, Saunders JB, "
        "Monteiro MG. AUDIT: The Alcohol Use Disorders Identification Test, 2nd "
        "ed. World Health Organization 2001 (WHO/MSD/MSB/01.6a). AUDIT-C: Bush K "
        "et al. Arch Intern Med 1998;158:1789–1795."
    ),
    licence="WHO AUDIT: public domain; it may be used without permission.",
    information=(
        "For information only: studies of AUDIT-C often use 4 or more (men) and "
        "3 or more (women) as a point to talk further about drinking. We do not "
        "record sex, so both are shown. It is never a condition of care."
    ),
)

MEASURES: dict[str, Measure] = {m.code: m for m in (PHQ9, GAD7, AUDIT_C)}


def get(code: str) -> Measure | None:
    return MEASURES.get(code)


class OfMeasure:
    """The measure and title of whatever names one by its `code`: a response
    (measures.models.MeasureResponse), or one read as values (Today's safety
    prompts)."""

    __slots__ = ()
    code: str

    @property
    def measure(self) -> Measure | None:
        return get(self.code)

    @property
    def title(self) -> str:
        measure = self.measure
        return measure.title if measure else self.code
