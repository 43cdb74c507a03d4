"""The envs that benchmark packages bring, registered with Gymnasium when `mmgym` is imported.

A benchmark whose protocol is an env of its own (a decision scene, an option menu over several simulators)
keeps it in an `env` subpackage whose `register()` registers it by entry-point string, so that
nothing heavy loads until the env is made. `register_envs` finds them, so that `mmgym.envs` (the
simulators) never names a benchmark. It is apart from `plugins`, which loads installed plug-ins and
is not needed for `import mmgym`.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def register_envs() -> None:
    """Call `register()` of each `mmgym.tasks.<benchmark>.env` package; their benchmark's `__init__` must stay light."""
    for name, folder in task_packages().items():
        if (folder / "env" / "__init__.py").is_file():
            importlib.import_module(f"mmgym.tasks.{name}.env").register()


def task_packages() -> dict[str, Path]:
    """mmgym's benchmark packages by name, in name order, with their folders (found without importing them)."""
    import mmgym.tasks

    infos = sorted(pkgutil.iter_modules(mmgym.tasks.__path__), key=lambda info: info.name)
    return {info.name: Path(info.module_finder.path) / info.name for info in infos if info.ispkg}  # type: ignore[union-attr]
