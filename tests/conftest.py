"""Shared fixtures for the framework tests: maze specs, and the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_helpers import cli_command, cli_env
from hypothesis import settings

if TYPE_CHECKING:
    from mmgym.core.spec import EpisodeSpec

# Set before numpy is first imported (mmgym is imported lazily below); subprocesses inherit it.
os.environ["OMP_NUM_THREADS"] = "1"

# CI replays the same examples every run (a red CI must be reproducible); local runs explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Tests that start Ray run one after another on one xdist worker (`--dist loadgroup`): two local Ray
# instances at once would compete for the two cores, and the model-actor tests kill actors by name.
RAY_USES = ("RayRunner", "ray.init", "runner=ray")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    sources: dict[Path, str] = {}
    for item in items:
        path = Path(item.path)
        if path not in sources:
            sources[path] = path.read_text() if path.suffix == ".py" else ""
        if any(use in sources[path] for use in RAY_USES):
            item.add_marker(pytest.mark.xdist_group("ray"))


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
    from mmgym.tasks.ingvp import IngvpSuite
    from mmgym.tasks.ingvp_settings import Setting

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
