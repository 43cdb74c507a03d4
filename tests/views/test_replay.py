"""`mmgym replay`: one frame per state, the agent's side of each step beside it, MP4 or GIF."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

imageio = pytest.importorskip("imageio.v2", reason="imageio is not installed (pip install 'imageio[ffmpeg]')")

from mmgym.agents.scripted import OracleAgent, RandomAgent  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.results.store import ResultsStore  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.runners.recorder import RecordConfig  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402
from mmgym.views.replay import FRAME_SIDE, MAX_REASONING_LINES, PANEL_WIDTH, panel  # noqa: E402

SETTINGS = ["multi_step-image_text-history", "multi_step-text-history"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A recorded run: Sokoban with and without images, oracle (short) and random (invalid moves)."""
    path = tmp_path_factory.mktemp("run")
    suite = IngvpSuite(games=["sokoban"], settings=SETTINGS, levels=1, image_size=96, max_steps=6)
    evaluate(suite, RandomAgent, path, LocalRunner(), False, RecordConfig())
    return path


def episode(run_dir: Path, modality: str) -> EpisodeRecord:
    return next(r for r in ResultsStore(run_dir).records() if r.spec.rules.observation == modality)


@pytest.mark.parametrize(("modality", "suffix"), [("image_text", "mp4"), ("text", "gif"), ("image_text", "gif")])
def test_replay_has_one_frame_per_state_at_the_composed_size(
    run_dir: Path, run_cli, modality: str, suffix: str
) -> None:
    record = episode(run_dir, modality)
    output = run_dir / f"out-{modality}.{suffix}"
    result = run_cli(["replay", str(run_dir), record.id, "-o", str(output)], cwd=run_dir)
    assert result.returncode == 0, result.stderr
    frames = imageio.mimread(output, format="FFMPEG" if suffix == "mp4" else "GIF", memtest=False)
    assert len(frames) == len(record.steps) + 1 == 7
    assert {frame.shape[:2] for frame in frames} == {(FRAME_SIDE, FRAME_SIDE + PANEL_WIDTH)}
    left = np.asarray(frames[0])[:, :FRAME_SIDE, :3]
    assert left.std() > 10  # the state is drawn (the recorded frame, or the state's text)


def test_the_text_drawn_for_an_unrecorded_episode_changes_when_the_state_does(run_dir: Path, run_cli) -> None:
    record = episode(run_dir, "text")
    output = run_dir / "text.gif"
    assert run_cli(["replay", str(run_dir), record.id[:40], "-o", str(output)], cwd=run_dir).returncode == 0
    frames = [np.asarray(f)[:, :FRAME_SIDE, :3] for f in imageio.mimread(output, format="GIF")]
    for before, after, step in zip(frames, frames[1:], record.steps, strict=False):
        moved = int(np.any(np.abs(before.astype(int) - after.astype(int)) > 40, axis=2).sum())
        assert (moved > 50) == step.data["state_changed"], moved  # GIF palettes shift a few anti-aliased pixels


def test_the_panel_shows_action_validity_feedback_and_reasoning_truncated() -> None:
    record = EpisodeRecord.model_validate(
        json.loads((Path(__file__).parent / "data" / "replay_record.json").read_text())
    )
    lines = [text for text, _ in panel(record, 1)]
    assert lines[0].startswith("step 1 / 1")
    assert lines[1] == "setting: multi_step-text-history, game: maze"  # the episode's groups, crossed ones left out
    assert "action: left [invalid]" in lines and "feedback: Blocked by a wall." in lines
    start = next(i for i, line in enumerate(lines) if line.startswith("reasoning: I think"))
    reasoning = lines[start : lines.index("", start)]
    assert len(reasoning) == MAX_REASONING_LINES and reasoning[-1].endswith("…")  # 4,000 characters, cut
    assert lines[-1] == "outcome: not solved"


def test_every_episode_is_replayed_without_an_id(run_dir: Path, run_cli) -> None:
    result = run_cli(["replay", str(run_dir), "--format", "gif"], cwd=run_dir)
    assert result.returncode == 0, result.stderr
    assert len(list((run_dir / "replays").glob("*.gif"))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "mmgym: error: no episode 'nope' in"),
        ([], None),
    ],
)
def test_bad_input_is_one_line(run_dir: Path, run_cli, tmp_path: Path, args: list[str], message: str | None) -> None:
    if message is None:
        result = run_cli(["replay", str(tmp_path)], cwd=tmp_path)
        message = "is not a run directory (no episodes.jsonl)"
    else:
        result = run_cli(["replay", str(run_dir), *args], cwd=run_dir)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_oracle_replay_ends_solved(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], settings=SETTINGS[:1], levels=1, image_size=64)
    evaluate(suite, OracleAgent, tmp_path, LocalRunner(), False, RecordConfig())
    [record] = ResultsStore(tmp_path).records()
    assert panel(record, len(record.steps))[-1][0] == "outcome: solved"


@pytest.mark.parametrize(("suffix", "fps"), [("mp4", 4.0), ("mp4", 2.5), ("gif", 4.0), ("gif", 2.5)])
def test_fps_sets_the_written_videos_frame_rate(
    run_dir: Path, run_cli, tmp_path: Path, suffix: str, fps: float
) -> None:
    record = episode(run_dir, "image_text")
    output = tmp_path / f"replay.{suffix}"
    result = run_cli(["replay", str(run_dir), record.id, "-o", str(output), "--fps", f"{fps:g}"], cwd=run_dir)
    assert result.returncode == 0, result.stderr
    frames = len(record.steps) + 1
    if suffix == "mp4":
        with imageio.get_reader(output, format="FFMPEG") as reader:
            meta = reader.get_meta_data()
            assert sum(1 for _ in reader) == frames
        assert meta["fps"] == pytest.approx(fps)
        assert meta["duration"] == pytest.approx(frames / fps, abs=0.5 / fps)
    else:
        with Image.open(output) as gif:
            durations = []
            for index in range(gif.n_frames):
                gif.seek(index)
                durations.append(gif.info["duration"])
        assert durations == [pytest.approx(1000 / fps)] * frames  # milliseconds per frame
