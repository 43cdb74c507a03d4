"""Capability subsets of BabyAI and their frozen episode sets, in two versions.

Each subset draws episodes from a few BabyAI levels chosen to isolate one capability. Version 2
(the default since the suite was calibrated) gives missions that need several skills in order, so
that a random agent almost never completes one within the suite's step budget; version 1 (the
first release) stays readable, so earlier runs can still be compared:

- `base`: one room. v1: one instruction (go to, pick up, open a door, put next to). v2: one
  instruction that takes two skills or more: put an object next to another, or fetch the key
  that opens the room's locked door, among distractors.
- `spatial`: the target is named by where it was relative to the agent at the start ("the door
  on your left", "a key behind you"); only episodes whose mission uses such a location are kept.
  v2: two of pick up and put next to, in order, in a room of nine objects.
- `visual_appearance`: distractors share each named object's colour or its type (both kinds
  present for every named object in every kept episode), so colour and type must both be seen
  right. v1: go to one object; v2: two of pick up and put next to, in order, among 13 objects.
- `complex_instruction`: missions of two to four parts joined by "and", ", then", "after you";
  only compound missions are kept. v2 leaves out "go to" and "open" parts (often done on the way
  to something else) and plays in four rooms.
- `long_horizon`: several rooms, locked doors whose keys must be fetched, objects blocking the
  way: BossLevel (3 x 3 rooms; v2: compound missions of pick up and put next to), KeyCorridor and
  BlockedUnlockPickup (v2 adds UnlockPickupDist).

v2's own levels are minigrid's level generators with set parameters (`levels`).

An episode is a (level, seed) pair: the env rebuilds it exactly from those two. Each entry also
records the mission (a check that minigrid still builds the same episode) and the length of the
expert's solution at both action levels, which version 2's step budgets are multiples of (the
suite's `STEP_BUDGET`). Only episodes both experts solve within generous limits are kept;
generation refuses to write a subset where the experts fail on more than 1% of the drawn
episodes, and replays every kept episode before writing. Regenerate with `python -m
mmgym.envs.babyai.episodes [--version N] [subset ...]`; `--check` replays the committed sets
instead. `episodes/fingerprints.json` holds each episode's fingerprint (the layout minigrid
builds, `layout`), checked at every reset (`mmgym.envs.fingerprints`).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mmgym.envs.fingerprints import Book
from mmgym.errors import ConfigError, unknown_name

FORMAT_VERSION = 1
DEFAULT_SET_SEED = 2024
MAX_PRIMITIVE_STEPS = 1000  # the experts' step limits when judging an episode solvable
MAX_SKILL_STEPS = 60
MAX_EXPERT_FAILURE_RATE = 0.01
_LOCATION = re.compile(r"\b(on your left|on your right|in front of you|behind you)\b")


@dataclass(frozen=True)
class Subset:
    name: str
    description: str
    levels: tuple[tuple[str, int], ...]  # (level id, episodes drawn from it)
    keep: str = "all"  # which drawn episodes to keep: all, location, lookalikes, compound
    min_skills: int = 1  # the fewest skills the skill expert may need ("pick up A after you pick up A" needs one)


SUBSETS_V1: dict[str, Subset] = {
    subset.name: subset
    for subset in (
        Subset(
            "base",
            "one instruction in one room: go to, pick up, open, put next to",
            (
                ("BabyAI-GoToLocal-v0", 13),
                ("BabyAI-PickupDist-v0", 13),
                ("BabyAI-OpenDoorColor-v0", 12),
                ("BabyAI-PutNextLocal-v0", 12),
            ),
        ),
        Subset(
            "spatial",
            "targets named by their location relative to the agent's start",
            (("BabyAI-PickupLoc-v0", 25), ("BabyAI-OpenDoorLoc-v0", 25)),
            keep="location",
        ),
        Subset(
            "visual_appearance",
            "go to an object among distractors sharing its colour or its type",
            (("BabyAI-GoToRedBlueBall-v0", 25), ("BabyAI-GoToLocalS8N7-v0", 25)),
            keep="lookalikes",
        ),
        Subset(
            "complex_instruction",
            "compound missions joined by 'and', 'then', 'after you'",
            (("BabyAI-GoToSeqS5R2-v0", 17), ("BabyAI-OpenTwoDoors-v0", 17), ("BabyAI-MiniBossLevel-v0", 16)),
            keep="compound",
        ),
        Subset(
            "long_horizon",
            "multi-room mazes with locked doors, keys to fetch and blocked ways",
            (("BabyAI-BossLevel-v0", 24), ("BabyAI-KeyCorridorS3R3-v0", 13), ("BabyAI-BlockedUnlockPickup-v0", 13)),
        ),
    )
}


SUBSETS_V2: dict[str, Subset] = {
    subset.name: subset
    for subset in (
        Subset(
            "base",
            "one instruction in one room that takes two skills or more: put next to, unlock a door with its key",
            (("BabyAI-PutNextLocal-v0", 25), ("BabyAI-UnlockLocalDist-v0", 25)),
            min_skills=2,
        ),
        Subset(
            "spatial",
            "pick up and put next to, in order, objects named by their location relative to the agent's start",
            (("babyai-mmgym/PickupPutNextLoc-v0", 50),),
            keep="location",
            min_skills=2,
        ),
        Subset(
            "visual_appearance",
            "pick up and put next to, in order, among distractors sharing each named object's colour or type",
            (("babyai-mmgym/PickupPutNextLookalike-v0", 50),),
            keep="lookalikes",
            min_skills=2,
        ),
        Subset(
            "complex_instruction",
            "compound missions of pick up and put next to, joined by 'and', 'then', 'after you'",
            (("babyai-mmgym/SeqTwoByTwo-v0", 25), ("babyai-mmgym/MiniBossCompound-v0", 25)),
            keep="compound",
            min_skills=2,
        ),
        Subset(
            "long_horizon",
            "multi-room mazes with locked doors, keys to fetch and blocked ways",
            (
                ("babyai-mmgym/BossLevelCompound-v0", 20),
                ("BabyAI-KeyCorridorS3R3-v0", 10),
                ("BabyAI-BlockedUnlockPickup-v0", 10),
                ("BabyAI-UnlockPickupDist-v0", 10),
            ),
            min_skills=2,
        ),
    )
}
VERSIONS: dict[int, dict[str, Subset]] = {1: SUBSETS_V1, 2: SUBSETS_V2}
LATEST_VERSION = 2
SUBSETS = SUBSETS_V2  # the subset names are the same in every version


@dataclass(frozen=True)
class Episode:
    index: int
    level: str
    seed: int
    mission: str
    primitive_steps: int  # the primitive expert's solution length
    skill_steps: int  # the skill expert's solution length, in skills
    skill_primitive_steps: int  # ... and in the primitive steps those skills took


@dataclass(frozen=True)
class EpisodeSet:
    subset: str
    episodes: tuple[Episode, ...]
    seed: int | None = None
    format_version: int = FORMAT_VERSION
    description: str = ""
    expert_failures: int = 0  # drawn episodes an expert could not solve (left out)
    drawn: int = 0  # drawn episodes the subset's filter kept, solved or not
    version: int = LATEST_VERSION

    def __len__(self) -> int:
        return len(self.episodes)

    def __getitem__(self, index: int) -> Episode:
        if not 0 <= index < len(self.episodes):
            raise ConfigError(
                f"episode index {index} is out of range for BabyAI subset {self.subset!r} (0..{len(self.episodes) - 1})"
            )
        return self.episodes[index]


def check_version(version: int) -> int:
    if version not in VERSIONS:
        raise unknown_name("BabyAI episode set version", str(version), [str(v) for v in VERSIONS])
    return version


def set_name(subset: str, version: int) -> str:
    """The set's name among the fingerprints, and its file's stem under `episodes/`: v1's sit at the top."""
    return subset if version == 1 else f"v{version}/{subset}"


