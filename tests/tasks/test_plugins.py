"""Benchmark plug-ins: mmgym's own packages and installed ones add configs, commands and report tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmgym.tasks import configs, plugins
from mmgym.tasks.pca.judge_check import JudgeFigures, LinkFigures
from mmgym.tasks.plugins import Benchmark, Command, RunNotes


class FakeEntryPoint:
    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark

    def load(self) -> Benchmark:
        return self.benchmark


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch):
    """Pretend these benchmarks are installed distributions' entry points (caches cleared around the test)."""

    def install(*found: Benchmark) -> None:
        monkeypatch.setattr(plugins, "entry_points", lambda group: [FakeEntryPoint(b) for b in found])
        plugins.benchmarks.cache_clear()
        configs.config_files.cache_clear()

    yield install
    monkeypatch.undo()
    plugins.benchmarks.cache_clear()
    configs.config_files.cache_clear()


def test_every_package_under_tasks_is_a_benchmark_with_its_configs() -> None:
    found = {benchmark.name: benchmark for benchmark in plugins.benchmarks()}
    assert {"babyai", "embodied_eval", "embodiedbench", "ingvp", "pca", "puzzle_sprint"} <= set(found)
    assert all(b.configs is not None and (b.configs / "suite").is_dir() for b in found.values())
    assert set(plugins.commands()) == {"judge-check"}
    assert configs.options("suite/judge") == {
        "lexical": configs.config_files()[("suite/judge", "lexical")].description,
        "model": configs.config_files()[("suite/judge", "model")].description,
    }


def test_an_installed_benchmarks_suite_config_is_found_with_its_targets_defaults(installed, tmp_path: Path) -> None:
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "my_sprint.yaml").write_text(
        "# my_sprint: mazes only\n_target_: mmgym.tasks.puzzle_sprint.PuzzleSprintSuite\ngames: [maze]\n"
    )
    installed(Benchmark(name="mine", configs=tmp_path))
    node = configs.config_files()[("suite", "my_sprint")].node()
    assert configs.options("suite")["my_sprint"] == "mazes only"
    assert node.games == ["maze"] and node.levels == 5 and node.name == "puzzle_sprint"  # the rest: the code's


def test_two_benchmarks_may_not_claim_one_command(installed) -> None:
    twin = Command(name="judge-check", help="", add_arguments=lambda parser: None, run=lambda args, configs: 0)
    installed(Benchmark(name="mine", commands=(twin,)))
    with pytest.raises(ValueError, match="two benchmarks add the command 'judge-check'"):
        plugins.commands()


def test_the_judge_check_table_is_built_from_a_runs_notes() -> None:
    link = LinkFigures(n=10, agreement=90.0, precision=None, recall=75.0, unscored=1)
    figures = JudgeFigures(judge="lexical", items=2, cases=10, links={"perception": link}, by_case={},
                           order_flips=5.0, length_flips=0.0, length_positive_shift=0.0)  # fmt: skip
    runs = [RunNotes("agent A", {"judge_check": figures.model_dump(mode="json")}), RunNotes("agent B", {})]
    (table,) = plugins.report_tables(runs)
    assert table.id == "judge-checks" and len(table.rows) == 1
    assert table.rows[0] == ("agent A", "lexical", "10", "perception", "90.0", "-", "75.0", "1", "5.0", "0.0", "-", "-")
    assert table.numeric == (False, False, True, False, True, True, True, True, True, True, True, True)  # "-": empty
    assert plugins.report_tables([RunNotes("agent B", {})]) == []
