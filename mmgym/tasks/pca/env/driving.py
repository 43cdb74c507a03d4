"""PCA-Bench's Autonomous Driving domain on highway-env: decisions read off a simulated highway, seen from above.

A seed picks the road (2-4 lanes), the traffic (count, density), the ego car's speed and a number
of warm-up steps; the ego car then drives those steps with the rules' own choices (recorded in
the scene, so rebuilding replays them), and the state it reaches is read exactly: per lane, the
nearest car ahead and behind. `driving_rules.decide` turns that into one preferred action and
the clearly wrong ones. highway-env is imported lazily: importing this module stays cheap.
"""

from __future__ import annotations

import json
import os
import random
from functools import lru_cache
from typing import Any

import numpy as np

from mmgym.envs.fingerprints import digest, quantised
from mmgym.tasks.pca.env import driving_rules as rules
from mmgym.tasks.pca.env.domain import Outcome
from mmgym.tasks.pca.env.item import Concept, DecisionItem

ENV_ID = "highway-fast-v0"  # 5 Hz physics, collisions checked for the ego car only
TARGET_SPEEDS = (15.0, 20.0, 25.0, 30.0)  # the ego's cruise set-points; 30 m/s is also the road's speed limit
VIEW_BEHIND, VIEW_AHEAD = 20.0, 50.0  # metres the image shows behind and ahead of the ego car
VIEW_PIXELS = 700  # rendered square side before resizing; 10 px per metre
WARMUP = (2, 8)  # the ego car drives at least this many steps (drawn from the seed) before a decision is read ...
SEARCH_STEPS = 15  # ... and at most this many more looking for a decidable state
BRIDGE_STEPS = 15  # seconds the domain's own driver may drive between two decisions of a closed loop

TEXT = {
    "LANE_LEFT": "Change to the left lane",
    "IDLE": "Keep driving in the current lane",
    "LANE_RIGHT": "Change to the right lane",
    "FASTER": "Speed up",
    "SLOWER": "Slow down",
}
GERUND = {
    "LANE_LEFT": "changing to the left lane",
    "IDLE": "keeping to my lane at this speed",
    "LANE_RIGHT": "changing to the right lane",
    "FASTER": "speeding up",
    "SLOWER": "slowing down",
}
WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}
ORDINALS = ("first", "second", "third", "fourth")

CONCEPTS = {
    "blocked": Concept(
        name="a slower car close ahead in my lane",
        synonyms=("car in front", "vehicle ahead", "car ahead", "slower vehicle in front"),
    ),
    "following": Concept(
        name="a car close ahead in my lane at my speed",
        synonyms=("car in front", "vehicle ahead", "car ahead", "following a car"),
    ),
    "clear": Concept(
        name="the road ahead is clear",
        synonyms=("nothing ahead", "empty road ahead", "open road", "lane ahead is empty"),
    ),
    "below_limit": Concept(
        name="I am below the speed limit",
        synonyms=("under the speed limit", "below the limit", "room to go faster"),
    ),
    "at_limit": Concept(
        name="I am already at the speed limit",
        synonyms=("at the limit", "at top speed", "as fast as allowed", "maximum allowed speed"),
    ),
}
for _side in ("left", "right"):
    CONCEPTS[f"{_side}_free"] = Concept(
        name=f"the {_side} lane is free",
        synonyms=(f"{_side} lane is clear", f"{_side} lane is empty", f"room on the {_side}", f"space on the {_side}"),
    )
    CONCEPTS[f"{_side}_occupied"] = Concept(
        name=f"the {_side} lane is occupied",
        synonyms=(f"car on my {_side}", f"{_side} lane is blocked", f"vehicle on the {_side}"),
    )
    CONCEPTS[f"{_side}_off_road"] = Concept(
        name=f"I am in the {_side}most lane",
        synonyms=(f"no lane to my {_side}", f"{_side} edge of the road", f"far {_side} lane"),
    )

