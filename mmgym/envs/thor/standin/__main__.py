"""Run the stand-in simulator: `python -m mmgym.envs.thor.standin` (ai2thor's Controller starts it).

The Controller launches its "Unity build" with the pipe paths in the environment, reads one event
at start-up, then sends an action and reads an event, in turn, until it closes the pipes.
`MMGYM_STANDIN_CRASH_AT="N:FLAG"` makes the process die at its N-th action unless the file FLAG
exists (it creates FLAG first): how the tests crash a simulator once, mid-episode. Without FLAG
(`"N:"`) every process dies at its N-th action.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from mmgym.envs.thor.standin.protocol import read_action, write_event
from mmgym.envs.thor.standin.render import render
from mmgym.envs.thor.standin.scenes import ROOMS
from mmgym.envs.thor.standin.world import ActionFailed, UnknownAction, World


class Player:
    """The simulator's state between actions: the world, the frame size and the last action's outcome."""

    def __init__(self, width: int, height: int) -> None:
        self.world = World.load(next(iter(ROOMS)))
        self.width, self.height = width, height

    def handle(self, action: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The event metadata after `action`, and whether a frame goes with it."""
        name = action.get("action", "")
        success, error, code, returned = True, "", "", None
        try:
            if name == "Reset":
                self.world = World.load(action.get("sceneName", ""))
            elif name == "GetScenesInBuild":
                returned = [n for scene in ROOMS for n in (scene, f"{scene}_physics")]
            elif name == "ChangeResolution":
                self.width, self.height = int(action["x"]), int(action["y"])
            else:
                returned = self.world.act(action)
        except ActionFailed as exc:
            success, error = False, str(exc)
        except UnknownAction as exc:
            success, error, code = False, str(exc), "InvalidAction"
        metadata = {
            "sceneName": self.world.room.name,
            "lastAction": name,
            "lastActionSuccess": success,
            "errorMessage": error,
            "errorCode": code,
            "actionReturn": returned,
            "agent": self.world.agent_metadata(),
            "objects": self.world.object_metadata(),
            "inventoryObjects": self.world.inventory(),
            "screenWidth": self.width,
            "screenHeight": self.height,
            "thirdPartyCameras": [],
            "colors": [],
            "agentId": 0,
        }
        return metadata, name != "Reset"


def crash_point() -> tuple[int, Path | None] | None:
    spec = os.environ.get("MMGYM_STANDIN_CRASH_AT")
    if not spec:
        return None
    count, flag = spec.split(":", 1)
    return int(count), Path(flag) if flag else None


def main() -> None:
    args = sys.argv[1:]
    size = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("-screen-")}
    player = Player(int(size.get("-screen-width", 300)), int(size.get("-screen-height", 300)))
    crash = crash_point()
    with open(os.environ["AI2THOR_FIFO_SERVER_PIPE_PATH"], "wb") as out:
        metadata, _ = player.handle({"action": "Pass"})
        write_event(out, metadata, 0, render(player.world, player.width, player.height))
        with open(os.environ["AI2THOR_FIFO_CLIENT_PIPE_PATH"], "rb") as inp:
            actions = 0
            while (action := read_action(inp)) is not None:
                actions += 1
                if crash and actions == crash[0] and not (crash[1] and crash[1].exists()):
                    if crash[1]:
                        crash[1].touch()
                    os._exit(3)
                metadata, with_frame = player.handle(action)
                frame = render(player.world, player.width, player.height) if with_frame else None
                write_event(out, metadata, action.get("sequenceId", 0), frame)


if __name__ == "__main__":
    main()
