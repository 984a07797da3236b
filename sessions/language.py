"""The language guide: find stigmatising terms in clinical text (product rule 4).

`find_suggestions(text)` returns gentle, person-first suggestions for a note, a goal
or any other clinical text. It is self-contained (no Django, no database) so every
app can call it, in a view on save or from the live-check endpoint.

The terms live in `language_terms.tsv` next to this module, one row per term:

- `avoid`, `use_instead` (alternatives separated by ";"), `note`, `source`: from
  the shared list in `language/terms.tsv`; the sources are kept as given.
- `why`: one or two plain sentences for the guide page and the suggestions.
- `patterns`: one or more regular expressions, separated by " || ", that say in
  which *context* the term is stigmatising ("clean" about a person, a test or a
  syringe, but not "a clean room"). A named group `(?P<t>...)` marks the words
  to flag when the pattern also needs surrounding words; without it the whole
  match is flagged.
- `exceptions`: regular expressions (same syntax) for names that keep their
  wording, such as agencies and statutes ("Substance Abuse and Mental Health
  Services Administration"); a match of the term inside one is not flagged.
- `context`: the choices in plain words, for reviewers and for the guide page.

Pattern syntax, kept small so the TSV stays readable:

- a space means "one or more whitespace characters" (outside `[...]`);
- `_` means "spaces or hyphens" (`drug_seeking`: drug-seeking, drug seeking);
- `{name}` inserts one of the shared fragments in `_MACROS` (`{substance}`, ...);
- matching is case-insensitive and always on whole words.

Quoting is honoured: text inside quotation marks is the client's own words and is
never flagged. Recognised pairs are "...", “...”, ‘...’, '...' and «...». Single
quotes count only at word edges, so the apostrophes in "client's" or "didn't"
never open or close a quote. A quote must close within its paragraph (text up to
a blank line); an opening mark that never closes is treated as not a quote, so a
stray mark cannot hide the rest of a note.

When suggestions overlap, the longest wins ("former addict" is one suggestion,
not also "addict").
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

TERMS_FILE = Path(__file__).with_name("language_terms.tsv")

# Shared fragments for the TSV patterns. They are inserted after the space and
# underscore shorthands are expanded, so they are written in plain `re` syntax.
_MACROS: dict[str, str] = {
    "substance": (
        r"(?:drugs?|substances?|alcohol|heroin|opioids?|opiates?|fentanyl|crack"
        r"|cocaine|coke|meth|methamphetamines?|amphetamines?|speed|stimulants?"
        r"|benzos?|benzodiazepines?|cannabis|marijuana|pot|weed|ketamine|pills?"
        r"|prescription|polysubstance|iv|intravenous|injection|injecting|needle"
        r"|narcotics?|dope)"
    ),
    "num": (
        r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
        r"|twelve|several|a\s+few|few|many|a\s+couple\s+of|couple\s+of)"
    ),
    "period": r"(?:days?|weeks?|months?|years?|yrs?)",
    "month": (
        r"(?:january|february|march|april|may|june|july|august|september|october"
        r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
    ),
    "weekday": r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    # A person as the subject of a sentence in a note.
    "person": (
        r"(?:he|she|they|i|we|you|client|patient|pt"
        r"|(?:he|she|they|i|we|you)['’](?:s|re|m|ve|d))"
    ),
    # Auxiliary and linking verbs between a person and what is said about them.
    "copula": (
        r"(?:has|have|had|is|was|were|are|am|will|would|could|can|may|might|be"
        r"|been|being|got|get|gets|getting|stay|stays|stayed|staying|remain"
        r"|remains|remained|remaining|kept|keeps|still|now|finally|not|never"
        r"|wants\s+to|want\s+to|wanted\s+to|trying\s+to|tried\s+to|tries\s+to"
        r"|hopes\s+to|hoped\s+to|plans\s+to|going\s+to|to|reports?|reported"
        r"|says|said|claims|claimed|seems?|seemed|appears?|appeared|became"
        r"|becomes|feels?|felt|continues\s+to|continued\s+to|tends\s+to"
        r"|tended\s+to)"
    ),
    # "clean" as an adjective, not "clean-shaven", "clean and dry" or a verb
    # with an object ("she will clean the room").
    "clean": (
        r"(?P<t>clean)(?![-‐‑]|\s+and\s+(?:dry|tidy|neat|intact|well)\b"
        r"|\s+(?:the(?!\s+(?:whole|entire|last|past)\b)|a|an|her|his|their|my"
        r"|your|our|up|out|it|them|this|that"
        r"|these|those|off|its|some|everything)\b)"
    ),
    "dirty": r"(?P<t>dirty)(?![-‐‑])",
    # After "she is clean" or "got clean": the end of a clause, a time or a
    # preposition, so "she has clean clothes" stays unflagged.
    "clause_end": (
        r"(?=\s*(?:[.,;:!?)\]\"”’]|\Z)|\n|\s+(?:\d|and|but|or|so|in|on|at|for"
        r"|from|after|before|since|until|when|while|with|without|through|again"
        r"|now|today|currently|still|ever|once|twice|last|this|these|years?"
        r"|months?|weeks?|days?|eventually|finally|because|though|although"
        r"|the\s+(?:whole|entire|last|past))\b)"
    ),
    "test": (
        r"(?:urines?|uas?|udss?|tox(?:icology)?(?:\s+(?:screens?|results?|tests?))?"
        r"|(?:urine\s+)?(?:drug\s+)?(?:tests?|screens?|screenings?|samples?"
        r"|specimens?|results?|panels?)|drops?|pee\s+tests?)"
    ),
    "result_verb": (
        r"(?:(?:came|comes|come|coming|returned|returns)(?:\s+back)?"
        r"|(?:came|comes)\s+up|was|were|is|are|has\s+been|have\s+been|had\s+been)"
    ),
    "tested": r"(?:tested|tests|testing|test|peed|pees|pee|dropped|dropping)",
    # Equipment that is unambiguous on its own ("clean needles") ...
    "gear": r"(?:needles?|syringes?|works|rigs?|cookers?|cottons?)",
    # ... and equipment named only with a qualifier ("clean injecting supplies"),
    # since "clean supplies" or "a dirty pipe" may mean exactly that.
    "gear_qualified": r"(?:pipes?|stems?|gear|equipment|supplies|kits?)",
}

_HYPHENS = r"(?:[\s\-‐‑]+)"


@dataclass(frozen=True)
class Term:
    """One row of `language_terms.tsv`."""

    avoid: str
    alternatives: tuple[str, ...]
    note: str
    source: str
    why: str
    context: str
    patterns: tuple[re.Pattern[str], ...]
    exceptions: tuple[re.Pattern[str], ...]

    @property
    def use_instead(self) -> str:
        return "; ".join(self.alternatives)


@dataclass(frozen=True)
class Suggestion:
    """A stigmatising term found in a text.

    `start` and `end` index the original text: `text[start:end] == matched`.
    """

    matched: str
    start: int
    end: int
    term: str
    alternatives: tuple[str, ...]
    why: str
    source: str


@dataclass(frozen=True)
class TermSuggestions:
    """All suggestions for one term, as the suggestion fragment lists them."""

    term: Term
    found: tuple[str, ...]  # distinct spellings as written, in order of appearance
    count: int


def _expand(pattern: str) -> str:
    """Turn the TSV shorthand into `re` syntax (see the module docstring)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == " ":
            out.append(r"\s+")
        elif char == "_":
            out.append(_HYPHENS)
        elif char == "{" and (close := pattern.find("}", i)) > i:
            name = pattern[i + 1 : close]
            if name in _MACROS:
                out.append(_MACROS[name])
                i = close + 1
                continue
            out.append(char)  # a quantifier such as {1,2}
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + _expand(pattern) + r")(?!\w)", re.IGNORECASE)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(" || ") if part.strip())


