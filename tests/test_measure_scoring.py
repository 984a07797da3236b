"""Standard measures scored exactly as published (issue #22, section 3):
every band boundary of PHQ-9 and GAD-7, AUDIT-C's whole range, the answers
each item allows, and the definitions' own consistency (so a new measure is
checked by the same tests)."""

from __future__ import annotations

import pytest

from measures import definitions
from measures.definitions import AUDIT_C, GAD7, PHQ9, Measure


def answers_totalling(measure: Measure, total: int) -> dict[str, int]:
    """Answers to `measure` adding up to `total`, filled from the first item."""
    answers = {}
    left = total
    for item in measure.items:
        top = max(a.points for a in measure.answers_for(item))
        answers[item.key] = min(top, left)
        left -= answers[item.key]
    assert left == 0, "total beyond the measure's range"
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_bands_at_every_boundary(total: int, band: str) -> None:
    answers = answers_totalling(PHQ9, total)
    assert PHQ9.problems(answers) == []
    assert PHQ9.score(answers) == total
    assert PHQ9.band_for(total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_gad7_bands_at_every_boundary(total: int, band: str) -> None:
    answers = answers_totalling(GAD7, total)
    assert GAD7.score(answers) == total
    assert GAD7.band_for(total) == band


def test_a_worked_phq9_is_the_sum_of_its_items() -> None:
    # Several days (1) for items 1, 2 and 5; more than half the days (2) for
    # 3 and 7; nearly every day (3) for 6; not at all for 4, 8 and 9: 10,
    # moderate, and no safety check-in (item 9 is 0).
    answers = dict(zip("123456789", (1, 1, 2, 0, 1, 3, 2, 0, 0), strict=True))
    assert PHQ9.score(answers) == 10
    assert PHQ9.band_for(10) == "Moderate"
    assert not PHQ9.needs_safety_check(answers)


def test_any_answer_above_0_on_phq9_item_9_asks_for_a_safety_check_in() -> None:
    for points in (1, 2, 3):
        answers = {**answers_totalling(PHQ9, 0), "9": points}
        assert PHQ9.needs_safety_check(answers)
    # A high total without item 9 asks nothing of the kind.
    assert not PHQ9.needs_safety_check({**answers_totalling(PHQ9, 24), "9": 0})
    assert not GAD7.needs_safety_check(answers_totalling(GAD7, 21))


def test_audit_c_runs_from_0_to_12_with_its_cut_offs_as_information_only() -> None:
    assert AUDIT_C.max_total == 12
    assert AUDIT_C.score(answers_totalling(AUDIT_C, 0)) == 0
    assert AUDIT_C.score({"1": 4, "2": 4, "3": 4}) == 12
    # A worked example: monthly or less (1), 3 or 4 drinks (1), less than
    # monthly six or more (1): 3.
    assert AUDIT_C.score({"1": 1, "2": 1, "3": 1}) == 3
    # No bands: its cut-offs are said beside the score, both of them, and
    # never as a label on the person.
    assert AUDIT_C.band_for(12) == "" and AUDIT_C.band_for(0) == ""
    assert "4 or more" in AUDIT_C.information
    assert "3 or more" in AUDIT_C.information
    assert "information only" in AUDIT_C.information.lower()


def test_audit_c_items_have_their_own_published_answers() -> None:
    first, second, third = (AUDIT_C.answers_for(item) for item in AUDIT_C.items)
    assert [a.label for a in first] == [
        "Never",
        "Monthly or less",
        "2 to 4 times a month",
        "2 to 3 times a week",
        "4 or more times a week",
    ]
    assert [a.label for a in second][0] == "1 or 2"
    assert [a.label for a in third][-1] == "Daily or almost daily"
    assert all(
        [a.points for a in answers] == [0, 1, 2, 3, 4]
        for answers in (first, second, third)
    )


def test_the_published_wording_is_kept() -> None:
    assert PHQ9.items[8].text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert GAD7.items[1].text == "Not being able to stop or control worrying"
    assert [a.label for a in PHQ9.answers] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]


@pytest.mark.parametrize("code", sorted(definitions.MEASURES))
def test_every_definition_is_complete(code: str) -> None:
    measure = definitions.MEASURES[code]
    assert measure.code == code and measure.items and measure.source and measure.licence
    assert len({item.key for item in measure.items}) == len(measure.items)
    for item in measure.items:
        points = [a.points for a in measure.answers_for(item)]
        assert points == sorted(set(points)) and points[0] == 0, item.key
        assert all(a.label for a in measure.answers_for(item)), item.key
    if measure.bands:
        # Bands cover 0 to the maximum, each starting where the last ended.
        assert measure.bands[0].low == 0
        assert measure.bands[-1].high == measure.max_total
        for lower, upper in zip(measure.bands, measure.bands[1:], strict=False):
            assert upper.low == lower.high + 1
    for key in measure.safety_items:
        assert key in {item.key for item in measure.items}
        assert measure.safety_prompt


def test_problems_name_what_is_missing_or_not_an_answer() -> None:
    answers = answers_totalling(GAD7, 3)
    del answers["4"]
    assert GAD7.problems(answers) == ["Question 4 has no answer yet."]
    assert GAD7.problems({**answers_totalling(GAD7, 0), "2": 4}) == [
        "Question 2 has an answer this measure does not have."
    ]
    # True is not 1: a mangled value is refused, never counted.
    assert GAD7.problems({**answers_totalling(GAD7, 0), "2": True}) != []
    assert GAD7.problems({**answers_totalling(GAD7, 0), "8": 0}) == [
        "These answers are not questions of the GAD-7."
    ]
