"""EmbodiedBench's own evaluation protocol per track, as play rules (`suite.protocol=embodiedbench`).

What carries over from EmbodiedBench's planners and evaluators (EmbodiedBench/EmbodiedBench,
`embodiedbench/planner/vlm_planner.py`, `nav_planner.py`, `evaluator/eb_*_evaluator.py`) is its
structure and rules, not its sentences:
- one user message per turn: the image, the actions listed as `action id i: <name>`, examples, the
  instruction, every past step with its id and the env's feedback, a closing and the reply format;
- a JSON reply whose `executable_plan` lists `{action_id, action_name}`, run in order by id until an
  action fails or the task is done;
- EB-ALFRED and EB-Habitat: an unparseable reply (or a first id out of range) uses no step but counts
  as invalid, a later id out of range cuts the plan there, an empty plan ends the episode, and the
  tenth invalid action (refused or unparseable) ends it too;
- EB-Navigation: an unparseable reply or an empty plan becomes one uniformly random action (marked
  in its step and counted in the `random_actions` metric), and an id out of range ends the episode.
- EB-Manipulation: the plan lists 7-D actions themselves and runs to its end (a failed action does not
  stop it); an unparseable reply becomes one random action, an empty plan ends the episode.

The texts are mmgym's own, in that structure. With `suite.protocol_dir` set to a checkout of
EmbodiedBench, the system prompt, the examples and the reply format are read from the authors' files
at run time (`authors_texts`), and the run records which were used.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules, PromptProtocol, Unparseable
from mmgym.envs.habitat.skills import SKILL_WORDS
from mmgym.envs.miniworld.actions import ACTIONS as MINIWORLD
from mmgym.envs.thor.alfred_skills import global_skills
from mmgym.envs.thor.nav_env import ACTIONS as NAV_ACTIONS
from mmgym.errors import ConfigError
from mmgym.tasks.released import python_literals
from mmgym.tasks.scoring import Metric, Scores

Protocol = Literal["mmgym", "embodiedbench"]
PROMPTS_FILE = Path("embodiedbench/evaluator/config/system_prompts.py")
TEMPLATE_FILE = Path("embodiedbench/planner/planner_utils.py")
CONFIG_DIR = Path("embodiedbench/evaluator/config")

REPLY_FORMAT = (
    "Reply with one JSON object and nothing else, with these keys: "
    '"visual_state_description" (a string: what the image shows), '
    '"reasoning_and_reflection" (a string: what the steps so far and their feedback tell you, and why the '
    'last plan did not finish the task), "language_plan" (a string: the plan in words, one numbered step '
    'per action) and "executable_plan" (a list of {"action_id": <int>, "action_name": <str>}: the actions '
    "to run, in order). Keep the plan short and to the point."
)


@dataclass(frozen=True)
class Track:
    """One EmbodiedBench track's protocol: its rules, its default number of examples, mmgym's texts, and
    where the authors keep theirs (a variable of `system_prompts.py`, an examples file per subset)."""

    name: str
    unparseable: Unparseable
    max_invalid: int | None
    empty_plan: Literal["ends", "unparseable"]
    unknown_id: Literal["truncates", "ends"]
    shots: int
    opening: str
    closing_first: str
    closing_later: str
    examples: Callable[[], tuple[str, ...]]
    authors_prompt: str | None = None  # None: the authors' texts do not fit this track (mmgym's own tasks)
    authors_examples: Callable[[str | None], Path] | None = None  # the examples file, by subset
    actions: Literal["ids", "vectors"] = "ids"
    actions_per_reply: Literal["plan", "solution"] = "plan"  # a plan stops at a failed action; a solution runs on


def _example(task: str, actions: Sequence[str], reasoning: str, plan: Sequence[str]) -> str:
    """An example in the reply schema, its ids looked up in the track's fixed action list."""
    reply = {
        "reasoning_and_reflection": reasoning,
        "language_plan": " ".join(f"{i + 1}. {step}." for i, step in enumerate(plan)),
        "executable_plan": [{"action_id": actions.index(step), "action_name": step} for step in plan],
    }
    return f"Task: {task}\nReply: {json.dumps(reply)}"