def load_terms(path: Path = TERMS_FILE) -> tuple[Term, ...]:
    """Read and compile a terms file. Raises ValueError on a malformed row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    expected = [
        "avoid",
        "use_instead",
        "note",
        "source",
        "why",
        "patterns",
        "exceptions",
        "context",
    ]
    if header != expected:
        raise ValueError(f"{path.name}: columns must be {expected}")
    terms = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(expected):
            raise ValueError(f"{path.name}:{number}: expected {len(expected)} cells")
        row = dict(zip(expected, cells, strict=True))
        patterns = tuple(_compile(p) for p in _split(row["patterns"]))
        if not patterns or not row["source"].strip():
            raise ValueError(f"{path.name}:{number}: a pattern and a source are needed")
        terms.append(
            Term(
                avoid=row["avoid"],
                alternatives=tuple(
                    a.strip() for a in row["use_instead"].split(";") if a.strip()
                ),
                note=row["note"],
                source=row["source"],
                why=row["why"],
                context=row["context"],
                patterns=patterns,
                exceptions=tuple(_compile(p) for p in _split(row["exceptions"])),
            )
        )
    return tuple(terms)


# Compiled once, at import.
TERMS: tuple[Term, ...] = load_terms()
TERMS_BY_AVOID: dict[str, Term] = {term.avoid: term for term in TERMS}

# Quotation marks: opening mark -> closing mark, per kind.
_DOUBLE_STRAIGHT = '"'
_PAIRS = {"“": "”", "«": "»", "‘": "’"}
_QUOTE_TOKENS = re.compile(r"\n[^\S\n]*\n|[\"“”«»‘’']")
_OPEN_BEFORE = set('([{<—–-/"“«')


def _opens_single(text: str, i: int) -> bool:
    """A single quote at i can open a quote: at a word's start, not inside one."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in _OPEN_BEFORE) and not after.isspace()


