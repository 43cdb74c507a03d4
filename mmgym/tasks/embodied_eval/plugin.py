"""EmbodiedEval's addition to the CLI: its task files, for `mmgym data get embodied_eval`."""

from __future__ import annotations

from mmgym.tasks.downloads import HubRelease
from mmgym.tasks.plugins import Benchmark


def _releases() -> tuple[HubRelease, ...]:
    from mmgym.tasks.embodied_eval.releases import releases

    return releases()


BENCHMARK = Benchmark(name="embodied_eval", releases=_releases)
