"""Where code may live (STYLE rule 1, issue #17): `hr_clinic/lib/` sits below
every app and imports none of them, and the benchmark's tooling (bench/) is
reached only through its own settings module, never from the product."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, get_resolver, reverse
from pytest_django.asserts import assertContains

from bench.benchmark import verified_test_client
from staff.models import User

ROOT = Path(settings.BASE_DIR)
APPS = {"clients", "sessions", "goals", "staff", "audit"}
PRODUCT = [*sorted(APPS), "hr_clinic"]
BENCH_COMMANDS = {"seed_scale", "run_bench"}


def _imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (inside functions too), and
    every constant name given to importlib.import_module or __import__."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules.add(node.args[0].value)
    return modules


def _top_level(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def _mentions_bench(path: Path) -> list[str]:
    """Names, attributes and strings in `path`'s code that mention the bench
    (comments aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.alias):
            text = node.name
        elif isinstance(node, ast.ImportFrom):
            text = node.module
        if text and "bench" in text.lower():
            found.append(f"line {getattr(node, 'lineno', '?')}: {text!r}")
    return found


LIB_FILES = sorted((ROOT / "hr_clinic" / "lib").glob("*.py"))


def test_the_library_is_there_to_check() -> None:
    assert len(LIB_FILES) > 5


@pytest.mark.parametrize("path", LIB_FILES, ids=lambda p: p.name)
def test_the_library_imports_no_app(path: Path) -> None:
    imported = _top_level(_imported_modules(path))
    assert not imported & (APPS | {"bench"}), sorted(imported & (APPS | {"bench"}))


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import importlib\n"
        "def f():\n"
        "    from staff.models import User\n"
        "    import audit.verify\n"
        "    return importlib.import_module('goals.models')\n"
    )
    assert _top_level(_imported_modules(module)) >= {"staff", "audit", "goals"}


@pytest.mark.parametrize(
    "path",
    [ROOT / "hr_clinic" / "settings.py", ROOT / "hr_clinic" / "urls.py"],
    ids=lambda p: p.name,
)
def test_the_products_settings_and_urls_know_nothing_of_the_bench(
    path: Path,
) -> None:
    assert _mentions_bench(path) == []


def test_no_product_module_imports_the_bench() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if "bench" in _top_level(_imported_modules(path))
    ]
    assert importers == []


def test_the_product_installs_and_routes_nothing_of_the_bench() -> None:
    assert settings.ROOT_URLCONF == "hr_clinic.urls"
    assert not [app for app in settings.INSTALLED_APPS if "bench" in app]
    assert not BENCH_COMMANDS & set(get_commands())
    with pytest.raises(NoReverseMatch):
        reverse("bench_baseline")
    views = [
        getattr(p.callback, "__module__", "")
        for p in get_resolver().url_patterns
        if hasattr(p, "callback")
    ]
    assert not [module for module in views if module.startswith("bench")]
    assert not (ROOT / "templates" / "bench").exists()


@pytest.mark.django_db
def test_the_products_address_for_the_baseline_is_not_found(
    as_clinician: HttpClient,
) -> None:
    assert as_clinician.get("/bench/baseline/").status_code == 404


@pytest.mark.usefixtures("bench_app")
def test_bench_settings_add_the_commands_and_the_baseline_page() -> None:
    assert set(get_commands()) >= BENCH_COMMANDS
    assert reverse("bench_baseline") == "/bench/baseline/"
    assert reverse("clients:list") == "/clients/"  # the product's routes too


@pytest.mark.usefixtures("bench_app")
def test_the_baseline_page_names_who_is_signed_in(clinician: User) -> None:
    response = verified_test_client(clinician).get("/bench/baseline/")
    assertContains(response, f"Signed in as {clinician.name}.")


@pytest.mark.django_db
@pytest.mark.usefixtures("bench_app")
def test_the_baseline_page_needs_sign_in(client: HttpClient) -> None:
    response = client.get("/bench/baseline/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