def _closes_single(text: str, i: int) -> bool:
    """A single quote at i can close a quote: after a word, not an apostrophe."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not (after.isalnum() or after == "_")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of quoted passages, marks included, sorted.

    A quote closes within its paragraph or is not a quote. Linear in the number
    of quotation marks: each mark's next possible closer is found in one
    backwards pass, then the marks are paired in one forwards pass.
    """
    # Tokens: (position, kinds it can open, kinds it can close); None = paragraph.
    tokens: list[tuple[int, str, str] | None] = []
    for match in _QUOTE_TOKENS.finditer(text):
        mark, i = match.group(), match.start()
        if mark.startswith("\n"):
            tokens.append(None)
        elif mark == _DOUBLE_STRAIGHT:
            tokens.append((i, '"', '"'))
        elif mark in ("”", "»"):
            tokens.append((i, "", "“" if mark == "”" else "«"))
        elif mark in ("“", "«"):
            tokens.append((i, mark, ""))
        else:  # ‘ ’ or '
            kind = "'" if mark == "'" else "‘"
            opens = kind if mark != "’" and _opens_single(text, i) else ""
            closes = kind if mark != "‘" and _closes_single(text, i) else ""
            tokens.append((i, opens, closes))

    # next_close[k][kind]: index of the first token after k that closes `kind`
    # within the same paragraph.
    next_close: list[dict[str, int]] = [{} for _ in tokens]
    ahead: dict[str, int] = {}
    for k in range(len(tokens) - 1, -1, -1):
        next_close[k] = ahead
        token = tokens[k]
        if token is None:
            ahead = {}
        elif token[2]:
            ahead = {**ahead, token[2]: k}

    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token is not None and token[1] and token[1] in next_close[k]:
            closer = next_close[k][token[1]]
            end_token = tokens[closer]
            assert end_token is not None
            spans.append((token[0], end_token[0] + 1))
            k = closer + 1
        else:
            k += 1
    return spans


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) meets any span of a sorted, non-overlapping list."""
    k = bisect_right(spans, (start, sys.maxsize)) - 1
    if k >= 0 and spans[k][1] > start:
        return True
    return k + 1 < len(spans) and spans[k + 1][0] < end


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined, ready for `_overlaps`."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _candidates(text: str, term: Term) -> Iterable[tuple[int, int]]:
    shields = _merged(
        (m.start(), m.end()) for rx in term.exceptions for m in rx.finditer(text)
    )
    for rx in term.patterns:
        for match in rx.finditer(text):
            group = "t" if "t" in rx.groupindex and match.start("t") >= 0 else 0
            start, end = match.start(group), match.end(group)
            if start < end and not (shields and _overlaps(shields, start, end)):
                yield start, end


def find_suggestions(text: str, *, honour_quotes: bool = True) -> list[Suggestion]:
    """Stigmatising terms in `text`, with person-first alternatives, in order.

    Case-insensitive; offsets index the original text. Text in quotation marks
    is skipped unless `honour_quotes` is False (the product-language test reads
    HTML attributes, which are quoted). Overlapping finds are resolved in favour
    of the longest. Never raises, whatever the input; time grows linearly with
    the length of the text.
    """
    if not isinstance(text, str) or not text:
        return []
    quotes = quoted_spans(text) if honour_quotes else []
    found: list[tuple[int, int, int]] = []  # (start, end, term index)
    for index, term in enumerate(TERMS):
        for start, end in _candidates(text, term):
            if not (quotes and _overlaps(quotes, start, end)):
                found.append((start, end, index))

    # Longest first, then leftmost, then the TSV's order; keep what does not
    # overlap anything kept already.
    found.sort(key=lambda f: (f[0] - f[1], f[0], f[2]))
    kept: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, int]] = []
    for start, end, index in found:
        if not _overlaps(kept, start, end):
            kept.insert(bisect_right(kept, (start, end)), (start, end))
            chosen.append((start, end, index))
    chosen.sort()
    return [
        Suggestion(
            matched=text[start:end],
            start=start,
            end=end,
            term=TERMS[index].avoid,
            alternatives=TERMS[index].alternatives,
            why=TERMS[index].why,
            source=TERMS[index].source,
        )
        for start, end, index in chosen
    ]


def group_by_term(suggestions: Iterable[Suggestion]) -> list[TermSuggestions]:
    """Suggestions gathered per term, in order of first appearance."""
    order: list[str] = []
    found: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for suggestion in suggestions:
        if suggestion.term not in found:
            order.append(suggestion.term)
            found[suggestion.term] = []
            counts[suggestion.term] = 0
        counts[suggestion.term] += 1
        spellings = found[suggestion.term]
        if suggestion.matched.lower() not in (s.lower() for s in spellings):
            spellings.append(suggestion.matched)
    return [
        TermSuggestions(
            term=TERMS_BY_AVOID[avoid], found=tuple(found[avoid]), count=counts[avoid]
        )
        for avoid in order
    ]


def hint_attrs(target_id: str) -> dict[str, str]:
    """Widget attributes that have js/language-guide.js check a textarea as it
    is typed in, showing the suggestions in the live region `target_id` (see
    templates/sessions/_language_hint.html, included right after the field)."""
    return {"data-language-check": "", "data-language-target": target_id}


def summary(text: str) -> str:
    """The suggestions for `text` as one plain-text sentence, or "" when there
    are none: for a message after a save that leaves the form (an addendum, a
    review comment, a goal), where no suggestion fragment is shown. Names what
    was written, so "Kicked out for drinking" is recognisable."""
    groups = group_by_term(find_suggestions(text))
    if not groups:
        return ""
    parts = [
        "consider "
        + " or ".join(f"“{alternative}”" for alternative in group.term.alternatives)
        + " instead of "
        + ", ".join(f"“{spelling}”" for spelling in group.found)
        for group in groups
    ]
    return "Language guide (a suggestion only): " + "; ".join(parts) + "."
