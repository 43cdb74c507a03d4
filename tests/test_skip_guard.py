"""The CI skip guard, in pytest subprocesses on tiny test files: with `CI=true` an unlisted skip (in a test or
at module level) fails the run and is named, listed skips and xfails do not; outside CI nothing changes.
The failing run uses pytest-xdist as CI does (`-n 2 --dist loadgroup`): the workers' reports reach the guard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent

CONFTEST = """
import skip_allowlist
import skip_guard

skip_allowlist.ALLOWED_SKIPS = {"test_tiny.py::test_listed": "a reason", "test_listed_module.py": "a reason"}


def pytest_configure(config):
    skip_guard.register(config)
"""

TINY = """
import pytest


def test_passes():
    assert 1 + 1 == 2


def test_listed():
    pytest.skip("allowed")


@pytest.mark.xfail(reason="a known failure is not a skip")
def test_expected_to_fail():
    assert False
"""

UNLISTED = """
import pytest


@pytest.mark.skipif(True, reason="an optional package is missing")
def test_unlisted():
    assert True
"""

MODULE_SKIP = """
import pytest

pytest.skip("the whole module needs something missing", allow_module_level=True)


def test_never_runs():
    assert True
"""


def run(folder: Path, ci: bool, *files: str, xdist: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")])
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-n", "2", "--dist", "loadgroup"] if xdist else ["-p", "no:xdist"]
    return subprocess.run([*command, *files], cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in {
        "conftest.py": CONFTEST,
        "test_tiny.py": TINY,
        "test_unlisted.py": UNLISTED,
        "test_module_skip.py": MODULE_SKIP,
        "test_listed_module.py": MODULE_SKIP,
    }.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_in_ci_unlisted_skips_fail_the_run_and_are_named(folder: Path) -> None:
    result = run(folder, True, xdist=True)
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.stdout.split("skips not allowed in CI", 1)[1].split("Install what they need", 1)[0]
    assert "test_unlisted.py::test_unlisted: an optional package is missing" in summary
    assert "test_module_skip.py: the whole module needs something missing" in summary
    assert "test_listed" not in summary and "xfail" not in summary and "expected_to_fail" not in summary


def test_in_ci_listed_skips_and_xfails_pass(folder: Path) -> None:
    result = run(folder, True, "test_tiny.py", "test_listed_module.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skips not allowed" not in result.stdout and "2 skipped" in result.stdout


def test_outside_ci_a_skip_is_only_a_skip(folder: Path) -> None:
    result = run(folder, False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skips not allowed" not in result.stdout and "4 skipped" in result.stdout


def test_the_allow_list_gives_a_reason_for_each_entry() -> None:
    import skip_allowlist

    assert all(isinstance(reason, str) and reason.strip() for reason in skip_allowlist.ALLOWED_SKIPS.values())
