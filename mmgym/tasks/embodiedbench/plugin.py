"""EmbodiedBench's addition to the CLI: its released data, for `mmgym data get eb_alfred|eb_navigation|eb_habitat`."""

from __future__ import annotations

from mmgym.tasks.downloads import Release
from mmgym.tasks.plugins import Benchmark


def _releases() -> tuple[Release, ...]:
    from mmgym.tasks.embodiedbench.releases import releases  # reads the manifest only when a data command runs

    return releases()


BENCHMARK = Benchmark(name="embodiedbench", releases=_releases)