def _alfred_examples() -> tuple[str, ...]:
    skills = global_skills()
    return (
        _example(
            "Chill an apple and set it on the dining table.",
            skills,
            "The apple must go into the fridge, which is closed, and come out cold before it is placed.",
            [
                "find a Apple",
                "pick up the Apple",
                "find a Fridge",
                "open the Fridge",
                "put down the object in hand",
                "close the Fridge",
                "open the Fridge",
                "find a Apple",
                "pick up the Apple",
                "close the Fridge",
                "find a DiningTable",
                "put down the object in hand",
            ],
        ),
        _example(
            "Rinse a ladle and leave it on the dining table.",
            skills,
            "Rinsing means the ladle lies in the sink while the faucet runs; then it goes to the table.",
            [
                "find a Ladle",
                "pick up the Ladle",
                "find a Sink",
                "put down the object in hand",
                "find a Faucet",
                "turn on the Faucet",
                "turn off the Faucet",
                "find a Ladle",
                "pick up the Ladle",
                "find a DiningTable",
                "put down the object in hand",
            ],
        ),
    )


def _habitat_examples() -> tuple[str, ...]:
    skills = list(SKILL_WORDS)
    return (
        _example(
            "Move the apple from the sofa to the left counter in the kitchen.",
            skills,
            "The apple is on the sofa; I go there, take it, and place it on the left counter.",
            [
                "navigate to the sofa",
                "pick up the apple",
                "navigate to the left counter in the kitchen",
                "place at the left counter in the kitchen",
            ],
        ),
        _example(
            "Put a bowl into the refrigerator.",
            skills,
            "The refrigerator must be open before anything can be placed in it.",
            [
                "navigate to the table 1",
                "pick up the bowl",
                "navigate to the refrigerator",
                "open the refrigerator",
                "place at the refrigerator",
            ],
        ),
    )


def _navigation_examples(actions: Sequence[str]) -> tuple[str, ...]:
    actions = list(actions)
    forward, left, right = actions[0], actions[3], actions[2]
    return (
        _example(
            "Go to the lamp and stand as close to it as you can.",
            actions,
            "The lamp stands ahead and a little to the left; nothing blocks the way forward.",
            [forward, forward, left],
        ),
        _example(
            "Navigate to the sofa.",
            actions,
            "The sofa is not in view; one quarter turn to look for it before moving.",
            [actions[4]],
        ),
        _example(
            "Walk up to the fridge.",
            actions,
            "The fridge is ahead on the right; a table blocks the straight path, so first step right.",
            [right, right, forward, forward, forward],
        ),
    )


ALFRED_OPENING = """## You control a household robot with high-level skills. Finish the task with the listed skills.

## What each skill does, and when it works
- find: walk to an object or receptacle; works whenever it is in the scene.
- pick up: take a nearby object; the hand must be empty and the object not shut in a closed receptacle.
- put down: put the object in hand into the receptacle found last; the hand must hold something.
- drop: let go of the object in hand where the robot stands; it may not land in any receptacle.
- open, close: a nearby receptacle that is closed, or open.
- turn on, turn off: a nearby appliance that is off, or on.
- slice: a nearby object, while holding a knife.

## Skill ids (0 to {0}) and names:{1}

{2}

## Advice
1. Never give an empty plan, and give at most 20 skills in one plan.
2. Find an object before acting on it.
3. Give each skill's id with its name, and only skills whose conditions hold; put objects into receptacles
with put down, not drop.
4. Do not repeat a sequence that did not work: change it.
5. Several instances of a type are numbered (Cabinet_2, Cabinet_3); try another one when the first fails.
6. Read the feedback on the last steps; when a skill failed, find out why and fix the plan."""

HABITAT_OPENING = """## You control a household robot with high-level skills. Finish the task with the listed skills.

## What each skill does, and when it works
- navigate to: go to a receptacle or a place in the apartment; always works.
- pick up: take an object at the place the robot is at; the hand must be empty.
- place at: put the object in hand at the place the robot is at.
- open, close: the refrigerator or a cabinet the robot is at.

## Skill ids (0 to {0}) and names:{1}

{2}

## Advice
1. Never give an empty plan, and give at most 20 skills in one plan.
2. Go to a place before picking up or placing there.
3. Give each skill's id with its name.
4. Do not repeat a sequence that did not work: change it.
5. Read the feedback on the last steps; when a skill failed, find out why and fix the plan."""

NAVIGATION_OPENING = """## You steer a robot through a house to an object, seeing through its camera.

## Action ids (0 to {0}) and names:{1}

## How to get there
1. First say where the target is in the image: ahead, left or right, near or far.
2. Move mostly forward and sideways: any spot can be reached that way. Plan around what blocks the way.
3. A refused move matters only when it keeps you from getting closer to the target.
4. Turn only when the target is out of view, one quarter turn per plan until it appears.
5. Keep going until you cannot get any closer.

{2}"""

