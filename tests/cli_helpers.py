"""The `mmgym` command as a subprocess: its command line and environment (shared by conftest and tests)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def cli_env(pythonpath: Sequence[Path] = ()) -> dict[str, str]:
    """This environment, single-threaded BLAS, without HYDRA_FULL_ERROR, plus `pythonpath` entries."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("HYDRA_FULL_ERROR", None)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def cli_command(args: Sequence[str]) -> list[str]:
    """`mmgym ARGS` run by this interpreter (no reliance on the console script being on PATH)."""
    return [sys.executable, "-m", "mmgym.runners.cli", *args]
