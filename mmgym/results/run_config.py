"""Keep a run directory's config, refuse to resume it with a different agent, touch nothing on a failed start.

Episode ids come from the episode specs, which do not name the agent; resuming into a directory
made by another agent would silently mix two agents' episodes. The suite may change freely
(more games, more levels): its specs decide which episodes are new.

The config files (`config.yaml`, and Hydra's `.hydra/` copies, which mmgym writes itself rather
than at Hydra's job start) are written only once the start is accepted, and put back as they
were if the run then fails before recording an episode: a directory always says how its
episodes were made.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from mmgym.errors import ConfigError
from mmgym.results.store import EPISODES_FILE

CONFIG_FILE = "config.yaml"
HYDRA_DIR = ".hydra"
PINNED = ("agent",)


def check_resumable(run_dir: Path, cfg: DictConfig) -> None:
    """Raise `ConfigError` if `run_dir` holds a run whose pinned keys (the agent) differ from `cfg`'s."""
    path = run_dir / CONFIG_FILE
    if not path.exists():
        return
    previous = yaml.safe_load(path.read_text()) or {}
    current = _resolved(cfg)
    for key in PINNED:
        difference = first_difference(previous.get(key), current.get(key), key)
        if difference:
            raise ConfigError(
                f"{run_dir} holds a run with another {key} ({difference}); "
                "choose a new output_dir=... or delete the directory"
            )


def save_run_config(run_dir: Path, cfg: DictConfig, hydra_files: Mapping[str, str] | None = None) -> None:
    """Write the resolved config (and Hydra's files into `.hydra/`) after checking the run may resume here."""
    check_resumable(run_dir, cfg)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / CONFIG_FILE).write_text(yaml.safe_dump(_resolved(cfg), sort_keys=False))
    if hydra_files:
        (run_dir / HYDRA_DIR).mkdir(exist_ok=True)
        for name, text in hydra_files.items():
            (run_dir / HYDRA_DIR / name).write_text(text)


@contextmanager
def restored_on_failure(run_dir: Path) -> Iterator[None]:
    """On an exception before any episode is recorded, put the config files back and drop what was created."""
    existed = run_dir.exists() and any(run_dir.iterdir())  # Hydra makes the directory before the job starts
    watched = [run_dir / CONFIG_FILE, *sorted((run_dir / HYDRA_DIR).glob("*.yaml"))]
    before = {path: path.read_bytes() for path in watched if path.exists()}
    episodes = run_dir / EPISODES_FILE
    episodes_before = episodes.stat().st_size if episodes.exists() else 0
    try:
        yield
    except BaseException:
        if (episodes.stat().st_size if episodes.exists() else 0) <= episodes_before:
            _restore(run_dir, existed, before)
        raise


def _restore(run_dir: Path, existed: bool, before: dict[Path, bytes]) -> None:
    if not existed:
        shutil.rmtree(run_dir, ignore_errors=True)
        return
    for path in [run_dir / CONFIG_FILE, *(run_dir / HYDRA_DIR).glob("*.yaml")]:
        if path not in before:
            path.unlink(missing_ok=True)
    for path, data in before.items():
        path.write_bytes(data)
    hydra_dir = run_dir / HYDRA_DIR
    if hydra_dir.is_dir() and not any(hydra_dir.iterdir()):
        hydra_dir.rmdir()


def _resolved(cfg: DictConfig) -> dict[str, Any]:
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]


def first_difference(old: Any, new: Any, path: str) -> str | None:
    """`'path: old -> new'` for the first leaf that differs, or None when equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            found = first_difference(old.get(key), new.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    return None if old == new else f"{path}: {old!r} -> {new!r}"
