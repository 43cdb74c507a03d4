"""Episode videos: each step's frame kept compressed in memory, encoded to MP4 when the episode ends.

Frames are zlib-compressed as they arrive (puzzle and simulator frames shrink 20-100x), and a
buffer that reaches `max_frames` halves its sampling rate, so memory per episode stays bounded
however long the episode runs. Encoding (H.264 through imageio's bundled ffmpeg) runs in worker
threads while the event loop keeps stepping other episodes; the file is written under a
temporary name and renamed, so a video in the run directory is always complete.
"""

from __future__ import annotations

import asyncio
import os
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from mmgym.core.records import EpisodeRecord, VideoRecord

VIDEO_DIR = "videos"


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
    """An episode's observation frames and, for envs with a full render, its render frames."""

    def __init__(self, config: RecordConfig) -> None:
        self.config = config
        self.clear()

    def clear(self) -> None:
        """Forget every frame (an episode replayed after its env worker died starts over)."""
        self.observation = FrameBuffer(self.config)
        self.render = FrameBuffer(self.config)
        self.wants_render = False  # set by the rollout from the env's description


def fit(image: np.ndarray, max_side: int) -> np.ndarray:
    """Scale down to `max_side` (nearest neighbour: crisp cells) and pad to even sides (H.264 needs them)."""
    height, width = image.shape[:2]
    if max(height, width) > max_side:
        from PIL import Image

        scale = max_side / max(height, width)
        size = (max(2, round(width * scale)), max(2, round(height * scale)))
        image = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.NEAREST))
    pad_h, pad_w = image.shape[0] % 2, image.shape[1] % 2
    if pad_h or pad_w:
        image = np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return image


def encode_mp4(frames: Iterable[np.ndarray], path: Path, fps: float) -> None:
    """Write H.264 MP4 (yuv420p, fast start: plays in browsers) via imageio's ffmpeg; atomic rename.

    `frames` may be a generator: each frame is only needed while it is written.
    """
    import imageio.v2 as imageio

    # imageio-ffmpeg starts ffmpeg in its own process group through a preexec_fn, which forces a
    # full fork() of this (large) process per video: half of the encoding time went to the kernel.
    # Without it the child is spawned cheaply; Ctrl-C then stops ffmpeg with the run, as it should.
    os.environ.setdefault("IMAGEIO_FFMPEG_NO_PREVENT_SIGINT", "1")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.mp4")
    writer = imageio.get_writer(
        partial,
        format="FFMPEG",
        mode="I",
        fps=fps,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=2,
        ffmpeg_log_level="quiet",  # Ctrl-C reaches ffmpeg too: its last words would bury mmgym's one line
        output_params=["-preset", "veryfast", "-movflags", "+faststart"],
    )
    try:
        size = None
        for frame in frames:
            size = size or frame.shape
            writer.append_data(frame if frame.shape == size else _pad_to(frame, size))
    finally:
        writer.close()
    os.replace(partial, path)


def _pad_to(frame: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A frame of another size (an env that changed resolution) cropped or padded to the first frame's size."""
    out = np.zeros(shape, np.uint8)
    height, width = min(shape[0], frame.shape[0]), min(shape[1], frame.shape[1])
    out[:height, :width] = frame[:height, :width]
    return out


def file_stem(episode_id: str) -> str:
    """A file name stem for an episode id (ids hold '/' and other characters paths should not)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in episode_id)


def video_name(episode_id: str) -> str:
    return file_stem(episode_id) + ".mp4"


class Recorder:
    """Hands out frame buffers and encodes finished episodes into `run_dir/videos/` off the event loop."""

    def __init__(self, run_dir: str | Path, config: RecordConfig | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.config = config or RecordConfig()
        self._encoders = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="mmgym-video")

    def buffer(self) -> EpisodeFrames | None:
        return EpisodeFrames(self.config) if self.config.video else None

    async def finish(self, record: EpisodeRecord, frames: EpisodeFrames | None) -> None:
        """Encode the episode's frames and note the videos in its record; a failure is noted, never raised."""
        if frames is None:
            return
        name = video_name(record.id)
        record.video = await self._encode(record, frames.observation, name)
        if frames.wants_render:
            record.render_video = await self._encode(record, frames.render, name.replace(".mp4", ".render.mp4"))

    async def _encode(self, record: EpisodeRecord, buffer: FrameBuffer, name: str) -> VideoRecord | None:
        frames = buffer.kept()
        if not frames:
            return None
        relative = Path(VIDEO_DIR) / name
        # Decompressed one at a time in the encoding thread: episodes waiting for an encoder hold
        # only their compressed frames (decompressing up front held ~9 MB per waiting episode).
        images = (decompressed(shape, data) for _, shape, data in frames)
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._encoders, encode_mp4, images, self.run_dir / relative, self.config.fps
            )
        except Exception as exc:  # a missing video must not cost the episode
            record.extra["video_error"] = f"{type(exc).__name__}: {exc}"
            return None
        height, width = frames[0][1][:2]
        steps = [step for step, _, _ in frames]
        return VideoRecord(path=relative.as_posix(), frame_steps=steps, fps=self.config.fps, width=width, height=height)

    def close(self) -> None:
        self._encoders.shutdown(wait=True)
