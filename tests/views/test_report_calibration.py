"""`mmgym report --calibration [--normalized]`: a suite's floor and ceiling as reference rows, scores placed
between them, and the calibration's plot and table; on real runs of a small maze calibration (`mmgym calibrate`).

The page is read as HTML (no browser): what a cell shows, its marks, and that names from a calibration file
stay text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import cli_command, cli_env, only_error_line

from mmgym.errors import ConfigError
from mmgym.results.calibration import calibrate, load, save
from mmgym.results.run_dir import RunDir
from mmgym.views.plots import Bar, score_lines
from mmgym.views.report import SuiteCalibration, load_calibrations, write_report

SMALL = ["suite=ingvp", "suite.games=[maze]", "suite.levels=3", "suite.settings=[multi_step-text-history]"]
SETTING = "multi_step-text-history"
HOSTILE = "<script>alert(1)</script>"


def mmgym(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(args), cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A calibration of three maze levels (accuracy) with its runs: random, oracle, noisy-0.5, noisy-1."""
    root = tmp_path_factory.mktemp("calibration")
    done = mmgym(["calibrate", *SMALL, "--epsilons", "0,0.5,1", "-o", "cal"], root)
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "cal"


@pytest.fixture(scope="module")
def efficiency(cal: Path) -> Path:
    """The same runs calibrated on efficiency, whose floor (the random agent's) lies above 0."""
    results = {name: RunDir(cal / name).results() for name in ("random", "oracle", "noisy-0.5", "noisy-1")}
    by_p = {0.0: results["oracle"], 0.5: results["noisy-0.5"], 1.0: results["noisy-1"]}
    folder = cal.parent / "efficiency"
    folder.mkdir(exist_ok=True)
    save(calibrate("ingvp", "efficiency", results["random"], results["oracle"], by_p), folder)
    return folder


