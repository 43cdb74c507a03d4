"""The config catalogue: the groups a run is composed of and each option's one-line description.

The agent, model, runner and tracker options are YAML files shipped in mmgym/conf; the suites (and a suite's
own groups, such as `suite/judge`) come from the benchmark packages (`mmgym.tasks.configs`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mmgym.tasks import configs

CONFIG_MODULE = "mmgym.conf"
GROUPS = ("suite", "agent", "model", "runner", "tracker")


def config_groups() -> tuple[str, ...]:
    """Every group an override may choose from: the generic ones, then the suites' own (`suite/judge`)."""
    return tuple(dict.fromkeys([*GROUPS, *configs.groups()]))


def config_options(group: str) -> dict[str, str]:
    """Option name -> its one-line description (the YAML's first comment) for a config group."""
    folder = Path(str(resources.files(CONFIG_MODULE) / group))
    shipped = {path.stem: _description(path) for path in sorted(folder.glob("*.yaml"))}
    return shipped | configs.options(group)


def _description(path: Path) -> str:
    first = path.read_text().splitlines()[0] if path.stat().st_size else ""
    return first.lstrip("# ").split(": ", 1)[-1] if first.startswith("#") else ""
