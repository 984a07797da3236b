"""Privacy between members (issue #24): a member's record never shows another
member's name. The shared part is written about the group, and each member's
note about that member; this finds another member's name where it would leak,
so the meeting page can warn. It never blocks a save: a name can be a common
word ("Hope"), and the facilitator decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

APOSTROPHES = "'\u2019"
# A name is a whole word: not inside a longer word, and not one part of a
# hyphenated or apostrophe'd name ("Jo" is not in "Mary-Jo" or "D'Jo"). A
# possessive is still the name ("Sam's" is Sam).
_BEFORE = rf"(?<!\w)(?<!\w[-{APOSTROPHES}])"
_AFTER = rf"(?:(?=[{APOSTROPHES}]s\b)|(?![\w]|[-{APOSTROPHES}]\w))"


def _name_pattern(name: str) -> str:
    parts = []
    for char in name:
        if char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def name_forms(name: str) -> list[str]:
    """What counts as a mention of someone called `name`: the whole name, and
    each part of it of two letters or more (people are called by their first
    name in a room: "Alex" for "Alex R.")."""
    whole = " ".join(name.split())
    if not whole:
        return []
    parts = [p.strip(".,") for p in whole.split(" ")]
    forms = [whole, *parts]
    # A lone initial ("J.") is no name to look for: it matches too much.
    return list(dict.fromkeys(f for f in forms if sum(c.isalpha() for c in f) >= 2))


@lru_cache(maxsize=512)
def _matcher(name: str) -> re.Pattern[str] | None:
    forms = sorted(name_forms(name), key=len, reverse=True)
    if not forms:
        return None
    alternatives = "|".join(_name_pattern(f) for f in forms)
    return re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE)


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The `names` that appear in `text` as words, case ignored, each once, in
    the order given."""
    if not text:
        return []
    found = []
    for name in dict.fromkeys(names):
        matcher = _matcher(name)
        if matcher is not None and matcher.search(text):
            found.append(name)
    return found
