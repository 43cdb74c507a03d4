"""Input a user can get wrong ends in one line through the installed command, not a traceback: malformed level
sets (ING-VP's JSON sets and ING-VP's own JSONL files), an EB-ALFRED split entry missing a key, and outputs that
cannot be written (a run's output_dir, `mmgym report -o`, `mmgym replay -o`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from cli_helpers import cli_command, cli_env, only_error_line

from mmgym.envs.puzzles.levels import default_set_path
from mmgym.results.store import EPISODES_FILE

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SMALL = ["suite.games=[maze]", "suite.levels=1", "progress=false"]
SET_SHAPE = '{"levels": [{"index": 0, "text": ..., "optimal_length": ...}, ...]}'
HANOI_LEVEL = '{"level": 1, "position": {"A": "abc", "B": "", "C": "", "D": ""}}\n'


def maze_set_missing_a_text() -> str:
    data = json.loads(default_set_path("maze").read_text())
    del data["levels"][1]["text"]
    return json.dumps(data)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"levels": [', f"is not valid JSON (Expecting value at line 1 column 13); expected {SET_SHAPE}"),
        ("[1, 2]", f"holds a list; expected {SET_SHAPE}"),
        (maze_set_missing_a_text(), ": levels[1] has no text; every level needs index, text, optimal_length"),
    ],
    ids=["invalid-json", "wrong-shape", "missing-field"],
)
def test_a_malformed_json_level_set_is_one_line(run_cli: RunCli, tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "mine.json").write_text(content)
    result = run_cli(["run", "suite.level_set=mine.json", *SMALL], cwd=tmp_path)
    assert only_error_line(result) == f"mmgym: error: level set mine.json{'' if expected[0] == ':' else ' '}{expected}"
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        ('{"level": 2, "position": \n', "line 2 is not valid JSON (Expecting value at column 26)"),
        ("[1, 2]\n", "line 2 is a list, not a JSON object of one level"),
        ('{"level": 2}\n', "line 2 has no 'position' field"),
    ],
    ids=["invalid-json", "wrong-shape", "missing-field"],
)
def test_a_malformed_ingvp_level_file_is_one_line_naming_the_line(
    run_cli: RunCli, tmp_path: Path, second_line: str, expected: str
) -> None:
    levels = tmp_path / "ING-VP" / "data" / "hanoi" / "levels_50.jsonl"
    levels.parent.mkdir(parents=True)
    levels.write_text(HANOI_LEVEL + second_line)
    args = ["run", "suite=ingvp_paper", "suite.data_dir=ING-VP/data", "suite.games=[hanoi]", "progress=false"]
    line = only_error_line(run_cli(args, cwd=tmp_path))
    assert line == f"mmgym: error: {levels.resolve()}: not ING-VP's hanoi format: {expected}"


def test_an_eb_alfred_split_entry_missing_a_key_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(str(resources.files("mmgym.envs.thor.standin") / "data" / "eb_alfred"), tmp_path / "alfred")
    split_file = tmp_path / "alfred" / "splits" / "splits.json"
    splits = json.loads(split_file.read_text())
    del splits["base"][1]["repeat_idx"]
    split_file.write_text(json.dumps(splits))
    args = ["run", "suite=eb_alfred", "suite.data_dir=alfred", "suite.executable=standin", "progress=false"]
    assert only_error_line(run_cli(args, cwd=tmp_path)) == (
        "mmgym: error: EB-ALFRED's split file alfred/splits/splits.json: base[1] has no repeat_idx; "
        "each entry needs task, repeat_idx, instruction"
    )
    assert not (tmp_path / "runs").exists()


def test_an_output_dir_under_a_file_is_one_line_before_anything_runs(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "memo").write_text("a file, not a folder\n")
    result = run_cli(["run", *SMALL, "output_dir=memo/run"], cwd=tmp_path)
    assert only_error_line(result) == (
        "mmgym: error: output_dir memo/run cannot be created: memo is a file, not a folder; choose another output_dir"
    )
    swept = run_cli(["run", "-m", "agent=random,oracle", *SMALL, "hydra.sweep.dir=memo/sweep"], cwd=tmp_path)
    assert only_error_line(swept).startswith("mmgym: error: output_dir memo/sweep/agent=random")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo"]  # no probe or run directory left behind


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc, which takes no new files even from root")
def test_an_output_dir_where_no_folder_can_be_made_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    line = only_error_line(run_cli(["run", *SMALL, "output_dir=/proc/mmgym-run"], cwd=tmp_path))
    assert line.startswith("mmgym: error: output_dir /proc/mmgym-run cannot be written: /proc refuses new files (")
    assert line.endswith("); choose another output_dir")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-episode oracle run (no videos), made by the installed command."""
    folder = tmp_path_factory.mktemp("finished")
    args = cli_command(["run", "agent=oracle", *SMALL, "record.video=false", "output_dir=run"])
    result = subprocess.run(args, cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return folder / "run"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["report", "RUN", "-o", "memo/report"], "-o memo/report cannot be created: memo is a file"),
        (["report", "RUN", "-o", "memo"], "-o memo is a file"),
        (
            ["replay", "RUN", "EPISODE", "-o", "memo/a.mp4"],
            "-o memo/a.mp4 cannot be created: memo is a file",
        ),
    ],
    ids=["report-into-a-file", "report-onto-a-file", "replay-into-a-file"],
)
def test_report_and_replay_outputs_in_a_file_are_one_line(
    run_cli: RunCli, tmp_path: Path, finished_run: Path, command: list[str], expected: str
) -> None:
    (tmp_path / "memo").write_text("a file, not a folder\n")
    episode = json.loads((finished_run / EPISODES_FILE).read_text().splitlines()[0])["id"]
    args = [str(finished_run) if a == "RUN" else episode if a == "EPISODE" else a for a in command]
    line = only_error_line(run_cli(args, cwd=tmp_path))
    assert line == f"mmgym: error: {expected}, not a folder; choose another -o"
    assert (tmp_path / "memo").read_text() == "a file, not a folder\n"
