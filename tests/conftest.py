"""Shared fixtures for the framework tests: maze specs, and the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import skip_guard
from cli_helpers import cli_command, cli_env
from hypothesis import settings

if TYPE_CHECKING:
    from mmgym.core.records import EpisodeRecord
    from mmgym.core.spec import EpisodeSpec

# Set before numpy is first imported (mmgym is imported lazily below); subprocesses inherit it.
os.environ["OMP_NUM_THREADS"] = "1"

# CI replays the same examples every run (a red CI must be reproducible); local runs explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    """In CI, a skip not on `tests/skip_allowlist.py` fails the run (see `skip_guard`)."""
    skip_guard.register(config)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for `--dist loadgroup`. Tests marked `ray` run one after another on one worker: two local Ray
    instances at once compete for the two cores, and a driver may join the other's instance. The tests on the
    tiny model share one worker, and every other test runs with the rest of its module, so that session and
    module fixtures are built once."""
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group_of(item)))
    # Long work first (`--no-loadscope-reorder` keeps this order): the Ray group, then the slow tests' groups,
    # so that the last minutes are short modules shared by both workers, not one long group run alone.
    items.sort(key=lambda item: (not item.get_closest_marker("ray"), not item.get_closest_marker("slow")))


def xdist_group_of(item: pytest.Item) -> str:
    if item.get_closest_marker("ray"):
        return "ray"
    if "tiny_vlm_dir" in getattr(item, "fixturenames", ()):
        return "tiny_vlm"  # one worker builds the tiny model and starts `transformers serve` once
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Stop if xdist did not apply the groups (pytest 9.2 ignores how xdist 3.8 sets them): the tests that
    start Ray would run at once on both workers."""
    if node.config.getvalue("dist") == "loadgroup" and ids and "@" not in ids[0]:
        raise pytest.UsageError("pytest-xdist did not group the tests; install the versions pyproject.toml pins")


# A corridor: the player must walk right four times; "left" and "up" hit walls.
CORRIDOR = "#######\n#P...G#\n#######"


def _maze_spec(
    setting: str = "multi_step-text-history",
    level: str = CORRIDOR,
    max_steps: int = 20,
    seed: int = 0,
    task: str = "corridor",
) -> EpisodeSpec:
    from mmgym.core.spec import EpisodeSpec
    from mmgym.tasks.ingvp.settings import Setting
    from mmgym.tasks.ingvp.suite import IngvpSuite

    return EpisodeSpec(
        suite="test",
        task=task,
        env_id="mmgym/Maze-v0",
        env_kwargs={"image_size": 64},
        reset_options={"level": level},
        seed=seed,
        rules=Setting.parse(setting).rules(max_steps),
        metadata={"game": "maze", "setting": setting},
        step_data=IngvpSuite.step_data,
        tags=("maze",),
    )


@pytest.fixture
def maze_spec() -> Callable[..., EpisodeSpec]:
    """Factory of specs on a hand-written maze level (default: a 4-move corridor), small images, ING-VP's rules."""
    return _maze_spec


@pytest.fixture
def maze_record() -> Callable[..., EpisodeRecord]:
    """Factory of finished maze records, one task each (`index`), failed with `error` when one is given."""
    from mmgym.core.records import EpisodeRecord

    def make(index: int, error: str | None = None) -> EpisodeRecord:
        spec = _maze_spec(task=f"corridor-{index}")
        return EpisodeRecord(id=spec.id, spec=spec, status="error" if error else "done", error=error)

    return make


def _run_cli(args: Sequence[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(args), cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `mmgym ARGS` in a subprocess in `cwd` (a test's tmp folder) and return the finished process."""
    return _run_cli


@pytest.fixture
def cli_popen() -> Callable[..., subprocess.Popen[Any]]:
    """Start `mmgym ARGS` in a subprocess without waiting (for interruption tests)."""

    def start(args: Sequence[str], cwd: Path) -> subprocess.Popen[Any]:
        return subprocess.Popen(
            cli_command(args),
            cwd=cwd,
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    return start
