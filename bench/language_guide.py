"""How the language guide's time grows with the length of a note.

Prints ratios, not absolute times (they depend on the machine): the time for a
note 10x and 100x longer, over the time for a 1,000-character note. Linear
matching gives ratios near 10 and 100. The last line is what a page pays for a
2.4 MB draft (sessions_tags.language_suggestions checks a bounded prefix): it
stays near PAGE_CHECK_MAX_CHARS / 1,000, whatever the draft's size.
Run: .venv/bin/python bench/language_guide.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hr_clinic.settings")

from sessions.language import find_suggestions  # noqa: E402

SENTENCE = (
    "She said she relapsed on Friday; we talked about using with someone around. "
    "\u201cI stayed clean for a week,\u201d she said. The room was clean and quiet. "
)


def _best_of(text: str, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        find_suggestions(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    base = _best_of((SENTENCE * 20)[:1_000])
    print("note length   time / time for 1,000 characters")
    for length in (10_000, 100_000):
        ratio = _best_of((SENTENCE * (length // len(SENTENCE) + 1))[:length]) / base
        print(f"{length:>11,}   {ratio:6.1f}")
    quotes = " 'a" * 30_000 + " " + '"b ' * 30_000
    ratio = _best_of(quotes[:100_000]) / base
    print(f"{'100,000 with unmatched quotes':>11}   {ratio:6.1f}")
    # What the edit and sign pages run: the template tag, bounded.
    import django

    django.setup()
    from sessions.templatetags.sessions_tags import language_suggestions

    huge = (SENTENCE * (2_400_000 // len(SENTENCE) + 1))[:2_400_000]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        language_suggestions(huge)
        best = min(best, time.perf_counter() - started)
    print(f"{'2,400,000 on a page':>11}   {best / base:6.1f}")


if __name__ == "__main__":
    main()