MANIPULATION_OPENING = """## You control a robot gripper above a table, seeing it through a front camera.

## Actions
Each action is a list of {0} integers, [x, y, z, roll, pitch, yaw, gripper], in these ranges: {1}.
x, y, z place the gripper in the same coordinates as the objects you are told about; roll, pitch and yaw
turn it in 3-degree steps from pointing straight down; gripper is 1 for open, 0 for closed.

{2}

## Advice
1. Approach an object from above, close the gripper on it, and lift it before moving sideways.
2. Release an object by opening the gripper where it should stay.
3. Your whole plan runs before you see the table again: plan every action to the end of the task."""

MANIP_CLOSING_FIRST = (
    "Reply in JSON: describe what the image shows, reason about the task, and plan the actions, each a list of "
    "{max_id} integers."
)
MANIP_CLOSING_LATER = (
    "Given the steps so far, the current image and positions, reason about why the task '{instruction}' is not "
    "done yet, then plan the actions from here, in JSON, each a list of {max_id} integers."
)
MANIP_REPLY_FORMAT = (
    "Reply with one JSON object and nothing else, with these keys: "
    '"visual_state_description" (a string: the objects you see and where they are), '
    '"reasoning_and_reflection" (a string: how to do the task, and what the steps so far tell you), '
    '"language_plan" (a string: the plan in words, one numbered step per action) and "executable_plan" '
    '(a list of {"action": [x, y, z, roll, pitch, yaw, gripper]}: the actions to run, in order).'
)
PLAN_CLOSING_FIRST = (
    "Reply in JSON: describe what the image shows, reason about the task and plan. The plan gives action ids "
    "between 0 and {max_id} from the list."
)
PLAN_CLOSING_LATER = (
    "Given the steps so far and the current image, reason about why the task '{instruction}' is not done yet "
    "(and why the last step failed, if it did), then give a new plan from here, in JSON, with action ids "
    "between 0 and {max_id} from the list."
)
NAV_CLOSING_FIRST = (
    "Reason about what you see and where the target is, then plan one or two actions: you see their effect "
    "only once the whole plan ran. Reply in JSON with action ids between 0 and {max_id}."
)
NAV_CLOSING_LATER = (
    "Reason about what you see now and what your last actions did, then plan five or six actions that bring "
    "you closer to the target: you see their effect only once the whole plan ran. Reply in JSON with action "
    "ids between 0 and {max_id}."
)


def _manipulation_examples() -> tuple[str, ...]:
    def example(task: str, state: str, reasoning: str, plan: list[list[int]]) -> str:
        reply = {"reasoning_and_reflection": reasoning, "executable_plan": [{"action": a} for a in plan]}
        return f"Task: {task}\nObserved: {state}\nReply: {json.dumps(reply)}"

    return (
        example(
            "Stack the yellow cube on the blue cylinder.",
            "yellow cube: [20, 35, 5], yaw 0; blue cylinder: [64, 50, 5], yaw 30",
            "Grip the cube from above, lift it clear, carry it over the cylinder and let go just above its top.",
            [
                [20, 35, 5, 0, 0, 0, 1],
                [20, 35, 5, 0, 0, 0, 0],
                [20, 35, 30, 0, 0, 0, 0],
                [64, 50, 16, 0, 0, 0, 0],
                [64, 50, 16, 0, 0, 0, 1],
            ],
        ),
        example(
            "Push the green cube toward the back edge of the table.",
            "green cube: [45, 30, 5], yaw 0",
            "Close the gripper, lower it in front of the cube, then slide it forward along y.",
            [[45, 20, 20, 0, 0, 0, 0], [45, 20, 4, 0, 0, 0, 0], [45, 60, 4, 0, 0, 0, 0], [45, 60, 25, 0, 0, 0, 0]],
        ),
    )


def _alfred_examples_file(subset: str | None) -> Path:
    name = "alfred_long_horizon_examples.json" if subset == "long_horizon" else "alfred_examples.json"
    return CONFIG_DIR / name


