"""One AI2-THOR simulator process behind ai2thor's own `Controller`, kept across episodes and restarted
when it dies.

Starting AI2-THOR takes seconds, so an env keeps its controller and changes scene with `reset`.
If the process dies, the step that noticed raises `SimulatorLost` (the runner replays the episode)
and the next `reset` starts a new process. `executable="standin"` starts mmgym's stand-in build
(`mmgym.envs.thor.standin`); a path starts that build; none lets ai2thor fetch its own.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mmgym.errors import ConfigError, SimulatorLost

STANDIN = "standin"
WATCH_INTERVAL_S = 0.2
END_OF_MESSAGE = struct.pack("!BI", 255, 0)  # AI2-THOR's FIFO framing: an empty message


@contextlib.contextmanager
def death_watch(controller: Any) -> Iterator[None]:
    """While a call waits on the simulator, notice its process dying within `WATCH_INTERVAL_S`.

    ai2thor reads a dead process's pipe until its whole server timeout (100 s by default) runs
    out. The watch writes an empty message into that pipe when the process has exited, so the
    read ends at once with an error (and the caller turns it into `SimulatorLost`).
    """
    server = getattr(controller, "server", None)
    process, pipe = getattr(server, "unity_proc", None), getattr(server, "server_pipe_path", None)
    if process is None or pipe is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(WATCH_INTERVAL_S):
            if process.poll() is not None:
                with contextlib.suppress(OSError):  # no reader left: nothing is waiting
                    fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
                    os.write(fd, END_OF_MESSAGE)
                    os.close(fd)
                return

    thread = threading.Thread(target=watch, name="thor-death-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


class ThorConfig(BaseModel):
    """How to start AI2-THOR: which build, on which display or platform, at which frame size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    executable: str | None = Field(default=None, description="a Unity build's path, 'standin', or null to download")
    platform: str | None = Field(default=None, description="CloudRendering on a headless GPU server; null for X")
    x_display: str | None = Field(default=None, description="X display such as ':0'; null reads DISPLAY")
    width: int = Field(default=500, ge=32)
    height: int = Field(default=500, ge=32)
    field_of_view: float = Field(default=90.0, gt=0, lt=180)
    grid_size: float = Field(default=0.25, gt=0)
    server_timeout_s: float = Field(default=100.0, gt=0)


def import_controller() -> Any:
    """ai2thor's `Controller` class, or one line saying how to install it."""
    try:
        from ai2thor.controller import Controller
    except ImportError as exc:
        raise ConfigError(f"AI2-THOR envs need ai2thor: pip install 'mmgym[thor]' ({exc})") from None
    return Controller


class ThorSession:
    """A started controller and its process; `step` and `reset` turn the process's death into `SimulatorLost`."""

    def __init__(self, config: ThorConfig) -> None:
        self.config = config
        self.controller: Any = None
        self.starts = 0

    # ---- lifecycle -----------------------------------------------------------------------
    def _start(self, scene: str) -> None:
        controller_class = import_controller()
        config = self.config
        kwargs: dict[str, Any] = {
            "scene": scene,
            "width": config.width,
            "height": config.height,
            "gridSize": config.grid_size,
            "fieldOfView": config.field_of_view,
            "server_timeout": config.server_timeout_s,
        }
        if config.executable == STANDIN:
            from mmgym.envs.thor.standin import launcher

            kwargs["local_executable_path"] = launcher()
            kwargs["x_display"] = config.x_display or ":0"  # the stand-in draws nothing on it
        else:
            if config.executable:
                kwargs["local_executable_path"] = config.executable
            if config.platform:
                import ai2thor.platform

                kwargs["platform"] = getattr(ai2thor.platform, config.platform)
            elif not (config.x_display or os.environ.get("DISPLAY")):
                raise ConfigError(
                    "AI2-THOR needs an X display: set DISPLAY or suite.x_display (--x-display), or on a headless "
                    "GPU server suite.platform=CloudRendering (--platform CloudRendering)"
                )
            if config.x_display:
                kwargs["x_display"] = config.x_display
        self.controller = controller_class(**kwargs)
        self.starts += 1

    def alive(self) -> bool:
        server = getattr(self.controller, "server", None)
        process = getattr(server, "unity_proc", None)
        return process is not None and process.poll() is None

    def close(self) -> None:
        if self.controller is not None:
            with contextlib.suppress(Exception):  # a dead process has nothing left to stop
                self.controller.stop()
        self.controller = None

    # ---- calls ------------------------------------------------------------------------------
    def reset(self, scene: str) -> Any:
        """Load `scene`, starting a simulator first when there is none or it died; the event."""
        if self.controller is not None and not self.alive():
            self.close()
        if self.controller is None:
            self._start(scene)
            return self.controller.last_event
        return self._guard(lambda: self.controller.reset(scene), f"Reset {scene}")

    def step(self, action: dict[str, Any]) -> Any:
        """Run one action; an action the simulator does not know comes back as a failed event, not an error."""
        return self._guard(lambda: self.controller.step(action), action.get("action", "?"))

    def _guard(self, call: Callable[[], Any], what: str) -> Any:
        if not self.alive():
            raise self._lost(what, RuntimeError("the process had exited"))
        try:
            with death_watch(self.controller):
                return call()
        except ValueError as exc:  # the simulator refused the action (InvalidAction, bad arguments)
            if not self.alive():
                raise self._lost(what, exc) from None
            event = self.controller.last_event
            event.metadata["lastActionSuccess"] = False
            event.metadata["errorMessage"] = str(exc)
            return event
        except Exception as exc:  # ai2thor raises RuntimeError, TimeoutError or its RestartError
            if self.alive():
                raise
            raise self._lost(what, exc) from None

    def _lost(self, what: str, exc: BaseException) -> SimulatorLost:
        self.close()
        return SimulatorLost(f"the AI2-THOR process died during {what}: {type(exc).__name__}")

    @property
    def last_event(self) -> Any:
        return self.controller.last_event
