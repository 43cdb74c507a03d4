"""Keep a run directory's config, refuse to resume it with another configuration, touch nothing on a failed start.

A run directory belongs to one suite, one agent and one model, with the settings that change
episodes. Episode ids come from the episode specs, which do not name the agent, so another agent
would silently mix two agents' episodes; another suite or changed suite settings would mix two
sets of episodes and rescope `results.json` to the last one. Settings that only say where or how
fast a model runs (an endpoint's address, concurrency, a cache folder, prices) may change. Mixing
on purpose (extending a run with more levels, say) is `mmgym run --append`.

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
from mmgym.results.layout import CONFIG_FILE, EPISODES_FILE, HYDRA_DIR

PINNED = ("suite", "agent", "model")
# Where and how fast a model runs, and what it is guessed to cost: not part of what an episode is.
DEPLOYMENT_KEYS = frozenset(
    {
        "base_url",
        "api_key_env",
        "max_concurrency",
        "cache_dir",
        "max_batch_size",
        "batch_wait_ms",
        "device",
        "timeout_s",
        "max_retries",
        "backoff_initial_s",
        "backoff_max_s",
        "price_per_million_input",
        "price_per_million_output",
    }
)


def check_resumable(run_dir: Path, cfg: DictConfig, append: bool = False) -> None:
    """Raise `ConfigError` if `run_dir` holds a run whose suite, agent or model settings differ from `cfg`'s.

    With `append`, any run may be added to (mixing is then the user's intent).
    """
    path = run_dir / CONFIG_FILE
    if append or not path.exists():
        return
    try:
        previous = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not readable YAML ({str(exc).splitlines()[0]}); repair or remove it") from None
    current = _resolved(cfg)
    for key in PINNED:
        difference = first_difference(_episode_part(previous.get(key)), _episode_part(current.get(key)), key)
        if difference:
            raise ConfigError(
                f"{run_dir} holds a run with another {key} setting ({difference}); choose a new output_dir=..., "
                "or pass --append to add these episodes to that run"
            )


def _episode_part(node: Any) -> Any:
    """A config node without its deployment keys, at any depth, each `_target_` by its class name only (a
    class that moved to another module in a later mmgym is the same class)."""
    if isinstance(node, dict):
        return {
            key: value.rsplit(".", 1)[-1] if key == "_target_" and isinstance(value, str) else _episode_part(value)
            for key, value in node.items()
            if key not in DEPLOYMENT_KEYS
        }
    return node


def save_run_config(
    run_dir: Path, cfg: DictConfig, hydra_files: Mapping[str, str] | None = None, append: bool = False
) -> None:
    """Write the resolved config (and Hydra's files into `.hydra/`) after checking the run may resume here."""
    check_resumable(run_dir, cfg, append)
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
    """`'path: old -> new'` for the first leaf that differs, or None when equal.

    A key only `new` has is a setting added since `old` was written (at its default, which keeps what
    the setting did before it existed), so it is not a difference."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old):
            found = first_difference(old.get(key), new.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    return None if old == new else f"{path}: {old!r} -> {new!r}"
