from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (tests/e2e/conftest.py),
        # which the deploy check rightly refuses: this is meant as production.
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-like-key-" + "k3y" * 12,
    "ALLOWED_HOSTS": "clinic.example.org",
    "FIELD_ENCRYPTION_KEY": "a-long-random-field-key-" + "f1e1d" * 8,
}


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_run_without_the_second_factor() -> None:
    result = _manage("check", **{**PRODUCTION, "MFA_REQUIRED": "false"})
    assert result.returncode != 0
    assert "MFA_REQUIRED" in result.stderr


def test_the_second_factor_may_be_off_only_with_debug_on() -> None:
    result = _manage("check", DEBUG="true", MFA_REQUIRED="false")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_field_encryption_key() -> None:
    result = _manage("check", **{**PRODUCTION, "FIELD_ENCRYPTION_KEY": ""})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_a_short_key_is_refused() -> None:
    result = _manage("check", **{**PRODUCTION, "BACKUP_KEY": "short"})
    assert result.returncode != 0
    assert "BACKUP_KEY: at least 32 characters" in result.stderr
