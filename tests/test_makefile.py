"""The first `make` on a fresh machine, in the situations a newcomer meets (issue
#16, item 19): Debian's Python without its venv module, a `.venv` left half-made by
a first try that stopped, and `make clean` before anything was installed.

Each runs the real Makefile in a temporary copy of the project's top level, with
a stand-in Python that behaves as the situation needs and otherwise is this one,
so nothing is installed and each takes a second or two.
"""

from __future__ import annotations

import shutil
import subprocess  # nosec B404: runs make and python with fixed arguments
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
]


def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _stand_in_python(tmp_path: Path, *, refuse: str) -> Path:
    """A `python` that is this one, except that it fails whatever `refuse`
    matches in its arguments, as the situation's Python would."""
    script = tmp_path / "bin" / "python3"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/bash\n"
        f'case "$*" in *"{refuse}"*) echo "stand-in: no {refuse}" >&2; exit 1;; esac\n'
        f'exec {sys.executable} "$@"\n'
    )
    script.chmod(0o755)
    return script


def _make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603 B607: fixed command, no shell
        ["make", "--no-print-directory", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_python_without_venv_support_gets_the_one_apt_command(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path / "project")
    python = _stand_in_python(tmp_path, refuse="ensurepip")

    result = _make(project, "install", f"PYTHON={python}")

    assert result.returncode != 0
    assert "sudo apt-get install python3" in result.stderr
    assert "-venv" in result.stderr
    assert not (project / ".venv").exists()  # nothing half-made is left


def test_a_half_made_venv_without_pip_is_made_again(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    subprocess.run(  # nosec B603: fixed arguments
        [sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")],
        check=True,
    )
    # The new virtualenv fails too (as it would without ensurepip's wheels): the
    # point is that the broken one is noticed and nothing half-made stays.
    python = _stand_in_python(tmp_path, refuse="-m venv")

    result = _make(project, "install", f"PYTHON={python}")

    assert ".venv has no working pip" in result.stdout
    assert "No module named pip" not in result.stderr
    assert result.returncode != 0
    assert not (project / ".venv").exists()


def test_make_clean_works_before_pgserver_was_ever_installed(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    subprocess.run(  # nosec B603: fixed arguments
        [sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")],
        check=True,
    )

    result = _make(project, "clean")

    assert result.returncode == 0, result.stderr
    assert not (project / ".venv").exists()
