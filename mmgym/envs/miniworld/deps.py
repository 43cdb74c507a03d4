"""Import MiniWorld headless, or fail in one line when the optional package is missing.

MiniWorld creates an OpenGL context through pyglet at import time; pyglet must be told to use
EGL (no display) before that import, or it looks for an X server. The modules that need
MiniWorld import it from here.
"""

from __future__ import annotations

import importlib.util

from mmgym.errors import ConfigError

INSTALL_HINT = "pip install 'mmgym[miniworld]'"

if importlib.util.find_spec("miniworld") is None:
    raise ConfigError(f"the EB-Navigation envs need the miniworld package, which is not installed; run {INSTALL_HINT}")

import pyglet  # noqa: E402

pyglet.options["headless"] = True  # EGL, no X display: must be set before miniworld is imported

from miniworld import entity, miniworld, opengl  # noqa: E402
from pyglet import gl  # noqa: E402
from pyglet import image as pyglet_image  # noqa: E402

__all__ = ["entity", "gl", "miniworld", "opengl", "pyglet_image"]