PLAN_TRACK = {"unparseable": "free", "max_invalid": 10, "empty_plan": "ends", "unknown_id": "truncates", "shots": 10}
TRACKS: dict[str, Track] = {
    "eb_alfred": Track(
        name="eb_alfred",
        **PLAN_TRACK,
        opening=ALFRED_OPENING,
        closing_first=PLAN_CLOSING_FIRST,
        closing_later=PLAN_CLOSING_LATER,
        examples=_alfred_examples,
        authors_prompt="alfred_system_prompt",
        authors_examples=_alfred_examples_file,
    ),
    "eb_habitat": Track(
        name="eb_habitat",
        **PLAN_TRACK,
        opening=HABITAT_OPENING,
        closing_first=PLAN_CLOSING_FIRST,
        closing_later=PLAN_CLOSING_LATER,
        examples=_habitat_examples,
        authors_prompt="habitat_system_prompt",
        authors_examples=lambda subset: CONFIG_DIR / "habitat_examples.json",
    ),
    "eb_navigation": Track(
        name="eb_navigation",
        unparseable="random",
        max_invalid=None,
        empty_plan="unparseable",
        unknown_id="ends",
        shots=3,
        opening=NAVIGATION_OPENING,
        closing_first=NAV_CLOSING_FIRST,
        closing_later=NAV_CLOSING_LATER,
        examples=lambda: _navigation_examples(list(NAV_ACTIONS)),
        authors_prompt="eb_navigation_system_prompt",
        authors_examples=lambda subset: CONFIG_DIR / "eb_navigation_example.py",
    ),
    "eb_manipulation": Track(
        name="eb_manipulation",
        unparseable="random",
        max_invalid=None,
        empty_plan="ends",
        unknown_id="truncates",
        shots=4,
        opening=MANIPULATION_OPENING,
        closing_first=MANIP_CLOSING_FIRST,
        closing_later=MANIP_CLOSING_LATER,
        examples=_manipulation_examples,
        actions="vectors",
        actions_per_reply="solution",
    ),
}
# EB-Navigation's protocol on MiniWorld (suite eb_nav): the same eight actions, spelt without final periods
TRACKS["eb_nav"] = replace(TRACKS["eb_navigation"], name="eb_nav", examples=lambda: _navigation_examples(MINIWORLD))


class ProtocolNote(BaseModel):
    """Which protocol a run played and whose wording its prompts used (kept in results.json notes)."""

    protocol: str
    source: str
    shots: int


@dataclass(frozen=True)
class AuthorsTexts:
    opening: str
    examples: tuple[str, ...]
    reply_format: str
    source: str


@functools.cache  # one read per checkout, track and subset, however many specs and notes ask
def authors_texts(checkout: str | Path, track: Track, subset: str | None = None) -> AuthorsTexts:
    """The system prompt, examples and reply format of EmbodiedBench's files in a checkout, read without
    running them (`ast`); one line naming the file when one is missing or not as expected."""
    root = Path(checkout).expanduser()
    if track.authors_prompt is None or track.authors_examples is None:
        raise ConfigError(
            f"suite.protocol_dir: mmgym's {track.name} tasks are not the authors', so their prompt and examples do "
            "not apply; leave protocol_dir unset (mmgym's wording in EmbodiedBench's structure)"
        )
    prompts = _assignments(root / PROMPTS_FILE)
    template = _assignments(root / TEMPLATE_FILE)
    if track.authors_prompt not in prompts:
        raise ConfigError(f"{root / PROMPTS_FILE} has no {track.authors_prompt}; is it EmbodiedBench's?")
    if "template" not in template:
        raise ConfigError(f"{root / TEMPLATE_FILE} has no `template`; is it EmbodiedBench's?")
    examples_file = root / track.authors_examples(subset)
    examples = _examples(examples_file)
    digest = hashlib.sha256((root / PROMPTS_FILE).read_bytes()).hexdigest()[:12]
    source = (
        f"EmbodiedBench files in {root}: {PROMPTS_FILE.name} ({track.authors_prompt}, sha256 {digest}), "
        f"{examples_file.name}, {TEMPLATE_FILE.name} (template)"
    )
    return AuthorsTexts(str(prompts[track.authors_prompt]), examples, str(template["template"]), source)


def _assignments(path: Path) -> dict[str, Any]:
    return python_literals(path, "suite.protocol_dir must be a checkout of EmbodiedBench/EmbodiedBench")


def _examples(path: Path) -> tuple[str, ...]:
    """The examples of a JSON list file, or of the `examples` list of a Python file."""
    if path.suffix == ".py":
        values = _assignments(path).get("examples")
    else:
        if not path.is_file():
            raise ConfigError(f"{path} not found: suite.protocol_dir must be a checkout of EmbodiedBench")
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not JSON: {exc}") from None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{path} must hold a list of example texts")
    return tuple(values)


