"""A stand-in for AI2-THOR's Unity build: a small program speaking its FIFO protocol over a symbolic room.

AI2-THOR's build cannot be fetched everywhere (it downloads at first use). ai2thor's real
`Controller(local_executable_path=...)` starts any executable, so this one lets the whole mmgym
side (controller, skills, scoring, runners) run for real without it. It is a test double, not a
simulator: no physics, no photo-real frames; see `world` for what it models.

`launcher()` writes the executable the Controller starts (a two-line shell script that runs this
package with the current Python).
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path


def launcher(folder: str | os.PathLike[str] | None = None) -> str:
    """The path of an executable that starts the stand-in with this Python; written once per folder."""
    folder = Path(folder or os.path.join(tempfile.gettempdir(), f"mmgym-thor-standin-{os.getuid()}"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "standin"
    script = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m mmgym.envs.thor.standin "$@"\n'
    if not path.exists() or path.read_text() != script:
        tmp = folder / f".standin.{os.getpid()}"
        tmp.write_text(script)
        tmp.chmod(0o755)
        tmp.replace(path)
    return str(path)
