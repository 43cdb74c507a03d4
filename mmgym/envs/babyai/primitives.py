"""BabyAI's primitive actions in words, and why one would do nothing in the current state.

The six words BALROG gives BabyAI's actions, plus `done`. minigrid checks the mission after every
action, so a "go to" is complete only after an action that leaves the agent facing the object;
an agent that starts the episode facing it needs an action that keeps it there. `done` is that
action: it checks the mission without moving. It counts (is valid) only when it completes a
subgoal; otherwise it is refused like any action that cannot do anything.
"""

from __future__ import annotations

from minigrid.core.actions import Actions
from minigrid.core.world_object import WorldObj

PRIMITIVES: dict[str, Actions] = {
    "turn left": Actions.left,
    "turn right": Actions.right,
    "go forward": Actions.forward,
    "pick up": Actions.pickup,
    "drop": Actions.drop,
    "toggle": Actions.toggle,
    "done": Actions.done,
}
WORDS: dict[Actions, str] = {action: word for word, action in PRIMITIVES.items()}

PRIMITIVE_RULES = """\
You are in a grid world of rooms joined by doors, seen from your own point of view: you stand at \
the bottom middle of the view, facing up, and see up to 6 cells ahead and 3 to each side; walls \
and closed doors hide what lies behind them. Objects are balls, boxes and keys in six colours. \
You can carry one object. A locked door opens only with a toggle while you carry the key of its \
colour. Follow the mission; locations in it ("on your left", "behind you") are relative to where \
you stood and faced when the episode began. The mission is checked after every action: "go to X" \
means facing X from the cell next to it. An action that cannot do anything (walking into a wall, \
picking up nothing) is refused and changes nothing."""

PRIMITIVE_GRAMMAR = """\
One action per step, exactly one of:
turn left: turn 90 degrees to the left
turn right: turn 90 degrees to the right
go forward: move one cell forward
pick up: pick up the object in front of you
drop: put what you carry on the empty cell in front of you
toggle: open or close the door in front of you (unlock it with the key of its colour), or open the box
done: check the mission without moving (when you already face the object you must go to)"""


def normalize(action: str) -> str:
    """Lower case, single spaces, no surrounding whitespace or final full stop."""
    return " ".join(action.lower().split()).rstrip(".").strip()


def parse_primitive(action: str) -> Actions | None:
    return PRIMITIVES.get(normalize(action))


def refusal(env, action: Actions) -> str | None:
    """Why `action` would change nothing in `env`'s current state, or None if it does something.

    `done` is judged after the fact (it is valid when it completes a subgoal), so it passes here.
    """
    front = env.grid.get(*env.front_pos)
    carrying = env.carrying
    if action == Actions.forward:
        if front is None or front.can_overlap():
            return None
        return f"you cannot go forward: {_name(front)} is in the way" + (
            " (toggle it to open it)" if front.type == "door" and not front.is_locked else ""
        )
    if action == Actions.pickup:
        if carrying is not None:
            return f"your hands are full: you carry {_name(carrying)}; drop it first"
        if front is None:
            return "there is nothing in front of you to pick up"
        if not front.can_pickup():
            return f"{_name(front)} cannot be picked up"
        return None
    if action == Actions.drop:
        if carrying is None:
            return "you carry nothing to drop"
        if front is not None:
            return f"you cannot drop {_name(carrying)} here: {_name(front)} is in front of you"
        return None
    if action == Actions.toggle:
        if front is None or front.type not in ("door", "box"):
            return f"there is nothing to toggle in front of you ({_name(front) if front else 'an empty cell'})"
        if (
            front.type == "door"
            and front.is_locked
            and not (carrying is not None and carrying.type == "key" and carrying.color == front.color)
        ):
            return f"the {front.color} door is locked and you carry no {front.color} key"
        return None
    return None


def outcome(env, action: Actions) -> str:
    """What `action` (one `refusal` lets through) is about to do, in words."""
    front = env.grid.get(*env.front_pos)
    if action in (Actions.left, Actions.right):
        return f"You turned {'left' if action == Actions.left else 'right'}."
    if action == Actions.forward:
        return "You moved one step forward."
    if action == Actions.pickup:
        return f"You picked up {_name(front)}."
    if action == Actions.drop:
        return f"You put {_name(env.carrying)} down in front of you."
    if action == Actions.toggle:
        if front.type == "box":
            return f"You opened {_name(front)}; it is gone, leaving what it held."
        verb = "closed" if front.is_open else "unlocked and opened" if front.is_locked else "opened"
        return f"You {verb} the {front.color} door."
    return "You checked the mission here."


def _name(obj: WorldObj) -> str:
    if obj.type == "wall":
        return "a wall"
    if obj.type == "door":
        state = "open" if obj.is_open else "locked" if obj.is_locked else "closed"
        return f"the {state} {obj.color} door"
    return f"the {obj.color} {obj.type}"
