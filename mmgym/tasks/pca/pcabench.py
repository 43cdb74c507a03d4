"""PCA-Bench's own released data, read as it is, in both of its published layouts.

- **v1.0** (PCA-EVAL's `pca-eval/data/v1.0`): one folder per domain, named as PCA-Bench names
  them ("Autonomous Driving", "Domestic Robot", "Open-World Game"), each with `meta_data.json` (a
  list of entries with `index`, `question`, `actions`, `answer_index`, `reason`, `key_concept`,
  `domain` and `image`, a file in the folder's `imgs/`, `images/` or the folder itself) and
  `end2end_prompts.json` (`{index, image, prompt}`: the question with the state it depends on, as
  PCA-Bench prompts a model).
- **V1 open track** (`PCA-Bench/<Domain-Title>-test_open-meta.json`): the same entries without
  `index` or `image`; the images are published separately (the test_open split of the
  PCA-Bench/PCA-Bench-V1 dataset on the Hugging Face hub) and read from `image_dir`, one folder per
  domain holding `<position>.png` or `.jpg`.

Items may have any number of actions (up to 8 in PCA-Bench). An entry that is not a valid item is
skipped with its reason, so one bad entry does not stop a run; the suite reports the skipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from mmgym.errors import ConfigError
from mmgym.tasks.pca.env.item import Concept, DecisionItem
from mmgym.tasks.released import read_json

TITLES = {"driving": "Autonomous Driving", "domestic": "Domestic Robot", "game": "Open-World Game"}
META_FILE = "meta_data.json"
PROMPTS_FILE = "end2end_prompts.json"
IMAGE_FOLDERS = ("imgs", "images", ".")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
HINT = "suite.data_dir holds one folder per domain (PCA-EVAL's data/v1.0) or the V1 open track's meta files"


def open_track_file(domain: str) -> str:
    return f"{TITLES[domain].replace(' ', '-')}-test_open-meta.json"


@dataclass
class Loaded:
    """A domain's items, the entries skipped (each `file entry N: reason`), and where its images are."""

    items: list[DecisionItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    image_dir: str | None = None


def load_domain(data_dir: str | Path, domain: str, prompts: bool = False, image_dir: str | None = None) -> Loaded:
    """Every valid entry of one domain's meta file, as items (`source="pcabench"`, `image` set).

    With `prompts`, each item carries PCA-Bench's own prompt for it (`end2end_prompts.json`, by index).
    """
    root = Path(data_dir).expanduser()
    folder, open_track = root / TITLES[domain], root / open_track_file(domain)
    if (folder / META_FILE).is_file():
        path, images = folder / META_FILE, str(folder)
    elif open_track.is_file():
        path, images = open_track, _open_track_images(open_track, domain, image_dir)
        if prompts:
            raise ConfigError(
                f"{open_track.name}: the V1 open track's prompts are published with its images on the Hugging "
                "Face hub, not as a file; suite.protocol=pcabench needs PCA-EVAL's data/v1.0 layout"
            )
    else:
        raise ConfigError(f"no PCA-Bench data for {domain} in {root}: neither {folder / META_FILE} nor {open_track}")
    entries = read_json(path, "PCA-Bench meta file", HINT)
    if not isinstance(entries, list):
        raise ConfigError(f"{path} must hold a list of entries; {HINT}")
    by_index = _prompts(folder / PROMPTS_FILE) if prompts else {}
    loaded = Loaded(image_dir=images)
    for position, entry in enumerate(entries):
        try:
            loaded.items.append(_item(entry, domain, position, by_index, open_track=path == open_track))
        except (KeyError, TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            loaded.skipped.append(f"{path.name} entry {position}: {_reason(exc)}")
    return loaded


def _item(entry: Any, domain: str, position: int, prompts: dict[int, str], open_track: bool) -> DecisionItem:
    index = int(entry.get("index", position))
    if prompts and index not in prompts:
        raise ValueError(f"no prompt with index {index} in {PROMPTS_FILE}")
    return DecisionItem(
        domain=domain,
        index=index,
        source="pcabench",
        question=entry["question"],
        actions=tuple(entry["actions"]),
        answer_index=int(entry["answer_index"]),
        key_concepts=tuple(Concept(name=str(k)) for k in entry["key_concept"]),
        reasoning=entry["reason"],
        image=str(position) if open_track else entry["image"],
        prompt=prompts.get(index),
    )


def _reason(exc: Exception) -> str:
    """Why an entry is not an item, in one line."""
    if isinstance(exc, KeyError):
        return f"no {exc} field"
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc).splitlines()[0]


def _prompts(path: Path) -> dict[int, str]:
    entries = read_json(path, "PCA-Bench prompt file", "suite.protocol=pcabench reads it beside meta_data.json")
    try:
        return {int(e["index"]): str(e["prompt"]) for e in entries}
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{path}: each entry needs an index and a prompt, as PCA-EVAL's files have") from None


def _open_track_images(meta: Path, domain: str, image_dir: str | None) -> str:
    if not image_dir:
        raise ConfigError(
            f"{meta.name} names no images: PCA-Bench publishes the open track's images separately (the test_open "
            "split of PCA-Bench/PCA-Bench-V1 on the Hugging Face hub); save them as <position>.png in one folder "
            f"per domain ({', '.join(t.replace(' ', '-') for t in TITLES.values())}) and give suite.image_dir"
        )
    return str(Path(image_dir).expanduser() / TITLES[domain].replace(" ", "-"))


def find_image(image_dir: str | None, name: str) -> Path:
    """An item's image file: `name` in the folder's `imgs/`, `images/` or itself; a name without a suffix
    (the open track's positions) may be any of .png, .jpg, .jpeg."""
    folder = Path(image_dir or ".").expanduser()
    names = [name] if Path(name).suffix else [name + suffix for suffix in IMAGE_SUFFIXES]
    for sub in IMAGE_FOLDERS:
        for candidate in names:
            if (folder / sub / candidate).is_file():
                return folder / sub / candidate
    raise ConfigError(f"PCA-Bench image not found: {name} in {folder} (or its {' or '.join(IMAGE_FOLDERS[:2])}/)")


def load_image(image_dir: str | None, name: str, size: int) -> np.ndarray:
    """An item's image file, letterboxed onto a `size` x `size` black square (the aspect kept)."""
    from PIL import Image

    with Image.open(find_image(image_dir, name)) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        canvas = Image.new("RGB", (size, size))
        canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    return np.asarray(canvas, dtype=np.uint8)
