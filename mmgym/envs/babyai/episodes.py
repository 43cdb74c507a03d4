"""Capability subsets of BabyAI and their frozen episode sets.

Each subset draws episodes from a few BabyAI levels chosen to isolate one capability:

- `base`: one instruction in one room, no locations, no sequences: go to, pick up (an object
  named by colour, type or both), open a door (from a room with four), put next to.
- `spatial`: the target is named by where it was relative to the agent at the start ("the door
  on your left", "a key behind you"); only episodes whose mission uses such a location are kept.
- `visual_appearance`: go to one object among distractors that share its colour or its type
  (both kinds present in every kept episode), so colour and type must both be seen right.
- `complex_instruction`: missions of two to four parts joined by "and", ", then", "after you";
  only compound missions are kept.
- `long_horizon`: several rooms, locked doors whose keys must be fetched, objects blocking the
  way: BossLevel (3 x 3 rooms, any mission), KeyCorridor and BlockedUnlockPickup.

An episode is a (level, seed) pair: the env rebuilds it exactly from those two. Each entry also
records the mission (a check that minigrid still builds the same episode) and the length of the
expert's solution at both action levels, so a suite can set step limits. Only episodes both
experts solve within generous limits are kept; generation refuses to write a subset where the
experts fail on more than 1% of the drawn episodes, and replays every kept episode before
writing. Regenerate with `python -m mmgym.envs.babyai.episodes [subset ...]`; `--check` replays
the committed sets instead. `episodes/fingerprints.json` holds each episode's fingerprint (the
layout minigrid builds, `layout`), checked at every reset (`mmgym.envs.fingerprints`).
"""

from __future__ import annotations

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


SUBSETS: dict[str, Subset] = {
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

    def __len__(self) -> int:
        return len(self.episodes)

    def __getitem__(self, index: int) -> Episode:
        if not 0 <= index < len(self.episodes):
            raise ConfigError(
                f"episode index {index} is out of range for BabyAI subset {self.subset!r} (0..{len(self.episodes) - 1})"
            )
        return self.episodes[index]


def set_path(subset: str) -> Path:
    return Path(str(resources.files("mmgym.envs.babyai") / "episodes" / f"{subset}.json"))


@functools.cache
def load_subset(subset: str) -> EpisodeSet:
    """The frozen episode set of a subset."""
    if subset not in SUBSETS:
        raise unknown_name("BabyAI subset", subset, SUBSETS)
    data = json.loads(set_path(subset).read_text())
    if data.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"BabyAI subset file {set_path(subset)} has format version {data.get('format_version')!r}; "
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
    )


def save_subset(episode_set: EpisodeSet, path: Path) -> None:
    payload: dict[str, Any] = {
        "subset": episode_set.subset,
        "format_version": episode_set.format_version,
        "seed": episode_set.seed,
        "description": episode_set.description,
        "levels": {level: count for level, count in SUBSETS[episode_set.subset].levels},
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
    return {name: [(e.level, e.seed) for e in load_subset(name).episodes] for name in SUBSETS}


def _replay(limit: int | None) -> None:
    env = _make_env(observe_image=False)
    for name in SUBSETS:
        for episode in load_subset(name).episodes[:limit]:
            env.reset(seed=episode.seed, options={"level": episode.level})


FINGERPRINTS = Book("babyai", set_path("base").parent, ("minigrid", "gymnasium", "numpy"), _keys, _replay)


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


def _keeper(keep: str) -> Callable[[Any], bool]:
    """Whether a freshly reset minigrid env holds an episode the subset wants."""
    from minigrid.envs.babyai.core.verifier import GoToInstr, SeqInstr

    def location(env: Any) -> bool:
        return bool(_LOCATION.search(env.mission))

    def lookalikes(env: Any) -> bool:
        instr = env.instrs
        if not isinstance(instr, GoToInstr) or not instr.desc.color or not instr.desc.type:
            return False
        targets = {id(obj) for obj in instr.desc.obj_set}
        others = [
            obj
            for obj in env.grid.grid
            if obj is not None and obj.type not in ("wall", "door") and id(obj) not in targets
        ]
        return any(obj.color == instr.desc.color for obj in others) and any(
            obj.type == instr.desc.type for obj in others
        )

    def compound(env: Any) -> bool:
        return isinstance(env.instrs, SeqInstr)

    return {"all": lambda env: True, "location": location, "lookalikes": lookalikes, "compound": compound}[keep]


@FINGERPRINTS.unchecked()  # after an upgrade, the drawn episodes may be the frozen ones, changed
def generate_subset(subset: str, seed: int = DEFAULT_SET_SEED, log: Callable[[str], None] = print) -> EpisodeSet:
    """Draw a subset's episodes, keep those both experts solve; raise if the experts fail too often."""
    spec = SUBSETS[subset]
    keep = _keeper(spec.keep)
    primitive = _make_env(action_level="primitive", observe_image=False)
    skill = _make_env(action_level="skill", observe_image=False)
    rng = np.random.default_rng([seed, list(SUBSETS).index(subset)])
    episodes: list[Episode] = []
    drawn = failures = 0
    for level, count in spec.levels:
        kept = 0
        while kept < count:
            episode_seed = int(rng.integers(2**31))
            primitive.reset(seed=episode_seed, options={"level": level})
            if not keep(primitive.grid_env):
                continue
            drawn += 1
            solved, steps, _ = play_expert(primitive, level, episode_seed, MAX_PRIMITIVE_STEPS)
            skill_solved, skills, skill_primitive = play_expert(skill, level, episode_seed, MAX_SKILL_STEPS)
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
    return EpisodeSet(subset, tuple(episodes), seed, FORMAT_VERSION, spec.description, failures, drawn)


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
    """`python -m mmgym.envs.babyai.episodes [--check] [subset ...]`: regenerate (or replay) the sets."""
    args = list(sys.argv[1:] if argv is None else argv)
    check_only = "--check" in args
    names = [arg for arg in args if arg != "--check"] or list(SUBSETS)
    for name in names:
        if name not in SUBSETS:
            raise unknown_name("BabyAI subset", name, SUBSETS)
    for name in names:
        start = time.perf_counter()
        episode_set = load_subset(name) if check_only else generate_subset(name)
        problems = check_subset(episode_set)
        if problems:
            raise SystemExit(f"{name}: {len(problems)} problems, e.g. {problems[0]}")
        if not check_only:
            save_subset(episode_set, set_path(name))
        verb = "checked" if check_only else "wrote"
        print(
            f"{name}: {verb} {len(episode_set)} episodes "
            f"(expert failures {episode_set.expert_failures} of {episode_set.drawn} drawn) "
            f"in {time.perf_counter() - start:.1f}s"
        )


if __name__ == "__main__":
    main()
