"""The relationship check-in's wording, in one place (issue #22, section 2).

The project's own words, written for hr_clinic: not a licensed or validated
scale (it is not the ORS or SRS, and copies neither), so its answers are a
check-in to talk about, never a score that decides anything. Each item is
0–10 in the person's own voice, and every one may be left unanswered.

Adding, rewording or dropping an item is a change here plus a migration for
its column on `sessions.models.RelationshipCheckIn` (the key is the column).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckInItem:
    key: str  # the column on RelationshipCheckIn
    wording: str  # as the person reads it, in their own voice
    short: str  # for tables, charts and the gentle prompt


ITEMS: tuple[CheckInItem, ...] = (
    CheckInItem("heard", "I felt heard and respected", "feeling heard and respected"),
    CheckInItem(
        "wanted",
        "We worked on what I wanted to work on",
        "working on what they wanted",
    ),
    CheckInItem(
        "honest",
        "It felt OK to be honest with you about my use",
        "feeling OK to be honest about their use",
    ),
    CheckInItem("helped", "Today helped", "whether today helped"),
)

KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS)

WORDS_PROMPT = "Anything you want your clinician to know?"

# An answer at or below this shows the clinician a gentle prompt to ask about
# it next time (and nothing else: no flag, no alert, no gate).
LOW_AT_OR_BELOW = 4

# The supervisor's team trend shows a month's averages only when at least
# this many check-ins make it up: fewer, and one person's answers could be
# read from the average (small-cell suppression).
TEAM_MIN_COUNT = 3
