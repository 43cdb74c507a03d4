"""BabyAI played in EmbodiedBench's protocol (`suite.protocol=embodiedbench`), as its high-level tracks play.

The skill level is built after EB-ALFRED's high-level skills, so the protocol is EB-ALFRED's: skills
listed by id (the list changes when an object is carried: the "put" skills join it), a JSON plan run
by id until a skill fails, an unparseable reply costing no step but counting as invalid, an empty
plan ending the episode, and the tenth invalid action ending it too. The texts are mmgym's own; the
examples carry their own skill lists, since every level lists other objects.
"""

from __future__ import annotations

import json
from dataclasses import replace

from mmgym.tasks.embodiedbench.protocol import TRACKS, Track

OPENING = """## You act in a grid world of rooms and doors with skills that walk you there by the shortest path.

## What each skill does, and when it works
- go to: walk up to an object or a door and face it.
- pick up: walk to an object and take it; your hands must be empty.
- open, close: walk to a door and open or close it; a locked door opens only while you carry its key.
- drop: put down what you carry on a free cell nearby.
- put ... next to ...: carrying the first object, walk to the second and put it down beside it.

## Skill ids (0 to {0}) and names:{1}

{2}

## Advice
1. Never give an empty plan.
2. Locations in the mission are relative to where you stood and faced when the episode began.
3. Do not repeat a sequence that did not work: change it, and read the feedback on the last steps."""


def _examples() -> tuple[str, ...]:
    skills = ["go to the red ball", "go to the blue key", "go to the blue door", "pick up the red ball",
              "pick up the blue key", "open the blue door", "close the blue door", "drop"]  # fmt: skip
    plan = ["pick up the blue key", "open the blue door", "drop", "pick up the red ball"]
    listing = "".join(f"\naction id {i}: {name}" for i, name in enumerate(skills))
    reply = {
        "reasoning_and_reflection": "The red ball lies behind the locked blue door: fetch its key, open the door, "
        "put the key down to free the hands, then take the ball.",
        "executable_plan": [{"action_id": skills.index(step), "action_name": step} for step in plan],
    }
    return (f"Skills in this example:{listing}\nTask: pick up the red ball\nReply: {json.dumps(reply)}",)


TRACK: Track = replace(TRACKS["eb_alfred"], name="babyai", shots=1, opening=OPENING, examples=_examples,
                       authors_prompt=None)  # fmt: skip
