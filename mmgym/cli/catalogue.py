"""The config catalogue shipped in mmgym/conf: its groups and each option's one-line description."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CONFIG_MODULE = "mmgym.conf"
GROUPS = ("suite", "agent", "model", "runner")


def config_options(group: str) -> dict[str, str]:
    """Option name -> its one-line description (the YAML's first comment) for a config group."""
    folder = Path(str(resources.files(CONFIG_MODULE) / group))
    return {path.stem: _description(path) for path in sorted(folder.glob("*.yaml"))}


def _description(path: Path) -> str:
    first = path.read_text().splitlines()[0] if path.stat().st_size else ""
    return first.lstrip("# ").split(": ", 1)[-1] if first.startswith("#") else ""
