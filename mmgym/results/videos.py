"""Episode videos in the run directory: their names under `videos/`, and H.264 MP4 encoding.

The recorder (`mmgym.runners.recorder`) buffers an episode's frames while it is played and hands
them here when it ends; `mmgym replay` encodes its own videos with the same `encode_mp4`. A video
is written under a temporary name and renamed, so a video in the run directory is always complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from mmgym.results.layout import VIDEO_DIR, file_stem

__all__ = ["encode_mp4", "file_stem", "fit", "video_name", "video_path", "write_video"]


def video_name(episode_id: str) -> str:
    return file_stem(episode_id) + ".mp4"


def video_path(episode_id: str, render: bool = False) -> str:
    """The episode's video relative to its run directory: `videos/<stem>.mp4`, or `<stem>.render.mp4` for the
    env's full render."""
    name = video_name(episode_id)
    if render:
        name = name.replace(".mp4", ".render.mp4")
    return (Path(VIDEO_DIR) / name).as_posix()


def write_video(
    run_dir: str | Path, episode_id: str, frames: Iterable[np.ndarray], fps: float, render: bool = False
) -> str:
    """Encode an episode's frames to its video in `run_dir`; returns the video's path relative to `run_dir`."""
    relative = video_path(episode_id, render)
    encode_mp4(frames, Path(run_dir) / relative, fps)
    return relative


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