WRONG_REASONING = {
    "LANE_LEFT": "My navigation system says a left exit is coming up in two kilometres. The weather is turning, "
    "and the dashboard says the tyres are still cold.",
    "LANE_RIGHT": "My navigation system says my exit is coming up soon. The fuel gauge is low and a service "
    "station is signposted in a few kilometres.",
    "SLOWER": "The weather forecast mentioned rain later today, and braking early saves fuel. A police patrol "
    "might be waiting behind the next bridge.",
    "FASTER": "I am late for a meeting and the engine sounds healthy. The fuel tank is full, so there is no "
    "reason to save fuel.",
    "IDLE": "The radio is playing a good song and the sky is blue. My navigation system says the exit is "
    "still 20 km away.",
}


# ---- the simulator ----------------------------------------------------------------------------------------------


def _draw_scene(seed: int) -> dict[str, Any]:
    """The seed's road, traffic, ego speed and warm-up length (the warm-up actions are added once driven)."""
    rng = random.Random(f"driving-{seed}")
    lanes = rng.choice((2, 3, 3, 4, 4))
    config = {
        "lanes_count": lanes,
        "vehicles_count": rng.randint(4, 7) * lanes,  # enough for the first few hundred metres
        "vehicles_density": rng.choice((0.8, 1.0, 1.3, 1.6)),
    }
    return {"seed": seed, "env": ENV_ID, "config": config, "ego_speed": rng.choice((20.0, 25.0, 30.0))}


def _env_config(config: dict[str, Any]) -> dict[str, Any]:
    """The scene's choices plus the fixed settings: meta-actions, offscreen square rendering, no time limit."""
    return {
        **config,
        "action": {"type": "DiscreteMetaAction", "target_speeds": list(TARGET_SPEEDS)},
        "duration": 10_000,
        "offscreen_rendering": True,
        "screen_width": VIEW_PIXELS,
        "screen_height": VIEW_PIXELS,
        "scaling": VIEW_PIXELS / (VIEW_BEHIND + VIEW_AHEAD),
        "centering_position": [VIEW_BEHIND / (VIEW_BEHIND + VIEW_AHEAD), 0.5],
    }


def _new_env(scene: dict[str, Any]) -> Any:
    """highway-env reset with the scene's seed and ego speed (before any warm-up step)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")  # before pygame loads; "dummy" draws black frames
    from highway_env.envs.highway_env import HighwayEnvFast

    env = HighwayEnvFast(config=_env_config(scene["config"]), render_mode="rgb_array")
    env.reset(seed=scene["seed"])
    ego = env.vehicle
    ego.speed = ego.target_speed = float(scene["ego_speed"])
    ego.speed_index = ego.speed_to_index(ego.speed)
    return env


def _step(env: Any, action: str) -> None:
    env.enable_auto_render = False  # a viewer would otherwise draw every physics frame
    env.step(rules.ACTIONS.index(action))


def build(scene: dict[str, Any]) -> Any:
    """The scene's state, rebuilt: reset, then the recorded warm-up actions."""
    env = _new_env(scene)
    for action in scene.get("warmup", ()):
        _step(env, action)
    return env


def release(env: Any) -> None:
    """Drop the env without `env.close()`, whose `pygame.quit()` would break other envs' viewers in this process."""
    env.viewer = None


def settled(env: Any) -> bool:
    """Whether the ego car is centred in its lane at its cruise speed (no lane or speed change under way)."""
    ego = env.vehicle
    lateral = env.road.network.get_lane(ego.lane_index).local_coordinates(ego.position)[1]
    centred = ego.lane_index == ego.target_lane_index and abs(lateral) < 0.3 and abs(ego.heading) < 0.03
    return centred and abs(ego.speed - ego.target_speed) <= 0.5