def prompt_protocol(track: Track, shots: int, protocol_dir: str | None, subset: str | None = None) -> PromptProtocol:
    """The track's prompt protocol: mmgym's texts, or the authors' from a checkout, with `shots` examples."""
    if protocol_dir:
        texts = authors_texts(protocol_dir, track, subset)
        opening, examples, reply_format, source = texts.opening, texts.examples, texts.reply_format, texts.source
    else:
        reply_format = MANIP_REPLY_FORMAT if track.actions == "vectors" else REPLY_FORMAT
        opening, examples, source = track.opening, track.examples(), "mmgym"
    return PromptProtocol(
        opening=opening,
        actions=track.actions,
        examples=examples[:shots],
        closing_first=track.closing_first,
        closing_later=track.closing_later,
        reply_format=reply_format,
        empty_plan=track.empty_plan,
        unknown_id=track.unknown_id,
        source=source,
    )


def protocol_rules(
    rules: PlayRules, track: Track, shots: int, protocol_dir: str | None, subset: str | None
) -> PlayRules:
    """`rules` under the track's protocol: plans run until an action fails, every past step shown, the
    track's rules for unparseable replies and its limit on invalid ones, and its prompt protocol."""
    return PlayRules(
        **{
            **rules.model_dump(),
            "actions_per_reply": track.actions_per_reply,
            "history": True,
            "unparseable": track.unparseable,
            "max_invalid": track.max_invalid,
            "protocol": prompt_protocol(track, shots, protocol_dir, subset),
        }
    )


class ProtocolChoice(BaseModel):
    """The suite fields that choose between mmgym's protocol and EmbodiedBench's (a suite of one of its
    tracks, or one built after them, derives from this and sets its `protocol_track`)."""

    protocol: Protocol = Field(
        default="mmgym",
        description="mmgym (no made-up actions, every failure counted) or embodiedbench (its prompt, reply "
        "schema and rules for failed replies)",
    )
    protocol_dir: str | None = Field(
        default=None,
        description="a checkout of EmbodiedBench: its system prompt, examples and reply format are read from "
        "it (protocol=embodiedbench); null: mmgym's own wording in the same structure",
    )
    shots: int | None = Field(
        default=None, ge=0, description="examples in the prompt with protocol=embodiedbench; null: the track's own"
    )

    protocol_track: ClassVar[Track]

    @model_validator(mode="after")
    def _protocol_options(self) -> ProtocolChoice:
        if self.protocol == "mmgym" and (self.protocol_dir or self.shots is not None):
            raise ValueError("suite.protocol_dir and suite.shots apply only with suite.protocol=embodiedbench")
        return self

    def under_protocol(self, rules: PlayRules, subset: str | None = None) -> PlayRules:
        """`rules` as the chosen protocol has them (unchanged under mmgym's)."""
        if self.protocol == "mmgym":
            return rules
        track = self.protocol_track
        return protocol_rules(rules, track, self.example_count, self.protocol_dir, subset)

    @property
    def example_count(self) -> int:
        return self.protocol_track.shots if self.shots is None else self.shots

    @property
    def metrics(self) -> tuple[Metric, ...]:
        """The suite's metrics, and under a protocol with a random fallback, how many actions it drew."""
        metrics = super().metrics  # type: ignore[misc]
        if not self.draws_at_random:
            return metrics
        drawn = Metric(
            name="random_actions",
            scale=(0.0, float(self.step_limit)),  # type: ignore[attr-defined]
            higher_is_better=False,
            description="actions drawn at random for unparseable replies (EmbodiedBench's fallback)",
        )
        return (*metrics, drawn)

    async def score(self, record: EpisodeRecord) -> Scores:
        scores = await super().score(record)  # type: ignore[misc]
        if self.draws_at_random:
            scores["random_actions"] = record.usage.get("random_actions", 0.0)
        return scores

    @property
    def draws_at_random(self) -> bool:
        return self.protocol == "embodiedbench" and self.protocol_track.unparseable == "random"

    def protocol_notes(self) -> dict[str, BaseModel]:
        """What results.json keeps about the protocol: which one, and whose wording."""
        if self.protocol == "mmgym":
            return {}
        used = prompt_protocol(self.protocol_track, self.example_count, self.protocol_dir)
        return {"protocol": ProtocolNote(protocol=self.protocol, source=used.source, shots=len(used.examples))}
