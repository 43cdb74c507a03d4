"""The views through the installed command, piped as in a log or a script: no table column is cut or dropped,
`mmgym compare --format json|csv`, replay progress on stderr, and `mmgym report` pairing runs in the order
given and writing a fresh folder (never replacing a folder that is not an earlier report)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import cli_command, cli_env, only_error_line

from mmgym.results.summary import MetricInfo, RunResults, Summary
from mmgym.views.progress import PlainProgress
from mmgym.views.table import print_results

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SMALL = ["suite.games=[maze]", "suite.levels=1", "progress=false", "record.video=false"]
EXTRA_METRICS = [f"measure_number_{i}" for i in range(5)]
WIDE_SUITE = f'''
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.tasks.scoring import Metric

EXTRA = {EXTRA_METRICS!r}


class WideSuite(IngvpSuite):
    """ING-VP with five more (constant) metrics: eight columns of results."""

    metrics = (*IngvpSuite.metrics, *(Metric(name=name) for name in EXTRA))

    async def score(self, record):
        return {{**(await super().score(record)), **dict.fromkeys(EXTRA, 50.0)}}
'''


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two 6-episode runs of one suite made by the installed command: `older` (the oracle), then
    `newer` (the random agent)."""
    folder = tmp_path_factory.mktemp("runs")
    for name, agent in (("older", "oracle"), ("newer", "random")):
        args = cli_command(["run", f"agent={agent}", *SMALL, f"output_dir={name}"])
        result = subprocess.run(args, cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    return folder


def header_cells(output: str) -> list[str]:
    header = next(line for line in output.splitlines() if line.startswith("┃ group"))
    return [cell.strip() for cell in header.strip("┃").split("┃")]


def test_a_piped_run_prints_every_column_of_eight_metrics_whole(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "wide_suite.py").write_text(WIDE_SUITE)
    result = run_cli(["run", "agent=oracle", "suite._target_=wide_suite.WideSuite", *SMALL], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    metrics = ["accuracy", "completion", "efficiency", *EXTRA_METRICS]
    assert header_cells(result.stdout) == ["group", "n", *(f"{m} [95% CI]" for m in metrics)]
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ all "))
    assert [cell.strip() for cell in row.strip("│").split("│")] == [
        "all", "6", *(["100.0 [100.0, 100.0]"] * 3), *(["50.0 [50.0, 50.0]"] * 5)
    ]  # fmt: skip
    assert "…" not in result.stdout


def test_the_results_table_keeps_every_column_whatever_the_width(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = [f"a_rather_long_metric_name_{i}" for i in range(8)]
    summary = {m: Summary(mean=55.5, low=44.4, high=66.6, n=120) for m in metrics}
    groups = {"overall": {"all": summary}, "setting": {"multi_step-image_text-no_history": summary}}
    print_results(RunResults(suite="s", metrics=[MetricInfo(name=m) for m in metrics], episodes=120, errors=0,
                             groups=groups))  # fmt: skip
    output = capsys.readouterr().out
    assert header_cells(output) == ["group", "n", *(f"{m} [95% CI]" for m in metrics)]
    assert "│ multi_step-image_text-no_history │ 120 │" in output and "…" not in output


def test_compare_as_json_and_csv(run_cli: RunCli, runs: Path) -> None:
    as_json = run_cli(["compare", "older", "newer", "--format", "json"], cwd=runs)
    assert as_json.returncode == 0, as_json.stderr
    [comparison] = json.loads(as_json.stdout)
    assert (comparison["run_a"], comparison["run_b"], comparison["common"]) == ("older", "newer", 6)
    overall = {s["metric"]: s for s in comparison["stats"] if s["grouping"] == "overall"}
    assert set(overall) == {"accuracy", "completion", "efficiency"}
    assert overall["accuracy"]["mean_a"] == 100.0 and overall["accuracy"]["n"] == 6

    as_csv = run_cli(["compare", "older", "newer", "--format", "csv", "--metric", "accuracy"], cwd=runs)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["metric"] for row in rows} == {"accuracy"}
    first = rows[0]
    assert (first["run_a"], first["run_b"], first["grouping"], first["group"], first["n"]) == (
        "older", "newer", "overall", "all", "6"
    )  # fmt: skip
    assert float(first["difference"]) == pytest.approx(overall["accuracy"]["difference"])


def comparison_rows(report: Path) -> list[tuple[str, str]]:
    """(pair, difference) of the report's overall rows of paired comparisons."""
    page = (report / "index.html").read_text()
    section = page[page.index('<section id="comparisons">') :]
    pattern = r'<td class="label">([^<]*)</td><td>accuracy</td><td>all</td><td class="num">6</td><td class="num">' \
              r'<span class="mean">([^<]*)</span>'  # fmt: skip
    return re.findall(pattern, section)


def test_report_pairs_runs_in_the_order_given_like_compare(run_cli: RunCli, runs: Path) -> None:
    for order in (["newer", "older"], ["older", "newer"]):
        result = run_cli(["report", *order, "-o", "report"], cwd=runs)
        assert result.returncode == 0, result.stderr
        compared = json.loads(run_cli(["compare", *order, "--format", "json"], cwd=runs).stdout)[0]
        difference = next(s["difference"] for s in compared["stats"] if s["metric"] == "accuracy")
        labels = {"older": "oracle", "newer": "random"}
        assert comparison_rows(runs / "report") == [
            (f"{labels[order[1]]} minus {labels[order[0]]}", f"{difference:+.1f}")
        ]


def test_a_report_replaces_its_whole_folder_and_nothing_else(run_cli: RunCli, runs: Path, tmp_path: Path) -> None:
    report = tmp_path / "report"
    assert (
        run_cli(["report", str(runs / "older"), str(runs / "newer"), "-o", str(report)], cwd=tmp_path).returncode == 0
    )
    assert (report / ".mmgym-report").is_file() and (report / "data" / "episodes" / "11.js").is_file()
    (report / "videos" / "7").mkdir(parents=True)
    (report / "videos" / "7" / "stale.mp4").write_bytes(b"a video of a run no longer in the report")
    again = run_cli(["report", str(runs / "older"), "-o", str(report)], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"{report / 'index.html'}\n"
    assert sorted(p.name for p in (report / "data" / "episodes").iterdir()) == [f"{n}.js" for n in range(6)]
    assert not (report / "videos").exists()  # the stale video went with the old folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary folder left beside it

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    refused = run_cli(["report", str(runs / "older"), "-o", "mine"], cwd=tmp_path)
    assert only_error_line(refused) == (
        "mmgym: error: -o mine is a folder with other files in it, not an earlier report (no .mmgym-report); "
        "choose a new or empty folder, as a report replaces its whole folder"
    )
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_replaying_every_episode_shows_progress_when_piped(run_cli: RunCli, runs: Path) -> None:
    result = run_cli(["replay", "older", "--jobs", "2"], cwd=runs, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "6 replays in older/replays\n"
    assert re.fullmatch(r"replaying 6 episodes: 6 / 6 \(\d+ s\)", result.stderr.splitlines()[-1]), result.stderr
    assert len(list((runs / "older" / "replays").glob("*.mp4"))) == 6


def test_plain_progress_prints_a_line_per_tenth_after_a_quiet_start() -> None:
    now = [0.0]
    stream = io.StringIO()
    lines = PlainProgress("replaying 40 episodes", 40, stream, every_s=30.0, quiet_s=2.0, clock=lambda: now[0])
    for _ in range(40):
        now[0] += 0.5
        lines.advance()  # quiet until 2 s in (the 4th episode), then at every 4th
    lines.finish()
    shown = stream.getvalue().splitlines()
    assert shown[0] == "replaying 40 episodes: 4 / 40 (2 s, about 18 s left)"
    assert [int(line.split(":")[1].split("/")[0]) for line in shown] == list(range(4, 41, 4))
    assert shown[-1] == "replaying 40 episodes: 40 / 40 (20 s)"