def traffic(env: Any) -> rules.Traffic:
    """The ego car's lane, speed and per-lane neighbours (a car changing lanes counts in both)."""
    ego = env.vehicle
    lanes = env.config["lanes_count"]
    ahead: list[rules.Neighbour | None] = [None] * lanes
    behind: list[rules.Neighbour | None] = [None] * lanes
    for other in env.road.vehicles:
        if other is ego:
            continue
        dx = float(other.position[0] - ego.position[0])
        car = rules.Neighbour(gap=abs(dx) - (ego.LENGTH + other.LENGTH) / 2, rel_speed=float(other.speed - ego.speed))
        side = ahead if dx >= 0 else behind
        for index in {other.lane_index[2], getattr(other, "target_lane_index", other.lane_index)[2]}:
            if side[index] is None or car.gap < side[index].gap:
                side[index] = car
    per_lane = tuple(rules.LaneTraffic(a, b) for a, b in zip(ahead, behind, strict=True))
    return rules.Traffic(lanes, ego.lane_index[2], float(ego.speed), TARGET_SPEEDS[-1], TARGET_SPEEDS[0], per_lane)


def policy(env: Any) -> str:
    """The rules' preferred action, or a cautious default (the warm-up driver)."""
    state = traffic(env)
    decision = rules.decide(state) if settled(env) else None
    return decision.answer if decision else rules.fallback(state)


# ---- the item's words -------------------------------------------------------------------------------------------


def _concept_keys(decision: rules.Decision) -> list[str]:
    """The facts that decide the answer, in the order the reasoning states them."""
    if decision.ahead == "clear":
        return ["clear", "below_limit" if decision.answer == "FASTER" else "at_limit"]
    keys = [decision.ahead]  # "blocked" or "following"
    for side, status in (("left", decision.left), ("right", decision.right)):
        chosen = decision.answer == f"LANE_{side.upper()}"
        if chosen or (status in ("occupied", "off_road") and f"LANE_{side.upper()}" in decision.wrong):
            keys.append(f"{side}_{status}")
    return keys


def _sentence(key: str, state: rules.Traffic) -> str:
    """The reference reasoning's sentence for one concept (it contains the concept's name verbatim)."""
    car = state.per_lane[state.lane].ahead
    side = key.split("_")[0]
    sentences = {
        "blocked": lambda: (
            f"There is {CONCEPTS[key].name}, {car.gap:.0f} m in front and {-car.rel_speed:.0f} m/s slower than me."
        ),
        "following": lambda: f"There is {CONCEPTS[key].name}, {car.gap:.0f} m in front of me.",
        "clear": lambda: f"In my lane, {CONCEPTS[key].name} as far as I can see.",
        "below_limit": lambda: f"At {state.speed:.0f} m/s, {CONCEPTS[key].name} of {state.top_speed:.0f} m/s.",
        "at_limit": lambda: f"At {state.speed:.0f} m/s, {CONCEPTS[key].name}.",
        f"{side}_free": lambda: f"Looking to my {side}, {CONCEPTS[key].name}, with no car near me there.",
        f"{side}_occupied": lambda: f"Beside me, {CONCEPTS[key].name} by another car.",
        f"{side}_off_road": lambda: f"{CONCEPTS[key].name}, so there is no lane on that side.",
    }
    return sentences[key]()


def _paraphrase_sentence(key: str, state: rules.Traffic) -> str:
    """The same fact by the concept's first synonym, in another sentence shape."""
    car = state.per_lane[state.lane].ahead
    word = CONCEPTS[key].synonyms[0]
    side = key.split("_")[0]
    sentences = {
        "blocked": lambda: f"The {word} of me is only {car.gap:.0f} m away and going {-car.rel_speed:.0f} m/s slower.",
        "following": lambda: f"The {word} of me is {car.gap:.0f} m away and going as fast as I am.",
        "clear": lambda: f"I see {word} of me in this lane.",
        "below_limit": lambda: f"My {state.speed:.0f} m/s is {word}.",
        "at_limit": lambda: f"I am driving {word} already.",
        f"{side}_free": lambda: f"Since the {word}, there is room to move over.",
        f"{side}_occupied": lambda: f"There is a {word}, right next to me.",
        f"{side}_off_road": lambda: f"There is {word}.",
    }
    return sentences[key]()


