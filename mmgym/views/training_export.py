"""A run's turns as fine-tuning data: chat JSONL (`sft`) or a Hugging Face dataset saved to disk (`hf`).

Every episode the filter keeps is replayed (`runners.rerender`) to rebuild each turn's prompt with
its frames, then written as chat rows (`views.chat_rows`). From an expert's run the rows are a
behaviour-cloning set; from a model's run, with `--successful`, a rejection-sampling set. Episodes
that ended in an error are left out and counted. Files are written whole or not at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mmgym.agents.models.base import ImagePart
from mmgym.agents.models.images import ImageEncoding
from mmgym.agents.scripted import gives_a_reason
from mmgym.errors import ConfigError, MmgymError
from mmgym.results.export import EpisodeFilter, selected_records
from mmgym.results.run_dir import RunDir
from mmgym.runners.env_session import EnvMaker
from mmgym.runners.in_process import in_process
from mmgym.runners.rerender import PromptSource, RenderedEpisode, rerender_episode
from mmgym.views.chat_rows import ImageFolder, ImageRef, data_urls, episode_row, turn_row
from mmgym.views.progress import progress

Unit = Literal["turn", "episode"]
ImageMode = Literal["files", "data-url"]
HF_INSTALL = 'pip install "mmgym[export]"'
HF_BATCH_ROWS = 100  # rows held before each write: frames make a row tens of kB


@dataclass(frozen=True)
class ChatExport:
    """What to export and how: which episodes, one row per turn or per episode, images as files or data URLs,
    and, for a scripted agent's run, settings of the prompt its turns are given (`PromptSource`)."""

    which: EpisodeFilter = field(default_factory=EpisodeFilter)
    unit: Unit = "turn"
    images: ImageMode = "files"
    prompt: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExportCount:
    episodes: int = 0
    rows: int = 0
    skipped_errors: int = 0


def rendered_episodes(run_dir: RunDir, export: ChatExport, count: ExportCount) -> Iterator[RenderedEpisode]:
    """Each kept episode replayed, with a progress bar; error records are counted in `count`, not replayed."""
    config = run_dir.config()
    total, reasons = 0, False
    for record in selected_records(run_dir, export.which):
        total += 1
        reasons = reasons or any(gives_a_reason(step.reasoning) for step in record.steps)
    source = PromptSource.of_run(dict(config.get("agent") or {}), export.prompt, reasons)
    envs = in_process(EnvMaker(tuple(config.get("env_modules") or ())))
    loop = asyncio.new_event_loop()
    try:
        with progress("export: episodes", total) as advance:
            for record in selected_records(run_dir, export.which):
                if record.status != "done":
                    count.skipped_errors += 1
                else:
                    count.episodes += 1
                    yield loop.run_until_complete(rerender_episode(record, source, envs))
                advance()
    finally:
        envs.close()
        loop.close()


def chat_rows(episodes: Iterator[RenderedEpisode], unit: Unit, images: ImageRef, count: ExportCount) -> Iterator[dict]:
    for episode in episodes:
        rows = (
            [episode_row(episode, images)]
            if unit == "episode"
            else [turn_row(episode, t, images) for t in episode.turns]
        )
        count.rows += len(rows)
        yield from rows


def run_encoding(run_dir: RunDir) -> ImageEncoding:
    """How the run's backend encoded frames (PNG unless its model config says otherwise)."""
    model = dict(run_dir.config().get("model") or {})
    return ImageEncoding(
        model.get("image_format", "png"), model.get("image_max_side"), model.get("jpeg_quality", 90),
        model.get("png_level", 1),
    )  # fmt: skip


def write_sft(run_dir: RunDir, export: ChatExport, output: Path) -> ExportCount:
    """Chat JSONL at `output`; images as files in `<output stem>_images/` beside it, or inline as data URLs."""
    count = ExportCount()
    encoding = run_encoding(run_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    images = (
        ImageFolder(output.parent / f"{output.stem}_images", output.parent, encoding)
        if export.images == "files"
        else data_urls(encoding)
    )
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w") as out:
            for row in chat_rows(rendered_episodes(run_dir, export, count), export.unit, images, count):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return count


def write_hf(run_dir: RunDir, export: ChatExport, output: Path) -> ExportCount:
    """A `datasets.Dataset` saved to the folder `output` (`load_from_disk`), its `images` an `Image` feature
    holding each frame's bytes. An earlier dataset there is replaced; any other folder is refused."""
    try:
        import datasets
    except ImportError:
        raise ConfigError(f"--format hf needs the datasets library; {HF_INSTALL}") from None
    if output.exists() and not (output / "dataset_info.json").is_file():
        raise ConfigError(f"{output} exists and is not a saved dataset; name a new folder with -o, or delete it")
    count = ExportCount()
    images = _inline_images(run_encoding(run_dir))
    written = chat_rows(rendered_episodes(run_dir, export, count), export.unit, images, count)
    first = next(written, None)
    if first is None:
        raise ConfigError("no episode to export: the filters kept none, or every kept one ended in an error")
    with tempfile.TemporaryDirectory(prefix="mmgym-hf-") as scratch:

        def rows() -> Iterator[dict[str, Any]]:  # streamed to the scratch folder: the frames are never all in memory
            yield first
            yield from written

        try:
            dataset = datasets.Dataset.from_generator(
                rows,
                features=_hf_features(datasets),
                cache_dir=scratch,
                fingerprint=f"mmgym-{uuid.uuid4().hex}",
                writer_batch_size=HF_BATCH_ROWS,
            )
        except datasets.exceptions.DatasetGenerationError as exc:  # it wraps what the rows raised
            if isinstance(exc.__cause__, MmgymError):
                raise exc.__cause__ from None
            raise
        partial = Path(scratch) / "dataset"
        dataset.save_to_disk(str(partial))
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(partial), output)
    return count


def _hf_features(datasets: Any) -> Any:
    """The rows' schema: message parts and groups as JSON values (a part keeps only its own keys), frames as
    `Image` features holding their bytes."""
    text, whole = datasets.Value("string"), datasets.Value("int64")
    return datasets.Features(
        {
            "episode_id": text, "suite": text, "task": text, "seed": whole, "groups": datasets.Json(),
            "success": datasets.Value("bool"), "id": text, "turn": whole,
            "messages": datasets.List({"role": text, "content": datasets.List(datasets.Json())}),
            "images": datasets.List(datasets.Image()),
        }
    )  # fmt: skip


def _inline_images(encoding: ImageEncoding) -> Callable[[ImagePart], dict[str, Any]]:
    def inline(part: ImagePart) -> dict[str, Any]:
        data = encoding.encode(part.image)
        return {"bytes": data, "path": f"{hashlib.sha256(data).hexdigest()[:20]}.{encoding.image_format}"}

    return inline
