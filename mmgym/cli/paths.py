"""Where a command will write (a run's output_dir, a report folder, a replay file), checked before any work.

A path under a regular file, or on a file system that refuses new files, would otherwise fail deep
inside Hydra or after minutes of rendering, with a traceback. Being root does not make /proc or a
read-only mount writable, and permission bits do not stop root, so the check makes (and removes) a
folder where the output would go rather than reading permission bits.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from omegaconf import DictConfig

from mmgym.errors import MmgymError


def check_writable_dir(path: Path, label: str, shown: Path | None = None) -> None:
    """Raise `MmgymError` (one line naming `label` and the path `shown`, default `path`) unless `path` is, or can
    become, a folder that takes new files."""
    shown = shown or path
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        where = "" if existing == shown else f" cannot be created: {existing}"
        raise MmgymError(f"{label} {shown}{where} is a file, not a folder; choose another {label}")
    try:
        probe = tempfile.mkdtemp(prefix=".mmgym-probe-", dir=existing)
    except OSError as exc:
        raise MmgymError(
            f"{label} {shown} cannot be written: {existing} refuses new files ({exc.strerror}); choose another {label}"
        ) from None
    os.rmdir(probe)


def check_writable_file(path: Path, label: str) -> None:
    """Raise `MmgymError` unless a file can be written at `path` (its folder made if need be)."""
    if path.is_dir():
        raise MmgymError(f"{label} {path} is a folder; give a file name")
    check_writable_dir(path.parent, label, shown=path)


def job_dir(cfg: DictConfig, multirun: bool) -> Path:
    """Where the job's run lives: `output_dir`, or in a sweep the sweep directory's job folder."""
    if multirun:
        return Path(cfg.hydra.sweep.dir) / str(cfg.hydra.sweep.subdir)
    return Path(cfg.output_dir)
