"""Check the AI2-THOR adapter against a simulator: every EB-ALFRED skill and EB-Navigation action once.

    python -m mmgym.envs.thor.selfcheck                       # ai2thor's own build, on $DISPLAY
    python -m mmgym.envs.thor.selfcheck --platform CloudRendering
    python -m mmgym.envs.thor.selfcheck --executable standin  # mmgym's stand-in build

It loads one kitchen scene, picks objects that each skill can act on from the scene's own
metadata, runs find / pick up / put down / drop / open / close / turn on / turn off / slice and
the eight navigation actions through ai2thor's `Controller`, and prints one line per check.
The exit status is the number of checks that failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from mmgym.envs.thor.alfred_executor import SkillExecutor
from mmgym.envs.thor.alfred_skills import OPENABLE, PICKABLE, SLICEABLE, TOGGLEABLE, instance_names
from mmgym.envs.thor.nav_env import ACTIONS
from mmgym.envs.thor.session import ThorConfig, ThorSession
from mmgym.errors import MmgymError


def first(objects: Sequence[Mapping[str, Any]], types: Sequence[str], exclude: Sequence[str] = ()) -> str | None:
    for obj in objects:
        if obj["objectType"] in types and obj["objectType"] not in exclude:
            return obj["objectType"]
    return None


def skill_checks(objects: Sequence[Mapping[str, Any]]) -> list[str]:
    """Skills in an order where each can work: open what holds things, carry, switch, slice."""
    pickable = first(objects, PICKABLE, exclude=("Knife", "ButterKnife", *SLICEABLE))
    surface = first(objects, ("CounterTop", "DiningTable", "Desk", "SideTable", "Shelf"))
    openable = first(objects, [t for t in OPENABLE if t not in ("Laptop", "Box")])
    toggle = first(objects, TOGGLEABLE)
    knife = first(objects, ("Knife", "ButterKnife"))
    sliceable = first(objects, SLICEABLE)
    skills = []
    if openable:
        skills += [f"find a {openable}", f"open the {openable}", f"close the {openable}"]
    if pickable and surface:
        skills += [f"find a {pickable}", f"pick up the {pickable}", f"find a {surface}", "put down the object in hand",
                   f"pick up the {pickable}", "drop the object in hand"]  # fmt: skip
    if toggle:
        skills += [f"find a {toggle}", f"turn on the {toggle}", f"turn off the {toggle}"]
    if knife and sliceable:
        skills += [f"find a {knife}", f"pick up the {knife}", f"find a {sliceable}", f"slice the {sliceable}"]
    return skills


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executable", help="a Unity build's path, or 'standin'; default: ai2thor's own build")
    parser.add_argument("--platform", help="CloudRendering on a headless GPU server")
    parser.add_argument("--x-display", help="X display such as :0 (default: $DISPLAY)")
    parser.add_argument("--scene", default="FloorPlan1")
    args = parser.parse_args(argv)
    config = ThorConfig(executable=args.executable, platform=args.platform, x_display=args.x_display)
    session = ThorSession(config)
    failures = 0

    def report(name: str, message: str, started: float) -> None:
        nonlocal failures
        failures += bool(message)
        status = "FAIL" if message else "ok  "
        print(f"{status} {name:<40} {1000 * (time.perf_counter() - started):7.0f} ms  {message}", flush=True)

    try:
        started = time.perf_counter()
        session.reset(args.scene)
        report(f"start and load {args.scene}", "", started)
        objects = session.last_event.metadata["objects"]
        executor = SkillExecutor(session, instance_names(objects))
        for skill in skill_checks(objects):
            started = time.perf_counter()
            report(skill, executor.run(skill), started)
        for text, action in ACTIONS.items():
            started = time.perf_counter()
            event = session.step(dict(action))
            if not event.metadata["lastActionSuccess"] and action["action"].startswith("Move"):
                event = session.step({"action": "RotateRight", "degrees": 90})  # facing a wall: turn, try again
                event = session.step(dict(action))
            report(text, "" if event.metadata["lastActionSuccess"] else event.metadata["errorMessage"], started)
    finally:
        session.close()
    print(f"{failures} failed" if failures else "all checks passed")
    return failures


def cli() -> int:
    """`main`, with mmgym's own errors (a missing simulator, no display) as one line."""
    try:
        return main()
    except MmgymError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(cli())
