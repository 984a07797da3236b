"""The embedded PostgreSQL (hr_clinic/embedded_db.py) starts and stops even
after pgserver's process list (.pgdata/.handle_pids.json) was left empty or
half-written: `make run` stopped with SIGTERM did that about every other time,
and every later start failed with JSONDecodeError."""

from __future__ import annotations

import json
import subprocess  # nosec B404 - a fresh interpreter, as `make run` starts one
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hr_clinic import embedded_db

pgserver = pytest.importorskip("pgserver")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("broken", ["", "[12, 3", "null", '{"a": 1}', '["x"]'])
def test_an_empty_or_corrupt_process_list_is_repaired(
    tmp_path: Path, broken: str
) -> None:
    (tmp_path / embedded_db.HANDLE_PIDS).write_text(broken)
    assert embedded_db.repair_handle_pids(tmp_path)
    assert json.loads((tmp_path / embedded_db.HANDLE_PIDS).read_text()) == []


def test_a_readable_process_list_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / embedded_db.HANDLE_PIDS).write_text("[12, 34]")
    assert not embedded_db.repair_handle_pids(tmp_path)
    assert json.loads((tmp_path / embedded_db.HANDLE_PIDS).read_text()) == [12, 34]
    assert not embedded_db.repair_handle_pids(tmp_path / "missing")


def _start(base: Path) -> str:
    """Start (or join) the server of `base`/.pgdata in a new process, as each
    `make run` does; returns the socket folder it listens in."""
    code = (
        "import sys; from pathlib import Path; from hr_clinic import embedded_db; "
        "print(embedded_db._server(Path(sys.argv[1]) / '.pgdata')"
        ".get_postmaster_info().socket_dir)"
    )
    done = subprocess.run(  # nosec B603 - this interpreter, fixed code
        [sys.executable, "-c", code, str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def server_folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    embedded_db.stop(tmp_path)


@pytest.mark.slow
def test_the_server_starts_and_stops_after_its_process_list_was_emptied(
    server_folder: Path,
) -> None:
    pgdata = server_folder / ".pgdata"
    _start(server_folder)  # a new .pgdata: initdb, start
    assert embedded_db.stop(server_folder)

    (pgdata / embedded_db.HANDLE_PIDS).write_text("")  # as a SIGTERM leaves it
    assert _start(server_folder)
    (pgdata / embedded_db.HANDLE_PIDS).write_text("")
    assert embedded_db.stop(server_folder)
    assert not (pgdata / "postmaster.pid").exists()
    assert _start(server_folder)
