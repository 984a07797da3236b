"""External tools the browser and HTML tests need: Debian's Chromium, a Java
runtime and the Nu HTML checker (npm `vnu-jar`, fetched by `make vnu` into
.cache/, never committed).

On a developer's machine without them the tests that need them are skipped with
one clear reason; under CI (CI=true) a missing tool fails instead, so CI can
never pass by running nothing. `.ci/run` installs the Debian packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404: runs only the fixed java command below
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Append-only tables and the statement trigger that refuses TRUNCATE on each:
# a transactional test's flush (a TRUNCATE) lifts them for that statement only
# (tests/conftest.py `committed_db`, tests/e2e/conftest.py `live_db`).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU_JAR = ROOT / ".cache" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (a developer's machine) or fail (CI) when a tool is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: CI must run these tests)", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> None:
    require(
        os.access(CHROMIUM, os.X_OK),
        f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
        "(never `playwright install`) to run the browser tests",
    )


def require_vnu() -> str:
    java = shutil.which("java")
    require(
        java is not None and VNU_JAR.is_file(),
        "the Nu HTML checker needs `java` (Debian `default-jre-headless`) and "
        f"{VNU_JAR.relative_to(ROOT)} (`make vnu`)",
    )
    assert java is not None
    return java


def vnu_errors(folder: Path) -> list[str]:
    """Run the Nu HTML checker once over every .html file in `folder`; return
    one line per error ("file:line: message")."""
    java = require_vnu()
    result = subprocess.run(  # nosec B603: fixed arguments, no shell
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if not result.stderr.strip():
        return []
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:120]}]"
        for m in messages
    ]
