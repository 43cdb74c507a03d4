"""Play a suite's calibration: the random agent, the expert and the noisy expert at each p, on the same episodes.

`mmgym calibrate` and the tests' calibration guard both call `play_calibration`; the figures it
returns are `mmgym.results.calibration`'s. Each agent plays into its own run folder under the
output folder (`random`, `oracle`, `noisy-<p>`), so a calibration resumes like any run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mmgym.agents.scripted import ExpertAgent, NoisyExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.results.calibration import Calibration, DeclaredFloor, calibrate, format_epsilon
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner


def calibrated_metric(suite: Any, metric: str | None = None) -> str:
    """`metric` when the suite has it; by default the one its floor bound names, else its first."""
    names = [m.name for m in suite.metrics]
    bound = getattr(suite, "floor_bound", None)
    chosen = metric or (bound.metric if bound is not None and bound.metric else names[0])
    if chosen not in names:
        raise ConfigError(f"--metric {chosen!r} is not one of {suite.name}'s: {', '.join(names)}")
    return chosen


def agents(epsilons: Sequence[float]) -> dict[str, Callable[[], Any]]:
    """The run folder's name -> the agent that plays into it (p = 0 is the expert's own run)."""
    players: dict[str, Callable[[], Any]] = {"random": RandomAgent, "oracle": ExpertAgent}
    return players | {f"noisy-{format_epsilon(e)}": (lambda e=e: NoisyExpertAgent(e)) for e in epsilons if e > 0}


def play_calibration(
    suite: Any,
    epsilons: Sequence[float],
    output: Path,
    metric: str | None = None,
    concurrency: int = 16,
    show_progress: bool = True,
) -> Calibration:
    """Play every agent of the calibration into `output` and compute its figures."""
    runner = LocalRunner(concurrency=concurrency)
    results = {}
    for label, factory in agents(epsilons).items():
        if show_progress:
            print(f"calibrate: {label}")
        results[label] = evaluate(suite, factory, output / label, runner, show_progress=show_progress)
    by_epsilon = {e: results["oracle" if e == 0 else f"noisy-{format_epsilon(e)}"] for e in epsilons}
    bound = getattr(suite, "floor_bound", None)
    declared = None if bound is None else DeclaredFloor(most=bound.most, reason=bound.reason)
    chosen = calibrated_metric(suite, metric)
    return calibrate(suite.name, chosen, results["random"], results["oracle"], by_epsilon, declared)