def set_path(subset: str, version: int = LATEST_VERSION) -> Path:
    return Path(str(resources.files("mmgym.envs.babyai") / "episodes" / f"{set_name(subset, version)}.json"))


@functools.cache
def load_subset(subset: str, version: int = LATEST_VERSION) -> EpisodeSet:
    """The frozen episode set of a subset, in one of the versions."""
    if subset not in VERSIONS[check_version(version)]:
        raise unknown_name("BabyAI subset", subset, VERSIONS[version])
    path = set_path(subset, version)
    data = json.loads(path.read_text())
    if data.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"BabyAI subset file {path} has format version {data.get('format_version')!r}; "
            f"this mmgym reads version {FORMAT_VERSION}: regenerate it with python -m mmgym.envs.babyai.episodes"
        )
    return EpisodeSet(
        data["subset"],
        tuple(Episode(**entry) for entry in data["episodes"]),
        data["seed"],
        data["format_version"],
        data.get("description", ""),
        data.get("expert_failures", 0),
        data.get("drawn", 0),
        data.get("version", 1),
    )


def save_subset(episode_set: EpisodeSet, path: Path) -> None:
    payload: dict[str, Any] = {
        "subset": episode_set.subset,
        "format_version": episode_set.format_version,
        **({"version": episode_set.version} if episode_set.version != 1 else {}),  # v1's files predate the key
        "seed": episode_set.seed,
        "description": episode_set.description,
        "levels": {level: count for level, count in VERSIONS[episode_set.version][episode_set.subset].levels},
        "drawn": episode_set.drawn,
        "expert_failures": episode_set.expert_failures,
        "episodes": [asdict(episode) for episode in episode_set.episodes],
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")


def _make_env(**kwargs: Any) -> Any:
    """The registered env, made through gymnasium (the env module reads these sets: no import back)."""
    import gymnasium as gym

    from mmgym.envs.babyai import ENV_ID

    return gym.make(ENV_ID, **kwargs).unwrapped


def _keys() -> dict[str, list[tuple[str, int]]]:
    """Every written set's episodes (a set being generated for the first time has none yet)."""
    return {
        set_name(name, version): [(e.level, e.seed) for e in load_subset(name, version).episodes]
        for version, subsets in VERSIONS.items()
        for name in subsets
        if set_path(name, version).exists()
    }


def _replay(limit: int | None) -> None:
    env = _make_env(observe_image=False)
    for version, subsets in VERSIONS.items():
        for name in subsets:
            for episode in load_subset(name, version).episodes[:limit]:
                env.reset(seed=episode.seed, options={"level": episode.level})


FINGERPRINTS = Book("babyai", set_path("base", 1).parent, ("minigrid", "gymnasium", "numpy"), _keys, _replay)


# ---- generation (needs minigrid) -------------------------------------------------------------


def play_expert(env, level: str, seed: int, limit: int) -> tuple[bool, int, int]:
    """Let `env`'s expert play one episode: (solved, actions taken, primitive steps taken)."""
    env.reset(seed=seed, options={"level": level})
    primitive_steps = 0
    for step in range(1, limit + 1):
        plan = env.expert_plan()
        if not plan:
            return False, step - 1, primitive_steps
        _, _, terminated, _, info = env.step(plan[0])
        primitive_steps += info["primitive_steps"]
        if not info["valid"]:
            return False, step, primitive_steps
        if terminated:
            return bool(info["success"]), step, primitive_steps
    return False, limit, primitive_steps


def _descriptions(leaf: Any) -> list[Any]:
    """The object descriptions of a subgoal: one, or two for "put A next to B"."""
    return [leaf.desc_move, leaf.desc_fixed] if hasattr(leaf, "desc_move") else [leaf.desc]


def _has_lookalikes(description: Any, things: list[Any]) -> bool:
    if not description.color or not description.type:
        return False
    named = {id(obj) for obj in description.obj_set}
    others = [obj for obj in things if id(obj) not in named]
    return any(o.color == description.color for o in others) and any(o.type == description.type for o in others)


def _keeper(keep: str) -> Callable[[Any], bool]:
    """Whether a freshly reset minigrid env holds an episode the subset wants."""
    from minigrid.envs.babyai.core.verifier import SeqInstr

    from mmgym.envs.babyai import mission

    def location(env: Any) -> bool:
        return bool(_LOCATION.search(env.mission))

    def lookalikes(env: Any) -> bool:
        """Every object the mission names is named by colour and type, and shares each with another object."""
        descriptions = [d for leaf in mission.leaves(env.instrs) for d in _descriptions(leaf)]
        things = [obj for obj in env.grid.grid if obj is not None and obj.type not in ("wall", "door")]
        return bool(descriptions) and all(_has_lookalikes(d, things) for d in descriptions)

    def compound(env: Any) -> bool:
        return isinstance(env.instrs, SeqInstr)

    return {"all": lambda env: True, "location": location, "lookalikes": lookalikes, "compound": compound}[keep]


@FINGERPRINTS.unchecked()  # after an upgrade, the drawn episodes may be the frozen ones, changed
def generate_subset(
    subset: str, seed: int = DEFAULT_SET_SEED, log: Callable[[str], None] = print, version: int = LATEST_VERSION
) -> EpisodeSet:
    """Draw a subset's episodes, keep those both experts solve; raise if the experts fail too often."""
    spec = VERSIONS[version][subset]
    keep = _keeper(spec.keep)
    primitive = _make_env(action_level="primitive", observe_image=False)
    skill = _make_env(action_level="skill", observe_image=False)
    stream = [seed, list(SUBSETS).index(subset)] + ([version] if version != 1 else [])  # v1's stream as it was
    rng = np.random.default_rng(stream)
    episodes: list[Episode] = []
    drawn = failures = 0
    for level, count in spec.levels:
        kept = 0
        while kept < count:
            episode_seed = int(rng.integers(2**31))
            primitive.reset(seed=episode_seed, options={"level": level})
            if not keep(primitive.grid_env):
                continue
            solved, steps, _ = play_expert(primitive, level, episode_seed, MAX_PRIMITIVE_STEPS)
            skill_solved, skills, skill_primitive = play_expert(skill, level, episode_seed, MAX_SKILL_STEPS)
            if skill_solved and skills < spec.min_skills:
                continue
            drawn += 1
            if not (solved and skill_solved):
                failures += 1
                log(f"  {level} seed {episode_seed}: expert failed (primitive {solved}, skill {skill_solved})")
                if drawn >= 20 and failures > MAX_EXPERT_FAILURE_RATE * drawn + 1:
                    raise RuntimeError(f"the experts fail on {failures} of {drawn} drawn {subset} episodes")
                continue
            mission = primitive.grid_env.mission
            episodes.append(Episode(len(episodes), level, episode_seed, mission, steps, skills, skill_primitive))
            kept += 1
    if failures > MAX_EXPERT_FAILURE_RATE * drawn:
        raise RuntimeError(
            f"the experts fail on {failures} of {drawn} drawn {subset} episodes "
            f"(more than {MAX_EXPERT_FAILURE_RATE:.0%}); not writing the set"
        )
    return EpisodeSet(subset, tuple(episodes), seed, FORMAT_VERSION, spec.description, failures, drawn, version)


def check_subset(episode_set: EpisodeSet) -> list[str]:
    """Replay every episode with both experts; the problems found (empty when all is well)."""
    problems = []
    envs = {level: _make_env(action_level=level, observe_image=False) for level in ("primitive", "skill")}
    for episode in episode_set.episodes:
        where = f"{episode_set.subset}[{episode.index}] ({episode.level}, seed {episode.seed})"
        solved, steps, _ = play_expert(envs["primitive"], episode.level, episode.seed, MAX_PRIMITIVE_STEPS)
        if envs["primitive"].grid_env.mission != episode.mission:
            problems.append(f"{where}: the mission is now {envs['primitive'].grid_env.mission!r}")
        if not solved or steps != episode.primitive_steps:
            problems.append(f"{where}: primitive expert solved={solved} in {steps} steps")
        solved, skills, skill_primitive = play_expert(envs["skill"], episode.level, episode.seed, MAX_SKILL_STEPS)
        if not solved or (skills, skill_primitive) != (episode.skill_steps, episode.skill_primitive_steps):
            problems.append(f"{where}: skill expert solved={solved} in {skills} skills")
    return problems


def main(argv: list[str] | None = None) -> None:
    """`python -m mmgym.envs.babyai.episodes [--check] [--version N] [subset ...]`: regenerate (or replay) the
    sets of one version (the latest when not given; `--check` without it replays every version)."""
    parser = argparse.ArgumentParser(prog="python -m mmgym.envs.babyai.episodes")
    parser.add_argument("--check", action="store_true", help="replay the committed sets instead of regenerating")
    parser.add_argument("--version", type=int, choices=sorted(VERSIONS))
    parser.add_argument("subsets", nargs="*", metavar="subset", help=f"one of {', '.join(SUBSETS)}; all when none")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    for name in args.subsets:
        if name not in SUBSETS:
            raise unknown_name("BabyAI subset", name, SUBSETS)
    versions = [args.version] if args.version else list(VERSIONS) if args.check else [LATEST_VERSION]
    for version in versions:
        for name in args.subsets or list(SUBSETS):
            _make_one(name, version, args.check)


def _make_one(name: str, version: int, check_only: bool) -> None:
    """Regenerate one set (or, `check_only`, replay the committed one) and say how it went."""
    start = time.perf_counter()
    if check_only:
        episode_set = load_subset(name, version)
        problems = check_subset(episode_set)
    else:
        episode_set = generate_subset(name, version=version)
        with FINGERPRINTS.unchecked():  # the set replaced may hold the same (level, seed), laid out before a change
            problems = check_subset(episode_set)
    if problems:
        raise SystemExit(f"v{version} {name}: {len(problems)} problems, e.g. {problems[0]}")
    if not check_only:
        path = set_path(name, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_subset(episode_set, path)
    verb = "checked" if check_only else "wrote"
    print(
        f"v{version} {name}: {verb} {len(episode_set)} episodes "
        f"(expert failures {episode_set.expert_failures} of {episode_set.drawn} drawn) "
        f"in {time.perf_counter() - start:.1f}s"
    )


if __name__ == "__main__":
    main()