def _false_facts(decision: rules.Decision, state: rules.Traffic) -> tuple[str, ...]:
    """Statements that contradict this scene, most decisive first (at most three)."""
    facts = [
        "The lane ahead of me is empty."
        if decision.ahead in ("blocked", "following")
        else "A slower car is only a few metres in front of me in my lane."
    ]
    for side, status in (("left", decision.left), ("right", decision.right)):
        facts.append(
            {
                "free": f"A car is right beside me in the {side} lane.",
                "occupied": f"The {side} lane next to me is empty.",
                "off_road": f"There is another lane to my {side}.",
            }.get(status, "")
        )
    facts.append(f"The highway has {WORDS[state.lanes + 1]} lanes.")
    return tuple(fact for fact in facts if fact)[:3]


def _question(state: rules.Traffic) -> str:
    return (
        f"You are driving the green car on a highway at {state.speed:.0f} m/s, in the {ORDINALS[state.lane]} of "
        f"{WORDS[state.lanes]} lanes (lanes counted from the left); the speed limit is {state.top_speed:.0f} m/s. "
        "The image shows the road from above, with traffic moving to the right, so your left is the top of the "
        "image. Based on the image, what is the best action to take now?"
    )


def make_item(state: rules.Traffic, decision: rules.Decision, scene: dict[str, Any], index: int) -> DecisionItem:
    """The item for a decided state: the preferred action among the clearly wrong ones, shuffled by the scene."""
    actions = [decision.answer, *decision.wrong]
    random.Random(f"driving-shuffle-{scene['seed']}-{len(scene.get('warmup', ()))}").shuffle(actions)
    keys = _concept_keys(decision)
    answer_words = f"to {TEXT[decision.answer].lower()}"
    reasoning = " ".join([*(_sentence(k, state) for k in keys), f"Therefore the best action is {answer_words}."])
    paraphrase = " ".join(
        [*(_paraphrase_sentence(k, state) for k in keys), f"So {GERUND[decision.answer]} is the right move."]
    )
    return DecisionItem(
        domain="driving",
        index=index,
        question=_question(state),
        actions=tuple(TEXT[a] for a in actions),
        answer_index=actions.index(decision.answer),
        key_concepts=tuple(CONCEPTS[k] for k in keys),
        reasoning=reasoning,
        paraphrase=paraphrase,
        false_facts=_false_facts(decision, state),
        wrong_reasoning=f"{WRONG_REASONING[decision.answer]} Therefore the best action is {answer_words}.",
        scene=scene,
    )


def _item_at(env: Any, scene: dict[str, Any], index: int) -> DecisionItem | None:
    if env.vehicle.crashed or not settled(env):
        return None
    state = traffic(env)
    decision = rules.decide(state)
    return make_item(state, decision, scene, index) if decision else None


def parse_action(choice: str) -> str:
    """The meta-action an answer text names (case and trailing punctuation ignored)."""
    wanted = choice.strip().strip(".!").lower()
    for action, text in TEXT.items():
        if wanted == text.lower():
            return action
    raise ValueError(f"not a driving action: {choice!r}; valid: {', '.join(TEXT.values())}")


# ---- images ------------------------------------------------------------------------------------------------------


