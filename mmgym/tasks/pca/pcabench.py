"""PCA-Bench's own released data, read as it is: a meta file per domain and its images beside it.

`data_dir` holds one folder per domain, named as PCA-Bench names them ("Autonomous Driving",
"Domestic Robot", "Open-World Game"), each with `meta_data.json`: a list of entries with
`question`, `actions`, `answer_index`, `reason`, `key_concept`, `domain` and `image` (a file name
in the same folder, or in its `images/` folder). Such items have no scene and no generated judge
cases: they are played from their image and scored by the same scorers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mmgym.errors import ConfigError
from mmgym.tasks.pca.env.item import Concept, DecisionItem
from mmgym.tasks.released import read_json

TITLES = {"driving": "Autonomous Driving", "domestic": "Domestic Robot", "game": "Open-World Game"}
META_FILE = "meta_data.json"


def load_domain(data_dir: str | Path, domain: str) -> list[DecisionItem]:
    """Every entry of one domain's meta file, as items (`source="pcabench"`, `image` set)."""
    folder = Path(data_dir).expanduser() / TITLES[domain]
    path = folder / META_FILE
    entries = read_json(path, "PCA-Bench meta file", "suite.data_dir holds one folder per domain")
    items = []
    for position, entry in enumerate(entries):
        try:
            items.append(
                DecisionItem(
                    domain=domain,
                    index=int(entry.get("index", position)),
                    source="pcabench",
                    question=entry["question"],
                    actions=tuple(entry["actions"]),
                    answer_index=int(entry["answer_index"]),
                    key_concepts=tuple(Concept(name=str(k)) for k in entry["key_concept"]),
                    reasoning=entry["reason"],
                    image=entry["image"],
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise ConfigError(f"{path}: entry {position} is not a PCA-Bench entry ({reason})") from None
    return items


def load_image(image_dir: str | None, name: str, size: int) -> np.ndarray:
    """An item's image file, letterboxed onto a `size` x `size` black square (the aspect kept)."""
    from PIL import Image

    folder = Path(image_dir or ".").expanduser()
    path = next((p for p in (folder / name, folder / "images" / name) if p.exists()), None)
    if path is None:
        raise ConfigError(f"PCA-Bench image not found: {name} in {folder} or {folder / 'images'}")
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        canvas = Image.new("RGB", (size, size))
        canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    return np.asarray(canvas, dtype=np.uint8)
