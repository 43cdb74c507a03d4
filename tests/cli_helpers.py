"""The installed `mmgym` command as a subprocess: its command line and environment (shared by conftest and tests).

Tests run the console script a user runs, in a folder outside the repository, with no extra
`PYTHONPATH`: user code next to the command must import because the command puts the working
directory on the path, not because a test did.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def cli_env() -> dict[str, str]:
    """This environment, single-threaded BLAS, without HYDRA_FULL_ERROR or PYTHONPATH."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("HYDRA_FULL_ERROR", None)
    env.pop("PYTHONPATH", None)
    return env


def mmgym_script() -> str:
    """The console script installed next to this interpreter (the venv's `bin/mmgym`)."""
    script = Path(sys.executable).parent / "mmgym"
    if script.exists():
        return str(script)
    found = shutil.which("mmgym")
    if found is None:
        raise RuntimeError("the mmgym console script is not installed; run `make setup`")
    return found


def cli_command(args: Sequence[str]) -> list[str]:
    """`mmgym ARGS`, the installed console script."""
    return [mmgym_script(), *args]


def only_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of a refused command (exit status 2, no traceback anywhere)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
