"""Product rule 3: the product's own words are person-first.

Every template (and every page, as rendered) is read with the language guide's
own matcher. Quotation marks do not hide anything here: in HTML they wrap
attributes such as aria-label and placeholder, which are interface text too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from sessions.language import find_suggestions
from tests.urlwalk import project_routes

ROOT = Path(settings.BASE_DIR)
SCANNED = [ROOT / "templates", ROOT / "static" / "js"]

# These teach the terms, so they must quote them.
ALLOWED_FILES = {
    Path("templates/sessions/language_guide.html"),
    Path("templates/sessions/_language_suggestions.html"),
}
ALLOWED_ROUTES = {"sessions:language_guide"}


def _product_files() -> list[Path]:
    files = [p for folder in SCANNED for p in sorted(folder.rglob("*")) if p.is_file()]
    return [p.relative_to(ROOT) for p in files]


def _findings(text: str) -> list[str]:
    return [
        f"{s.matched!r} ({s.term}) in …{text[max(0, s.start - 40) : s.end + 40]!r}…"
        for s in find_suggestions(text, honour_quotes=False)
    ]


def test_templates_are_scanned() -> None:
    files = _product_files()
    assert Path("templates/base.html") in files
    assert ALLOWED_FILES <= set(files)


@pytest.mark.parametrize(
    "path", [p for p in _product_files() if p not in ALLOWED_FILES], ids=str
)
def test_product_file_uses_person_first_words(path: Path) -> None:
    assert _findings((ROOT / path).read_text(encoding="utf-8")) == []


def test_the_scan_would_catch_a_term_in_an_attribute() -> None:
    assert _findings('<input placeholder="Drug user history">')


@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor", "as_admin"])
def test_rendered_pages_use_person_first_words(
    persona: str, request: pytest.FixtureRequest
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    for route in project_routes():
        if route.name in ALLOWED_ROUTES:
            continue
        response = http.get(route.path)
        if response.get("Content-Type", "").startswith("text/html"):
            text = response.content.decode()
            assert _findings(text) == [], route.name
