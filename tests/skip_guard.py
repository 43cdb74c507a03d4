"""In CI (`CI` set), a skipped test fails the run unless `skip_allowlist.ALLOWED_SKIPS` lists it with a reason.

A skip in CI usually means an optional package went missing from the environment, and the tests
that need it silently stopped running. `conftest.py` registers the guard. Under pytest-xdist the
workers forward their reports, so the guard runs on the controller alone: it sees every skip
(module-level skips arrive as collection reports) and sets the run's exit status.
"""

from __future__ import annotations

import fnmatch
import os

import pytest
import skip_allowlist


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def allowed(nodeid: str) -> bool:
    """Whether a skip of this node id is on the allow-list (read at call time, so a test may swap the list)."""
    return any(fnmatch.fnmatchcase(nodeid, pattern) for pattern in skip_allowlist.ALLOWED_SKIPS)


def register(config: pytest.Config) -> None:
    """Add the guard to a CI run's controller (or single process); an xdist worker only forwards reports."""
    if in_ci() and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SkipGuard(), "skip_guard")


class SkipGuard:
    def __init__(self) -> None:
        self.unlisted: dict[str, str] = {}  # node id -> skip reason

    def _note(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail") and not allowed(report.nodeid):
            longrepr = report.longrepr  # (path, line, reason) for a skip
            reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else longrepr
            self.unlisted[report.nodeid] = str(reason).removeprefix("Skipped: ")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.unlisted and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.unlisted:
            return
        terminalreporter.section("skips not allowed in CI", sep="=", red=True, bold=True)
        for nodeid, reason in sorted(self.unlisted.items()):
            terminalreporter.line(f"{nodeid}: {reason}")
        terminalreporter.line("Install what they need, or list them with a reason in tests/skip_allowlist.py.")
