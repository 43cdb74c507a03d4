"""The frozen PCA item sets: generated once per domain, stored as JSON, regenerated identically on demand.

    python -m mmgym.tasks.pca.env.frozen [--check] [DOMAIN ...]

A set holds the items' fields and scenes, never images (`Domain.render` draws them when played).
Items come from seeds 0, 1, 2, ...; a seed whose state offers no unique right action is skipped
(each item's `scene` holds its seed), and `--check` regenerates the whole set and compares.
`items/fingerprints.json` holds each item's fingerprint, of the state its simulator rebuilds from
`scene` (`Domain.view`), checked at every reset of a frozen item (`mmgym.envs.fingerprints`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from mmgym.envs.fingerprints import Book
from mmgym.errors import unknown_name
from mmgym.tasks.pca.env.domain import Domain
from mmgym.tasks.pca.env.item import DOMAINS, DecisionItem

ITEMS_PER_DOMAIN = 200
MAX_SEEDS = 20 * ITEMS_PER_DOMAIN  # a generator that rejects more than 95% of its states is broken


def domain(name: str) -> Domain:
    """The domain module's `DOMAIN` (imports its simulator)."""
    if name not in DOMAINS:
        raise unknown_name("PCA domain", name, DOMAINS)
    return importlib.import_module(f"mmgym.tasks.pca.env.{name}").DOMAIN


def generate(name: str, count: int = ITEMS_PER_DOMAIN) -> list[DecisionItem]:
    """`count` items from seeds 0, 1, 2, ..., skipping seeds without a unique right action."""
    source, items = domain(name), []
    for seed in range(MAX_SEEDS):
        item = source.generate(seed, len(items))
        if item is not None:
            items.append(item)
            if len(items) == count:
                return items
    raise RuntimeError(f"{name}: only {len(items)} items from {MAX_SEEDS} seeds")


def path(name: str) -> Path:
    return Path(str(resources.files("mmgym.tasks.pca.env") / "items" / f"{name}.json"))


def save(name: str, items: list[DecisionItem]) -> None:
    path(name).parent.mkdir(parents=True, exist_ok=True)
    rows = [item.model_dump(mode="json") for item in items]
    path(name).write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")


@cache
def load(name: str) -> tuple[DecisionItem, ...]:
    """A domain's frozen items (validated)."""
    if name not in DOMAINS:
        raise unknown_name("PCA domain", name, DOMAINS)
    return tuple(DecisionItem.model_validate(row) for row in json.loads(path(name).read_text()))


@cache
def _every_item() -> tuple[DecisionItem, ...]:
    return tuple(item for name in DOMAINS for item in load(name))


def item_for_seed(seed: int | None) -> DecisionItem:
    """The frozen item a reset without one plays: the seed indexes every domain's set in `DOMAINS` order
    (None: the first item), so that `check_env` and plain `gym.make` users can play, the same item per seed."""
    items = _every_item()
    return items[(seed or 0) % len(items)]


def frozen_key(item: DecisionItem) -> tuple[str, str]:
    """What a reset recognises a frozen item by: its domain and scene (what the simulator rebuilds)."""
    return item.domain, json.dumps(item.scene, sort_keys=True)


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    from mmgym.tasks.pca.env import ENV_ID

    env = gym.make(ENV_ID, image_size=32, observe_image=False).unwrapped
    for name in DOMAINS:
        for item in load(name)[:limit]:
            env.reset(options={"item": item.model_dump(mode="json")})
    env.close()


LIBRARIES = {
    "driving": ("highway-env", "gymnasium", "numpy"),
    "domestic": ("minigrid", "gymnasium", "numpy"),
    "game": ("crafter", "opensimplex", "numpy"),
}
FINGERPRINTS = Book(
    "pca",
    path(DOMAINS[0]).parent,
    LIBRARIES,
    lambda: {name: list(map(frozen_key, load(name))) for name in DOMAINS},
    _replay,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("domains", nargs="*", default=list(DOMAINS))
    parser.add_argument("--check", action="store_true", help="regenerate in memory and compare with the stored sets")
    parser.add_argument("--count", type=int, default=ITEMS_PER_DOMAIN)
    args = parser.parse_args(argv)
    failed = 0
    for name in args.domains:
        items = generate(name, args.count)
        if args.check:
            same = [i.model_dump(mode="json") for i in items] == [i.model_dump(mode="json") for i in load(name)]
            failed += not same
            print(f"{name}: {'identical' if same else 'DIFFERENT'} ({len(items)} items)")
        else:
            save(name, items)
            print(f"{name}: {len(items)} items -> {path(name)}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
