"""Keep a run directory's config, and refuse to resume it with a different agent.

Episode ids come from the episode specs, which do not name the agent; resuming into a directory
made by another agent would silently mix two agents' episodes. The suite may change freely
(more games, more levels): its specs decide which episodes are new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from mmgym.errors import ConfigError

CONFIG_FILE = "config.yaml"
PINNED = ("agent",)


def save_run_config(run_dir: Path, cfg: DictConfig) -> None:
    """Write the resolved config; raise `ConfigError` if the directory holds another agent's run."""
    path = run_dir / CONFIG_FILE
    current: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    if path.exists():
        previous = yaml.safe_load(path.read_text()) or {}
        for key in PINNED:
            difference = first_difference(previous.get(key), current.get(key), key)
            if difference:
                raise ConfigError(
                    f"{run_dir} holds a run with another {key} ({difference}); "
                    "choose a new output_dir=... or delete the directory"
                )
    path.write_text(yaml.safe_dump(current, sort_keys=False))


def first_difference(old: Any, new: Any, path: str) -> str | None:
    """`'path: old -> new'` for the first leaf that differs, or None when equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            found = first_difference(old.get(key), new.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    return None if old == new else f"{path}: {old!r} -> {new!r}"
