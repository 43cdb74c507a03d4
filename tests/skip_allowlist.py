"""Skips that may happen in CI, each with why (`tests/skip_guard.py` fails a CI run on any other skip).

Keys are `fnmatch` patterns over pytest node ids (a module-level skip's id is the module's path).
A guard for a package in the dev lock does not belong here: in CI that package is installed and the
test must run. Only skips that CI cannot avoid do: hardware it lacks, packages that cannot be
installed from PyPI, or a test that only makes sense where such a package is absent.
"""

from __future__ import annotations

ALLOWED_SKIPS: dict[str, str] = {
    "tests/envs/habitat/test_eb_habitat_parts.py::test_the_real_simulator_without_habitat_is_one_line_*": (
        "checks the message shown when habitat-sim is missing; skipped where habitat-sim (conda only) is installed"
    ),
}
