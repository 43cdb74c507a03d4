"""Import MuJoCo for headless rendering, or fail in one line when the optional package is missing.

MuJoCo picks its OpenGL backend when it is imported: `MUJOCO_GL=egl` renders without a display
(through Mesa's software EGL on a machine without a GPU, or the GPU's EGL on a server). A value
the user set (osmesa, glfw) is kept. The modules that need MuJoCo import it from here.
"""

from __future__ import annotations

import importlib.util
import logging
import os

from mmgym.errors import ConfigError

INSTALL_HINT = "pip install 'mmgym[mujoco]'"

if importlib.util.find_spec("mujoco") is None:
    raise ConfigError(f"the EB-Manipulation envs need the mujoco package, which is not installed; run {INSTALL_HINT}")

os.environ.setdefault("MUJOCO_GL", "egl")
logging.getLogger("OpenGL").setLevel(logging.WARNING)  # PyOpenGL's "No OpenGL_accelerate module" note

import mujoco  # noqa: E402

__all__ = ["mujoco"]
