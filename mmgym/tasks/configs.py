"""Suite configs: each lives in its benchmark's package, and says only its target and what it changes.

A benchmark package keeps its configs in a `conf/` folder laid out as Hydra config groups
(`conf/suite/<name>.yaml`; a suite's own groups below it, such as `conf/suite/judge/`). A config
file holds its one-line description (the first comment), `_target_`, its defaults list if any, and
the fields it sets differently from the target's defaults. Every other field of the target (a
pydantic model) is added here at its default, so `suite.<field>=...` overrides any field while
each default is written once, in the code. The result is registered with Hydra's config store
before any config is composed (`mmgym.conf` does it on import).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmgym.tasks.plugins import benchmarks

if TYPE_CHECKING:  # OmegaConf and pydantic load when a config is composed, not for `mmgym --help`
    from omegaconf import DictConfig
    from pydantic import BaseModel

GROUP_ROOT = "suite"  # the config groups benchmark packages may add to (suite and the groups below it)


@dataclass(frozen=True)
class ConfigFile:
    """One config file of a benchmark package: its group, option name, description and node."""

    group: str
    name: str
    path: Path

    @functools.cached_property
    def description(self) -> str:
        first = self.path.read_text().splitlines()[:1]
        line = first[0] if first else ""
        return line.lstrip("# ").split(": ", 1)[-1] if line.startswith("#") else ""

    def node(self) -> DictConfig:
        """The file's config with every field of its target that the file does not set, at its default."""
        from omegaconf import OmegaConf
        from pydantic import BaseModel

        from mmgym.construct import locate

        data = OmegaConf.to_container(OmegaConf.load(self.path), resolve=False)
        assert isinstance(data, dict)
        target = data.get("_target_")
        cls = locate(str(target), f"{self.group}={self.name}") if target else None
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            chosen = defaults_list_keys(data.get("defaults") or [])
            for key, value in field_defaults(cls).items():
                if key not in data and key not in chosen:
                    data[key] = value
        return OmegaConf.create(data)


@functools.cache
def config_files() -> dict[tuple[str, str], ConfigFile]:
    """Every benchmark package's config files by (group, option name); two may not claim the same one."""
    found: dict[tuple[str, str], ConfigFile] = {}
    for benchmark in benchmarks():
        if benchmark.configs is None:
            continue
        for path in sorted(benchmark.configs.rglob("*.yaml")):
            group = path.parent.relative_to(benchmark.configs).as_posix()
            if group != GROUP_ROOT and not group.startswith(GROUP_ROOT + "/"):
                raise ValueError(f"{path}: benchmark configs go under {GROUP_ROOT}/ (found group {group!r})")
            key = (group, path.stem)
            if key in found:
                raise ValueError(f"two benchmark packages define {group}={path.stem}: {found[key].path} and {path}")
            found[key] = ConfigFile(group, path.stem, path)
    return found


def options(group: str) -> dict[str, str]:
    """A group's options from the benchmark packages, each with its one-line description."""
    files = config_files()
    return {name: files[key].description for key in sorted(files) if (name := key[1]) and key[0] == group}


def groups() -> list[str]:
    """The config groups the benchmark packages fill (`suite` and the suites' own, such as `suite/judge`)."""
    return sorted({group for group, _ in config_files()})


@functools.cache
def register() -> None:
    """Put every benchmark package's configs in Hydra's config store (once per process)."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for (group, name), config in config_files().items():
        store.store(name=name, node=config.node(), group=group, provider="mmgym")


def field_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Each field's default as plain data; a required field is `???` (Hydra's missing value)."""
    from pydantic_core import to_jsonable_python

    return {
        name: "???" if field.is_required() else to_jsonable_python(field.get_default(call_default_factory=True))
        for name, field in model.model_fields.items()
    }


def defaults_list_keys(entries: list[Any]) -> set[str]:
    """The keys a config's defaults list fills (`- judge: lexical` fills `judge`; `- /model@model: hf`, `model`)."""
    keys = set()
    for entry in entries:
        if isinstance(entry, dict):
            for group_and_package in entry:
                group, _, package = str(group_and_package).partition("@")
                keys.add(package or group.strip("/").rsplit("/", 1)[-1])
    return keys
