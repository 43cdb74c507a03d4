"""Check the EB-Habitat adapter against a simulator: every kind of skill once.

    python -m mmgym.envs.habitat.selfcheck                       # habitat-lab (conda; data in ./data)
    python -m mmgym.envs.habitat.selfcheck --simulator standin   # mmgym's symbolic stand-in

It loads the first base episode and, through the simulator's own skill ids (below the env's
limit of 10 failed skills), opens and closes the refrigerator and a drawer, finds a receptacle
holding an object it can pick up (trying each), picks it, and places it on another receptacle.
It prints one line per check; the exit status is the number of checks that failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from mmgym.envs.habitat.env import EBHabitatEnv
from mmgym.envs.habitat.skills import SKILLS
from mmgym.errors import MmgymError


class Checker:
    """Runs skills on the env's simulator and prints what happened."""

    def __init__(self, env: EBHabitatEnv) -> None:
        self.env, self.failures = env, 0

    def run(self, words: str) -> bool:
        """Whether the simulator carried out the skill."""
        sim = self.env.sim
        return not sim.step(sim.skills.index(words))[3]["was_prev_action_invalid"]

    def check(self, name: str, words: Sequence[str]) -> bool:
        """The first of `words` that works, reported as one check."""
        started = time.perf_counter()
        done = next((w for w in words if self.run(w)), None)
        self.failures += done is None
        status, detail = ("ok  ", done) if done else ("FAIL", f"none of {len(words)} tried worked")
        print(f"{status} {name:<28} {1000 * (time.perf_counter() - started):7.0f} ms  {detail}", flush=True)
        return done is not None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulator", choices=["habitat", "standin"], default="habitat")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    env = EBHabitatEnv(image_size=256, observe_image=True, simulator=args.simulator)
    try:
        options = {"subset": "base", "index": 0} if args.simulator == "habitat" else None
        env.reset(seed=0, options=options)
        print(f"ok   {'start and load base #0':<28} {1000 * (time.perf_counter() - started):7.0f} ms")
        checker = Checker(env)
        places = [s.words for s in SKILLS if s.verb == "navigate"]
        picks = [s.words for s in SKILLS if s.verb == "pick"]
        checker.check("navigate", ["navigate to the refrigerator push point"])
        checker.check("open the refrigerator", ["open the refrigerator"])
        checker.check("close the refrigerator", ["close the refrigerator"])
        drawers = [s.target for s in SKILLS if s.verb == "open" and s.target != "refrigerator"]
        for place in ("left drawer of the kitchen counter", "right drawer of the kitchen counter"):
            checker.run(f"navigate to the {place}")
            opened = next((d for d in drawers if checker.run(f"open the {d}")), None)
            if opened:
                break
        print(f"{'ok  ' if opened else 'FAIL'} {'open a drawer':<28} {'':>7}     {opened or 'no drawer opened'}")
        checker.failures += opened is None
        if opened:
            checker.check("close the drawer", [f"close the {opened}"])
        picked = None
        for place in places:
            checker.run(place)
            picked = next((p for p in picks if checker.run(p)), None)
            if picked:
                break
        print(f"{'ok  ' if picked else 'FAIL'} {'pick up an object':<28} {'':>7}     {picked or 'nothing picked'}")
        checker.failures += picked is None
        if picked:
            tables = [s.target for s in SKILLS if s.verb == "place" and s.target.startswith("table")]
            placed = next(
                (t for t in tables if checker.run(f"navigate to the {t}") and checker.run(f"place at the {t}")), None
            )
            print(f"{'ok  ' if placed else 'FAIL'} {'place it':<28} {'':>7}     {placed or 'placed nowhere'}")
            checker.failures += placed is None
    finally:
        env.close()
    print(f"{checker.failures} failed" if checker.failures else "all checks passed")
    return checker.failures


def cli() -> int:
    """`main`, with mmgym's own errors (a missing simulator, no display) as one line."""
    try:
        return main()
    except MmgymError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(cli())
