"""Episode videos: frames kept bounded, encoded to MP4 that decodes to the recorded states."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import ClassVar

import gymnasium as gym
import numpy as np
import pytest

imageio = pytest.importorskip("imageio.v2", reason="imageio is not installed (pip install 'imageio[ffmpeg]')")

from mmgym.agents.scripted import OracleAgent, RandomAgent  # noqa: E402
from mmgym.core.language_env import EnvTraits  # noqa: E402
from mmgym.results import videos as videos_module  # noqa: E402
from mmgym.runners.env_session import make_env  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.runners.recorder import FrameBuffer, RecordConfig, Recorder  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402

SETTINGS = ["multi_step-image_text-history", "multi_step-text-history"]


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(("steps", "max_frames"), [(100, 50), (1000, 50), (49, 50), (50, 50), (7, 2), (200, 3)])
def test_an_episode_keeps_at_most_max_frames_evenly_sampled_with_first_and_last(steps: int, max_frames: int) -> None:
    buffer = FrameBuffer(RecordConfig(max_frames=max_frames, max_side=16))
    for step in range(steps + 1):  # the initial state, then one frame per step
        buffer.add(step, np.full((8, 8, 3), step % 256, np.uint8))
    frames = buffer.final()
    kept = [step for step, _ in frames]
    assert len(frames) <= max_frames and kept[0] == 0 and kept[-1] == steps
    assert len({b - a for a, b in itertools.pairwise(kept[:-1])}) <= 1  # one stride (the last frame may be off it)
    assert all(int(image[0, 0, 0]) == step % 256 for step, image in frames)
    if steps + 1 <= max_frames:
        assert kept == list(range(steps + 1))  # short episodes keep every frame


def test_every_samples_and_none_is_skipped() -> None:
    buffer = FrameBuffer(RecordConfig(every=3))
    for step in range(8):
        buffer.add(step, None if step == 3 else np.zeros((4, 4, 3), np.uint8))
    assert [step for step, _ in buffer.final()] == [0, 6, 7]


def test_each_image_episode_gets_an_mp4_with_one_frame_per_state(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze", "sokoban"], settings=SETTINGS, levels=2, image_size=96)
    evaluate(suite, OracleAgent, tmp_path, LocalRunner(concurrency=4), False, RecordConfig())
    for record in records(tmp_path):
        if record["spec"]["rules"]["observation"] == "text":
            assert record["video"] is None  # text-only: the env renders no image
            continue
        video = record["video"]
        assert video["frame_steps"] == list(range(len(record["steps"]) + 1))
        frames = imageio.mimread(tmp_path / video["path"], format="FFMPEG")
        assert len(frames) == len(video["frame_steps"])
        assert frames[0].shape == (video["height"], video["width"], 3) == (96, 96, 3)
        assert not (tmp_path / video["path"]).with_name(Path(video["path"]).name + ".partial.mp4").exists()


def test_recording_off_writes_nothing(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], settings=SETTINGS[:1], levels=2, image_size=64)
    evaluate(suite, RandomAgent, tmp_path, LocalRunner(), False, RecordConfig(video=False))
    assert not (tmp_path / "videos").exists() and all(r["video"] is None for r in records(tmp_path))


def test_a_failed_encoding_is_noted_and_costs_the_episode_nothing(tmp_path: Path, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(videos_module, "encode_mp4", broken)
    suite = IngvpSuite(games=["maze"], settings=SETTINGS[:1], levels=1, image_size=64)
    evaluate(suite, OracleAgent, tmp_path, LocalRunner(), False, RecordConfig())
    [record] = records(tmp_path)
    assert record["status"] == "done" and record["success"] and record["video"] is None
    assert record["extra"]["video_error"] == "OSError: disk full"


class ThirdPersonView(gym.Wrapper):
    """An env whose full render differs from its observation (like a simulator's overview camera)."""

    traits: ClassVar[EnvTraits] = EnvTraits(full_render=True)

    def render(self) -> np.ndarray:
        return 255 - self.env.unwrapped.last_image


class KeepsImage(gym.Wrapper):
    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.env.unwrapped.last_image = obs["image"]
        return obs, info

    def step(self, action):
        result = self.env.step(action)
        self.env.unwrapped.last_image = result[0]["image"]
        return result


def test_an_env_with_a_full_render_gets_a_second_video(tmp_path: Path, maze_spec) -> None:
    def factory(spec):
        return ThirdPersonView(KeepsImage(make_env(spec)))

    spec = maze_spec(setting="multi_step-image_text-history")
    done: list = []
    recorder = Recorder(tmp_path, RecordConfig())
    asyncio.run(LocalRunner().run([spec], OracleAgent, done.append, factory, observers=[recorder]))
    recorder.close()
    [record] = done
    observation = imageio.mimread(tmp_path / record.video.path, format="FFMPEG")
    render = imageio.mimread(tmp_path / record.render_video.path, format="FFMPEG")
    assert len(observation) == len(render) == len(record.steps) + 1 == 5
    assert record.render_video.path.endswith(".render.mp4")
    difference = np.abs(observation[0].astype(int) + render[0].astype(int) - 255).mean()
    assert difference < 8  # the render is the inverted observation (up to H.264 loss)