def frame(env: Any, size: int) -> np.ndarray:
    """The env's bird's-eye view (square, ego car 20 m from the left edge), resized to `size`."""
    from PIL import Image

    pixels = env.render()
    env.enable_auto_render = False
    return np.asarray(Image.fromarray(pixels).resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def layout(env: Any) -> dict[str, Any]:
    """The road as highway-env built it, for the fingerprint: the lanes, each vehicle's lane, position
    relative to the ego car's, speed and heading (mm, mm/s, mrad), the ego car's position, a crash."""
    ego = env.vehicle
    vehicles = [
        [[str(part) for part in v.lane_index], quantised(v.position - ego.position), quantised(v.speed),
         quantised(v.heading)]
        for v in env.road.vehicles
    ]  # fmt: skip
    lanes = env.config["lanes_count"]
    return {"lanes": lanes, "ego": quantised(ego.position), "vehicles": vehicles, "crashed": bool(ego.crashed)}


@lru_cache(maxsize=16)
def _cached_view(scene_json: str, size: int) -> tuple[np.ndarray, str]:
    env = build(json.loads(scene_json))
    try:
        image, fingerprint = frame(env, size), digest(layout(env))
    finally:
        release(env)
    image.flags.writeable = False
    return image, fingerprint


# ---- the domain ---------------------------------------------------------------------------------------------------


class DrivingLoop:
    """A rebuilt scene that goes on: each act() is one highway-env policy step (1 s). The highway has no
    destination: the goal is reached by getting through the loop's `budget` decisions without a crash, or
    to where the road offers no further decision (the domain's own driver found none within its bridge)."""

    def __init__(self, item: DecisionItem, budget: int) -> None:
        self.scene = {**item.scene, "warmup": list(item.scene.get("warmup", ()))}
        self.env = build(self.scene)
        self.start_x = float(self.env.vehicle.position[0])
        self.decisions = 0
        self.budget = budget

    def item(self) -> DecisionItem | None:
        scene = {**self.scene, "warmup": list(self.scene["warmup"])}
        return _item_at(self.env, scene, self.decisions)

    def frame(self, size: int) -> np.ndarray:
        return frame(self.env, size)

    def fingerprint(self) -> str:
        return digest(layout(self.env))

    def act(self, choice: str) -> Outcome:
        action = parse_action(choice)
        _step(self.env, action)
        self.scene["warmup"].append(action)
        self.decisions += 1
        self._drive_to_next_decision()
        ego = self.env.vehicle
        crashed = bool(ego.crashed)
        no_more = not crashed and self.item() is None  # the road offers no further decision: the drive is over
        done = crashed or no_more or self.decisions >= self.budget
        lane = ego.lane_index[2]
        feedback = f"You chose: {TEXT[action]}. " + (
            "You crashed into another car." if crashed else f"You are at {ego.speed:.0f} m/s in lane {lane + 1}."
        )
        measures = {"speed": float(ego.speed), "distance_m": float(ego.position[0]) - self.start_x}
        return Outcome(done=done, failed=crashed, reached=done and not crashed, feedback=feedback, measures=measures)

    def _drive_to_next_decision(self) -> None:
        """Right after a lane or speed change a state is rarely decidable: the domain's own driver (the
        rules, else a cautious default) goes on for up to `BRIDGE_STEPS` seconds until one is."""
        for _ in range(BRIDGE_STEPS):
            if self.env.vehicle.crashed or self.item() is not None:
                return
            self.scene["warmup"].append(policy(self.env))
            _step(self.env, self.scene["warmup"][-1])

    def close(self) -> None:
        release(self.env)


class DrivingDomain:
    """PCA-Bench's Autonomous Driving on highway-env (see the module doc)."""

    name = "driving"
    title = "Autonomous Driving"

    def generate(self, seed: int, index: int) -> DecisionItem | None:
        """A decidable state after a seed-drawn number of warm-up steps: the first one whose answer is the seed's
        wanted action (this balances the answers), else the first one (None: none within the budget)."""
        scene = _draw_scene(seed)
        rng = random.Random(f"driving-warmup-{seed}")
        first, wanted = rng.randint(*WARMUP), TEXT[rng.choice(rules.ACTIONS)]
        warmup: list[str] = []
        found: DecisionItem | None = None
        env = _new_env(scene)
        try:
            for step in range(first + SEARCH_STEPS):
                item = _item_at(env, {**scene, "warmup": list(warmup)}, index) if step >= first else None
                if item is not None and item.answer == wanted:
                    return item
                found = found or item
                warmup.append(policy(env))
                _step(env, warmup[-1])
                if env.vehicle.crashed:
                    break
            return found
        finally:
            release(env)

    def render(self, item: DecisionItem, size: int) -> np.ndarray:
        return self.view(item, size)[0]

    def view(self, item: DecisionItem, size: int) -> tuple[np.ndarray, str]:
        image, fingerprint = _cached_view(json.dumps(item.scene, sort_keys=True), size)
        return image.copy(), fingerprint

    def closed_loop(self, item: DecisionItem, decisions: int) -> DrivingLoop:
        return DrivingLoop(item, decisions)


DOMAIN = DrivingDomain()
