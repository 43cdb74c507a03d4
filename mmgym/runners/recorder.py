"""Episode videos: an observer that keeps each step's frame compressed in memory and writes the episode's video
when it ends.

Frames are zlib-compressed as they arrive (puzzle and simulator frames shrink 20-100x), and a
buffer that reaches `max_frames` halves its sampling rate, so memory per episode stays bounded
however long the episode runs. Encoding (H.264 through imageio's bundled ffmpeg, into the run
directory's `videos/`: `mmgym.results.videos`) runs in worker threads while the event loop keeps
stepping other episodes; a video in the run directory is always complete.
"""

from __future__ import annotations

import asyncio
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.videos import fit, write_video
from mmgym.runners.observers import EpisodeState


class RecordConfig(BaseModel):
    """What the recorder keeps (Hydra group `record`)."""

    model_config = ConfigDict(extra="forbid")

    video: bool = True  # encode each episode's frames to videos/<episode>.mp4
    every: PositiveInt = 1  # keep every k-th step's frame (the first and the last are always kept)
    max_frames: int = Field(default=200, ge=2)  # per episode, the last one included; full: the sampling rate halves
    max_side: int = Field(default=512, ge=16)  # larger frames are scaled down to this
    fps: float = Field(default=2.0, gt=0)


class FrameBuffer:
    """One episode's frames, as (steps taken when it was shown, compressed pixels)."""

    def __init__(self, config: RecordConfig) -> None:
        self.config = config
        self.every = config.every
        self.frames: list[tuple[int, tuple[int, ...], bytes]] = []
        self.last: tuple[int, tuple[int, ...], bytes] | None = None

    def add(self, step: int, image: np.ndarray | None) -> None:
        """The frame shown after `step` steps (0: the initial state); None (no image) is skipped."""
        if image is None:
            return
        image = fit(np.asarray(image, dtype=np.uint8), self.config.max_side)
        self.last = (step, image.shape, zlib.compress(image.tobytes(), 1))
        if step % self.every:
            return
        self.frames.append(self.last)
        if len(self.frames) > self.config.max_frames:
            self.every *= 2
            self.frames = [frame for frame in self.frames if frame[0] % self.every == 0]

    def kept(self) -> list[tuple[int, tuple[int, ...], bytes]]:
        """The kept frames, still compressed, the last one included (in place of the latest sample when full)."""
        frames = list(self.frames)
        if self.last is not None and (not frames or frames[-1][0] != self.last[0]):
            if len(frames) >= self.config.max_frames:
                frames.pop()
            frames.append(self.last)
        return frames

    def final(self) -> list[tuple[int, np.ndarray]]:
        """The kept frames, decompressed."""
        return [(step, decompressed(shape, data)) for step, shape, data in self.kept()]


def decompressed(shape: tuple[int, ...], data: bytes) -> np.ndarray:
    return np.frombuffer(zlib.decompress(data), np.uint8).reshape(shape)


class EpisodeFrames:
    """One attempt's observation frames and, for envs with a full render, its render frames."""

    def __init__(self, config: RecordConfig) -> None:
        self.observation = FrameBuffer(config)
        self.render = FrameBuffer(config)
        self.wants_render = False  # the env's description says render() shows more than the observation


class Recorder:
    """An `EpisodeObserver` that buffers each episode's frames and, once it ends, encodes them into `run_dir/videos/`
    off the event loop and notes the videos in its record."""

    def __init__(self, run_dir: str | Path, config: RecordConfig | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.config = config or RecordConfig()
        self._encoders = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="mmgym-video")
        self._episodes: dict[str, EpisodeFrames] = {}  # episode id -> the frames of its current attempt

    def on_start(self, spec: EpisodeSpec) -> None:
        """A fresh buffer: a replay records from its own start."""
        if self.config.video:
            self._episodes[spec.id] = EpisodeFrames(self.config)

    async def on_step(self, state: EpisodeState) -> None:
        """Keep the state's observation image, and the env's full render when it has one."""
        frames = self._episodes.get(state.spec.id)
        if frames is None:
            return
        frames.wants_render = state.description.full_render
        frames.observation.add(state.step, state.observation.get("image"))
        if frames.wants_render:
            frames.render.add(state.step, await state.render())

    async def on_end(self, record: EpisodeRecord) -> None:
        """Encode the episode's frames and note the videos in its record; a failure is noted, never raised."""
        frames = self._episodes.pop(record.id, None)
        if frames is None:
            return
        record.video = await self._encode(record, frames.observation)
        if frames.wants_render:
            record.render_video = await self._encode(record, frames.render, render=True)

    async def _encode(self, record: EpisodeRecord, buffer: FrameBuffer, render: bool = False) -> VideoRecord | None:
        frames = buffer.kept()
        if not frames:
            return None
        # Decompressed one at a time in the encoding thread: episodes waiting for an encoder hold
        # only their compressed frames (decompressing up front held ~9 MB per waiting episode).
        images = (decompressed(shape, data) for _, shape, data in frames)
        try:
            path = await asyncio.get_running_loop().run_in_executor(
                self._encoders, write_video, self.run_dir, record.id, images, self.config.fps, render
            )
        except Exception as exc:  # a missing video must not cost the episode
            record.extra["video_error"] = f"{type(exc).__name__}: {exc}"
            return None
        height, width = frames[0][1][:2]
        steps = [step for step, _, _ in frames]
        return VideoRecord(path=path, frame_steps=steps, fps=self.config.fps, width=width, height=height)

    def close(self) -> None:
        self._encoders.shutdown(wait=True)