class Board(HTMLParser):
    """The leaderboard's body rows: each row's class and its cells (class, title, mean, ci)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.in_board = self.in_body = False
        self.cell: dict[str, str] | None = None
        self.span = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.in_board = "board" in attr.get("class", "")
        elif self.in_board and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append({"class": attr.get("class", ""), "cells": []})
        elif self.in_body and tag == "td":
            self.cell = {
                "class": attr.get("class", ""),
                "title": attr.get("title", ""),
                "mean": "",
                "ci": "",
                "text": "",
            }
            self.rows[-1]["cells"].append(self.cell)
        elif self.cell is not None and tag in ("span", "sup"):
            self.span = attr.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td":
            self.cell = None
        elif tag in ("span", "sup"):
            self.span = ""

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data
            if self.span in ("mean", "ci"):
                self.cell[self.span] += data


def board(report: Path) -> list[dict[str, Any]]:
    parser = Board()
    parser.feed((report / "index.html").read_text())
    return parser.rows


def row(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    return next(r for r in rows if r["cells"][0]["text"] == label)


def scores(found: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [cell for cell in found["cells"] if kind in cell["class"].split()]


def figures(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "calibration.json").read_text())


def test_the_floor_and_ceiling_follow_the_suites_runs_as_reference_rows(cal: Path, tmp_path: Path) -> None:
    done = mmgym(["report", str(cal / "oracle"), str(cal / "random"), "--calibration", str(cal), "-o", "r"], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = board(tmp_path / "r")
    assert [r["cells"][0]["text"] for r in rows] == ["oracle", "random", "floor (random agent)", "ceiling (expert)"]
    assert [r["class"] for r in rows] == ["", "", "reference", "reference"]
    written = figures(cal)["groups"]
    for label, side in (("floor (random agent)", "floor"), ("ceiling (expert)", "ceiling")):
        found = row(rows, label)
        assert found["cells"][1]["text"] == "ingvp"  # labelled with its suite
        band = written["overall"]["all"][side]
        accuracy, *others = scores(found, "metric")  # ING-VP's metrics: accuracy (calibrated), completion, efficiency
        assert (accuracy["mean"], accuracy["ci"]) == (f"{band['mean']:.1f}", f"[{band['low']:.1f}, {band['high']:.1f}]")
        assert [cell["mean"] for cell in others] == ["", ""]  # only the calibrated metric
        [group] = scores(found, "group")
        assert group["mean"] == f"{written['setting'][SETTING][side]['mean']:.1f}"
        assert "raw" not in accuracy["class"]  # nothing is normalised without the switch
    page = (tmp_path / "r" / "index.html").read_text()
    assert "normalised: 100 × (score − floor) / (ceiling − floor)" not in page
    assert "tr.reference td { font-style: italic" in page


def test_normalized_places_each_runs_calibrated_metric_between_floor_and_ceiling(
    cal: Path, efficiency: Path, tmp_path: Path
) -> None:
    runs = [cal / "oracle", cal / "random", cal / "noisy-1"]
    write_report(runs, tmp_path / "r", load_calibrations([efficiency]), normalized=True)
    rows = board(tmp_path / "r")
    overall = figures(efficiency)["groups"]["overall"]["all"]
    floor, ceiling = overall["floor"]["mean"], overall["ceiling"]["mean"]
    assert 0 < floor < ceiling == 100.0  # the random agent's efficiency is not 0: normalising changes the figure
    noisy = RunDir(cal / "noisy-1").results().overall()["efficiency"]

    def placed(score: float) -> str:
        return f"{100 * (score - floor) / (ceiling - floor):.1f}"

    expected = {
        "oracle": ("100.0", "[100.0, 100.0]"),
        "random": ("0.0", None),
        "noisy-1": (placed(noisy.mean), f"[{placed(noisy.low)}, {placed(noisy.high)}]"),
    }
    for label, (mean, ci) in expected.items():
        efficiency_cell = scores(row(rows, label), "metric")[2]  # ING-VP's accuracy, completion, efficiency
        assert efficiency_cell["mean"] == mean and (ci is None or efficiency_cell["ci"] == ci)
        assert "raw" not in efficiency_cell["class"]
    raw = RunDir(cal / "noisy-1").results().overall()["accuracy"]
    assert scores(row(rows, "noisy-1"), "metric")[0]["mean"] == f"{raw.mean:.1f}"  # other metrics stay as they are
    floor_row = scores(row(rows, "floor (random agent)"), "metric")[2]
    assert floor_row["mean"] == f"{floor:.1f}" and "raw" in floor_row["class"]  # a reference keeps its raw score
    page = (tmp_path / "r" / "index.html").read_text()
    assert (
        "normalised: 100 × (score − floor) / (ceiling − floor), floor = random agent, ceiling = expert, from " in page
    )
    assert str(efficiency / "calibration.json") in page


def test_a_group_without_a_floor_apart_from_its_ceiling_shows_its_raw_score_marked(cal: Path, tmp_path: Path) -> None:
    edited = figures(cal)
    edited["groups"]["overall"]["all"]["floor"]["mean"] = 20.0
    edited["groups"]["overall"]["all"]["ceiling"]["mean"] = 80.0
    group = edited["groups"]["setting"][SETTING]
    group["floor"]["mean"] = group["ceiling"]["mean"] = 50.0  # no room between them
    (tmp_path / "edited").mkdir()
    (tmp_path / "edited" / "calibration.json").write_text(json.dumps(edited))
    write_report([cal / "oracle"], tmp_path / "r", load_calibrations([tmp_path / "edited"]), normalized=True)
    oracle = row(board(tmp_path / "r"), "oracle")
    assert scores(oracle, "metric")[0]["mean"] == f"{100 * (100.0 - 20.0) / 60.0:.1f}"  # 133.3: above the ceiling
    [by_setting] = scores(oracle, "group")
    assert by_setting["mean"] == "100.0" and "raw" in by_setting["class"] and by_setting["title"].startswith("raw")
    assert "†" in by_setting["text"] and "† a raw score, not normalised" in (tmp_path / "r" / "index.html").read_text()


def test_the_calibration_section_plots_the_score_against_p_per_grouping(cal: Path) -> None:
    page = (cal / "report" / "index.html").read_text()  # the report `mmgym calibrate` wrote
    section = page[page.index('<section id="calibration">') :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 3  # overall, by setting, by game
    assert "floor (random)" in section and "ceiling (expert)" in section and 'class="reference"' in section
    assert SETTING in section and "maze" in section
    assert [label for label in ("random", "oracle") if f'<td class="label">{label}</td>' in page] == [
        "random",
        "oracle",
    ]
    overall = figures(cal)["groups"]["overall"]["all"]
    at_one = overall["by_epsilon"]["1"]
    assert f'{at_one["mean"]:.1f}</span> <span class="ci">[{at_one["low"]:.1f}, {at_one["high"]:.1f}]' in section
    assert ">yes</td>" in section


def test_names_from_a_calibration_file_stay_text(cal: Path, tmp_path: Path) -> None:
    hostile_group = figures(cal)
    groups = hostile_group["groups"]["setting"]
    groups[HOSTILE] = groups.pop(SETTING)
    hostile_suite = figures(cal) | {"suite": HOSTILE, "metric": HOSTILE}
    for name, content in (("group", hostile_group), ("suite", hostile_suite)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "calibration.json").write_text(json.dumps(content))
    calibrations = load_calibrations([tmp_path / "group", tmp_path / "suite"])
    write_report([cal / "oracle"], tmp_path / "r", calibrations, normalized=True)
    page = (tmp_path / "r" / "index.html").read_text()
    assert HOSTILE not in page and "alert(1)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "no run of this suite is in the report" in page


def test_normalized_without_a_calibration_and_a_missing_calibration_are_one_line(cal: Path, tmp_path: Path) -> None:
    line = only_error_line(mmgym(["report", str(cal / "oracle"), "--normalized", "-o", "r"], tmp_path))
    assert line == (
        "mmgym: error: --normalized needs a floor and a ceiling: pass --calibration DIR, "
        "a folder written by mmgym calibrate suite=<name> -o DIR"
    )
    line = only_error_line(mmgym(["report", str(cal / "oracle"), "--calibration", "nowhere", "-o", "r"], tmp_path))
    assert (
        line == "mmgym: error: no calibration.json at nowhere; make one with: mmgym calibrate suite=<name> -o nowhere"
    )
    assert not (tmp_path / "r").exists()


def test_two_calibrations_of_one_suite_are_refused(cal: Path, tmp_path: Path) -> None:
    shutil.copy(cal / "calibration.json", tmp_path / "copy.json")
    with pytest.raises(ConfigError, match=r"both calibrate suite 'ingvp'; pass one"):
        load_calibrations([cal, tmp_path / "copy.json"])
    assert load_calibrations([tmp_path / "copy.json"]) == [SuiteCalibration(tmp_path / "copy.json", load(cal))]


def test_the_line_plot_escapes_its_labels_and_draws_references_dashed() -> None:
    svg = score_lines(
        HOSTILE,
        {HOSTILE: {0.0: Bar(100, 90, 100, 5), 1.0: Bar(20, 0, 40, 5)}, "empty": {}},
        {"floor " + HOSTILE: 10.0},
        scale=(0.0, 100.0),
    )
    assert HOSTILE not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert svg.count('class="reference"') == 1 and svg.count('class="line"') == 1  # an empty series draws no line
    assert svg.count("<circle") == 2 and "n=5" in svg
