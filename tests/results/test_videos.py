"""Episode videos in the run directory: their names, frame sizes H.264 accepts, and complete files only."""

from __future__ import annotations

from pathlib import Path

import imageio.v2 as imageio
import numpy as np

from mmgym.results.videos import file_stem, fit, video_path, write_video


def test_an_episodes_videos_are_named_from_its_id() -> None:
    assert file_stem("ingvp/multi_step-text/maze 003") == "ingvp_multi_step-text_maze_003"
    assert video_path("suite/task:1") == "videos/suite_task_1.mp4"
    assert video_path("suite/task:1", render=True) == "videos/suite_task_1.render.mp4"


def test_frames_are_scaled_to_max_side_and_padded_to_even_sides() -> None:
    assert fit(np.zeros((1000, 500, 3), np.uint8), 100).shape == (100, 50, 3)
    assert fit(np.zeros((15, 9, 3), np.uint8), 100).shape == (16, 10, 3)


def test_a_video_is_written_whole_under_its_name(tmp_path: Path) -> None:
    frames = [np.full((16, 16, 3), 40 * k, np.uint8) for k in range(3)]
    assert write_video(tmp_path, "a/b", iter(frames), fps=2.0) == "videos/a_b.mp4"
    assert len(imageio.mimread(tmp_path / "videos" / "a_b.mp4", format="FFMPEG")) == 3
    assert sorted(p.name for p in (tmp_path / "videos").iterdir()) == ["a_b.mp4"]  # no partial file left behind
