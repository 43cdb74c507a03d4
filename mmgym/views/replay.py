"""`mmgym replay`: an episode as a video, each state beside what the agent did and why.

Each output frame is one state of the episode (the initial state, then the state after each
step): the recorded frame on the left (or, for episodes recorded without frames, the state's
text drawn in a fixed-width grid) and a panel on the right with the step number, the
instruction, the action and whether it was valid, reward and progress, the env's feedback and
the agent's reasoning for the turn that produced the action.
"""

from __future__ import annotations

import textwrap
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mmgym.core.records import EpisodeRecord
from mmgym.errors import MmgymError
from mmgym.results.run_dir import RunDir
from mmgym.results.videos import encode_mp4, fit

FRAME_SIDE = 384
PANEL_WIDTH = 440
FONT_SIZE = 14
LINE_HEIGHT = 18
MAX_REASONING_LINES = 9
BACKGROUND = (250, 250, 250)
INK = (30, 30, 30)
MUTED = (110, 110, 110)
GOOD = (20, 130, 60)
BAD = (190, 40, 40)


class EpisodeNotFound(MmgymError):
    """No episode in the run directory matches the id given."""


def find_episode(run_dir: Path, episode_id: str) -> EpisodeRecord:
    """The record whose id is `episode_id`, or starts with it when that prefix is unique."""
    records = list(RunDir(run_dir).records())
    exact = [r for r in records if r.id == episode_id]
    matches = exact or [r for r in records if r.id.startswith(episode_id)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        sample = ", ".join(r.id for r in records[:3])
        raise EpisodeNotFound(f"no episode {episode_id!r} in {run_dir}; {len(records)} episodes there, e.g. {sample}")
    raise EpisodeNotFound(f"{len(matches)} episodes start with {episode_id!r}; give more of the id")


def replay_frames(record: EpisodeRecord, run_dir: Path) -> list[np.ndarray]:
    """One composed frame per state: len(record.steps) + 1 frames, all the same size."""
    states = state_images(record, run_dir)
    return [compose(states[k], panel(record, k)) for k in range(len(record.steps) + 1)]


def state_images(record: EpisodeRecord, run_dir: Path) -> list[np.ndarray]:
    """The image of each state: from the recorded video (the latest frame at or before it), else its text."""
    count = len(record.steps) + 1
    video = RunDir(run_dir).video_path(record.video)
    if video is None or not video.exists():
        texts = [record.initial_text, *(step.state_text for step in record.steps)]
        return [text_image(text) for text in texts]
    import imageio.v2 as imageio

    with imageio.get_reader(video, format="FFMPEG") as reader:
        frames = [np.asarray(frame) for frame in reader]
    shown = dict(zip(record.video.frame_steps, frames, strict=False))
    images, current = [], frames[0]
    for state in range(count):
        current = shown.get(state, current)
        images.append(current)
    return images


@lru_cache(maxsize=512)
def text_image(text: str, side: int = FRAME_SIDE) -> np.ndarray:
    """A state's text on a square canvas, one character per fixed cell (grids stay aligned).

    Cached (read-only): an episode revisits states (every invalid move repeats one), and drawing a
    grid glyph by glyph was a third of a replay's time.
    """
    lines = text.splitlines() or [""]
    columns = max(len(line) for line in lines) or 1
    cell = max(6, min(side // columns, side // len(lines), 40))
    font = _font(int(cell * 0.8))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    left, top = (side - cell * columns) // 2, (side - cell * len(lines)) // 2
    for row, line in enumerate(lines):
        for column, char in enumerate(line):
            x, y = left + column * cell + cell // 2, top + row * cell + cell // 2
            draw.text((x, y), char, fill=INK, font=font, anchor="mm")
    image = np.asarray(canvas)
    image.flags.writeable = False
    return image


def panel(record: EpisodeRecord, state: int) -> list[tuple[str, tuple[int, int, int]]]:
    """The side panel's lines for a state (text, colour), wrapped to the panel's width."""
    total = len(record.steps)
    lines: list[tuple[str, tuple[int, int, int]]] = [(f"step {state} / {total}   {record.spec.task}", INK)]
    groups = ", ".join(f"{k}: {v}" for k, v in record.groups.items() if k != "overall" and "/" not in k)
    lines += _wrapped(groups or f"task: {record.spec.task}", MUTED)
    lines += _wrapped(f"instruction: {record.instruction}", MUTED) if record.instruction else []
    lines.append(("", INK))
    if state == 0:
        lines.append(("initial state", INK))
    else:
        step = record.steps[state - 1]
        action = step.action or "(no action)"
        lines += _wrapped(f"action: {action}  [{'valid' if step.valid else 'invalid'}]", GOOD if step.valid else BAD)
        lines.append((f"reward {step.reward:g}   progress {step.progress:.0%}", INK))
        lines += _wrapped(f"feedback: {step.feedback}", INK, limit=4) if step.feedback else []
        reasoning = step.reasoning or _turn_reasoning(record, step.turn)
        if reasoning:
            lines.append(("", INK))
            lines += _wrapped(f"reasoning: {reasoning}", MUTED, limit=MAX_REASONING_LINES)
    if state == total:
        lines.append(("", INK))
        outcome = "solved" if record.success else (record.stop_reason or record.error or "not solved")
        lines += _wrapped(f"outcome: {outcome}", GOOD if record.success else BAD, limit=3)
    return lines


def _turn_reasoning(record: EpisodeRecord, turn: int) -> str:
    return next((t.reasoning for t in record.turns if t.index == turn), "")


def _wrapped(text: str, colour: tuple[int, int, int], limit: int = 3) -> list[tuple[str, tuple[int, int, int]]]:
    """Wrap to the panel; more than `limit` lines end with an ellipsis."""
    width = (PANEL_WIDTH - 24) // 7  # characters of the default font at 14 px, roughly
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > limit:
        lines = [*lines[: limit - 1], textwrap.shorten(" ".join(lines[limit - 1 :]), width, placeholder=" …")]
    return [(line, colour) for line in lines]


def compose(state: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]]) -> np.ndarray:
    """The state scaled to FRAME_SIDE beside the panel."""
    image = Image.fromarray(fit(np.asarray(state, np.uint8), FRAME_SIDE))
    height = max(FRAME_SIDE, image.height, 16 + LINE_HEIGHT * len(lines))
    height += height % 2
    canvas = Image.new("RGB", (FRAME_SIDE + PANEL_WIDTH, height), BACKGROUND)
    canvas.paste(image, ((FRAME_SIDE - image.width) // 2, (height - image.height) // 2))
    for row, (text, colour) in enumerate(lines):
        mask = _line_mask(text)
        canvas.paste(colour, (FRAME_SIDE + 12 - MASK_PAD, 8 + row * LINE_HEIGHT), mask)
    return np.asarray(canvas)


MASK_PAD = 4  # room for a glyph that starts left of its origin


@lru_cache(maxsize=4096)
def _line_mask(text: str) -> Image.Image:
    """A panel line drawn once as a coverage mask, then pasted in its colour wherever it appears: most lines
    (the task, the instruction, a repeated action, reward or reasoning) recur frame after frame, and drawing
    text was the largest cost of a replay."""
    mask = Image.new("L", (PANEL_WIDTH, LINE_HEIGHT + MASK_PAD))  # the panel's width: longer text is cut there anyway
    ImageDraw.Draw(mask).text((MASK_PAD, 0), text, fill=255, font=_font(FONT_SIZE))
    return mask


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def write_replay(record: EpisodeRecord, run_dir: Path, output: Path, fps: float = 1.0) -> Path:
    """Render the episode to `output` (.mp4 or .gif) and return its path."""
    frames = _same_size(replay_frames(record, run_dir))
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".gif":
        import imageio.v2 as imageio

        imageio.mimsave(output, frames, format="GIF", duration=1000 / fps, loop=0)
    elif output.suffix.lower() == ".mp4":
        encode_mp4(frames, output, fps)
    else:
        raise MmgymError(f"replay output must end in .mp4 or .gif, not {output.name!r}")
    return output


def _same_size(frames: list[np.ndarray]) -> list[np.ndarray]:
    height = max(frame.shape[0] for frame in frames)
    return [_pad_rows(frame, height) for frame in frames]


def _pad_rows(frame: np.ndarray, height: int) -> np.ndarray:
    """The frame padded to `height`; most already are, and copying every frame was a tenth of a replay's time."""
    if frame.shape[0] == height:
        return frame
    return np.pad(frame, ((0, height - frame.shape[0]), (0, 0), (0, 0)), constant_values=BACKGROUND[0])


def default_output(run_dir: Path, record: EpisodeRecord, suffix: str = ".mp4") -> Path:
    return RunDir(run_dir).replay_path(record.id, suffix)
