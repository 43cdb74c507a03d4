"""A MiniWorld env that builds a `Scene`: rooms, doorways and objects, rendered headless.

MiniWorld renders through OpenGL; here that is EGL on Mesa's software rasteriser. Multisampling,
which MiniWorld asks for at 8 or 16 samples, is what costs most in software; the frame buffers are
rebuilt with `samples` (default 1: no anti-aliasing), which
`python -m mmgym.envs.miniworld.speed` measures.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from mmgym.envs.fingerprints import quantised
from mmgym.envs.miniworld.deps import entity, gl, miniworld, opengl, pyglet_image
from mmgym.envs.miniworld.planner import Pose
from mmgym.envs.miniworld.scene import GRID, Scene, Thing
from mmgym.envs.miniworld.things import KINDS
from mmgym.envs.miniworld.view import Segment

WALL_HEIGHT = 2.5
LOOKS = ("radius", "height", "color", "size", "scale", "cam_height", "cam_fov_y", "cam_fwd_disp")  # of entities
WALL_COLOUR = (40, 40, 40)
TARGET_COLOUR = (0, 200, 0)


def load_texture(path: str) -> Any:
    """MiniWorld's `Texture.load`, decoding with Pillow: pyglet converts the pixels in pure Python, which took
    about 12 s per process for the meshes' textures; this takes well under one. The GL calls are the same,
    and the bytes handed to OpenGL are identical (tested)."""
    image = Image.open(path).convert("RGBA").transpose(Image.Transpose.FLIP_TOP_BOTTOM)  # GL rows go bottom-up
    texture = pyglet_image.Texture.create(image.width, image.height)
    gl.glEnable(texture.target)
    gl.glBindTexture(texture.target, texture.id)
    data = image.tobytes()
    gl.glTexImage2D(gl.GL_TEXTURE_2D, 0, gl.GL_RGB, image.width, image.height, 0, gl.GL_RGBA, gl.GL_UNSIGNED_BYTE, data)
    gl.glHint(gl.GL_GENERATE_MIPMAP_HINT, gl.GL_NICEST)
    gl.glGenerateMipmap(gl.GL_TEXTURE_2D)
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MAG_FILTER, gl.GL_LINEAR)
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, gl.GL_LINEAR_MIPMAP_LINEAR)
    gl.glBindTexture(gl.GL_TEXTURE_2D, 0)
    return texture


opengl.Texture.load = classmethod(lambda cls, path: load_texture(path))

# MiniWorld compiles an env's static geometry (rooms, walls, lights) into display list 1 at each reset, and
# every pyglet context shares one object space: with several envs alive in a process, each renders the
# rooms of whichever env reset last. The id of the env whose geometry list 1 holds, so that a render by
# another env compiles its own first.
_STATIC_LIST_OWNER: list[int | None] = [None]


def _entity(thing: Thing) -> Any:
    kind = KINDS[thing.kind]
    if thing.kind == "box":
        return entity.Box(color=thing.colour, size=kind.radius * math.sqrt(2))
    if thing.kind == "ball":
        return entity.Ball(color=thing.colour, size=kind.height)
    if thing.kind == "key":
        return entity.Key(color=thing.colour)
    return entity.MeshEnt(kind.mesh, height=kind.height, static=True)


class SceneWorld(miniworld.MiniWorldEnv):
    """MiniWorld with a scene given as data instead of generated in code. Call `build(scene)` to load one."""

    def __init__(self, image_size: int, map_size: int, samples: int = 1) -> None:
        self.scene: Scene | None = None
        self.entities_of_things: list[Any] = []
        with contextlib.redirect_stdout(io.StringIO()):  # "Falling back to num_samples=4", of buffers replaced below
            super().__init__(
                max_episode_steps=10**9,  # the suite sets the episode's limit
                obs_width=image_size,
                obs_height=image_size,
                window_width=map_size,
                window_height=map_size,
                render_mode="rgb_array",
                view="top",
            )
        self.make_current()
        self.obs_fb = opengl.FrameBuffer(image_size, image_size, samples)
        self.vis_fb = opengl.FrameBuffer(map_size, map_size, samples)

    def make_current(self) -> None:
        """Make this env's OpenGL context current on the calling thread, and re-read pyglet's GL info from it.

        EGL makes a context current per thread, but pyglet keeps one process-wide `current_context` and
        `gl_info` (the GL version and extensions). When a window is destroyed (MiniWorld never closes its
        own: the garbage collector does, on whichever thread drops the env last), pyglet switches to its
        shadow context on that thread; where that context is current on another thread (the one that first
        imported pyglet, or the env thread of a runner), EGL refuses the switch: the thread is left without
        a current context, and `gl_info` is re-read from none, empty. Until the next switch, MiniWorld then
        compiles the scene's display list into no context (a frame of sky only), and builds its frame
        buffers without multisampling (other pixels). Called before the buffers are built and before each
        reset, so an env renders the same whatever other threads did with other envs.
        """
        self.shadow_window.switch_to()
        if not gl.gl_info.have_version(1):  # read from no context (every context here has the same driver)
            gl.gl_info.remove_active_context()
            gl.gl_info.set_active_context()

    def _render_static(self) -> None:
        super()._render_static()
        _STATIC_LIST_OWNER[0] = id(self)

    def render_obs(self, frame_buffer: Any = None) -> np.ndarray:
        self._own_static_geometry()
        return super().render_obs(frame_buffer)

    def render_top_view(self, frame_buffer: Any = None, render_agent: bool = True, return_scale: bool = False) -> Any:
        self._own_static_geometry()
        return super().render_top_view(frame_buffer, render_agent, return_scale)

    def _own_static_geometry(self) -> None:
        """Put this env's rooms back into the shared display list when another env's are there."""
        if _STATIC_LIST_OWNER[0] != id(self):
            self.make_current()
            self._render_static()

    def build(self, scene: Scene) -> np.ndarray:
        """Load `scene`; returns the first egocentric frame."""
        self.scene = scene
        self.make_current()
        frame, _ = self.reset(seed=0)
        return frame

    def _gen_world(self) -> None:
        if self.scene is None:  # MiniWorld resets once while constructing: a placeholder room
            self.add_rect_room(0, 1, 0, 1)
            self.place_agent(pos=np.array([0.5, 0.0, 0.5]), dir=0.0)
            return
        rooms = [
            self.add_rect_room(r.x0, r.x1, r.z0, r.z1, wall_height=WALL_HEIGHT, wall_tex="concrete")
            for r in self.scene.rooms
        ]
        for doorway in self.scene.doorways:
            a, b = (self.scene.rooms[i] for i in doorway.rooms)
            if math.isclose(a.x1, b.x0) or math.isclose(a.x0, b.x1):  # a shared wall along z
                self.connect_rooms(
                    rooms[doorway.rooms[0]], rooms[doorway.rooms[1]], min_z=doorway.low, max_z=doorway.high
                )
            else:
                self.connect_rooms(
                    rooms[doorway.rooms[0]], rooms[doorway.rooms[1]], min_x=doorway.low, max_x=doorway.high
                )
        self.entities_of_things = []
        for thing in self.scene.things:
            ent = _entity(thing)
            ent.radius = KINDS[thing.kind].radius  # the catalogue's footprint, so planner and sim agree
            self.place_entity(ent, pos=np.array([thing.x, 0.0, thing.z]), dir=math.radians(thing.heading))
            self.entities_of_things.append(ent)
        heading = math.radians(self.scene.agent_heading)
        self.place_agent(pos=np.array([self.scene.agent_x, 0.0, self.scene.agent_z]), dir=heading)

    def layout(self) -> dict[str, Any]:
        """What MiniWorld built, as plain data for the episode's fingerprint: the walls, the rooms' textures,
        every entity's kind, pose, footprint and look, and the agent's camera (lengths in mm, angles in
        mrad). Not the pixels: they depend on the OpenGL driver as much as on MiniWorld."""

        def plain(value: Any) -> Any:
            return value if isinstance(value, str) or value is None else quantised(value)

        rooms = [[r.wall_tex_name, r.floor_tex_name, r.ceil_tex_name, plain(r.wall_height)] for r in self.rooms]
        entities = [
            [
                type(ent).__name__,
                plain(ent.pos),
                plain(ent.dir),
                {k: plain(getattr(ent, k)) for k in LOOKS if hasattr(ent, k)},
            ]
            for ent in self.entities
        ]
        return {"walls": plain(self.wall_segs), "rooms": rooms, "entities": entities}

    def walls(self) -> list[Segment]:
        """The built walls as floor-plan segments ((x0, z0), (x1, z1)), for what the agent can see."""
        return [((s[0][0], s[0][2]), (s[1][0], s[1][2])) for s in np.asarray(self.wall_segs).tolist()]

    def set_pose(self, pose: Pose, pitch: int = 0) -> None:
        """Put the agent's camera at a lattice pose, tilted `pitch` degrees, before rendering."""
        self.agent.pos = np.array([pose[0] * GRID, 0.0, pose[1] * GRID])
        self.agent.dir = math.radians(pose[2] * 90)
        self.agent.cam_pitch = pitch

    def blocked(self, x: float, z: float) -> str | None:
        """Why the agent cannot stand at (x, z): 'a wall', 'the red box', ...; None when it can."""
        hit = self.intersect(self.agent, np.array([x, 0.0, z]), self.agent.radius)
        if hit is None or hit is False:
            return None
        if hit is True:
            return "a wall"
        index = next((i for i, ent in enumerate(self.entities_of_things) if ent is hit), None)
        return f"the {self.scene.things[index].label}" if index is not None and self.scene else "an object"

    def top_view(self) -> np.ndarray:
        """The whole map from above (the second video), with the walls and a ring round the target drawn on."""
        frame, scale = self.render_top_view(self.vis_fb, return_scale=True)
        image = Image.fromarray(frame)
        draw = ImageDraw.Draw(image)

        def pixel(x: float, z: float) -> tuple[float, float]:
            return x * scale["x_scale"] + scale["x_offset"], z * scale["z_scale"] + scale["z_offset"]

        width = max(1, round(0.08 * scale["x_scale"]))
        for (x0, _, z0), (x1, _, z1) in np.asarray(self.wall_segs).tolist():
            draw.line([pixel(x0, z0), pixel(x1, z1)], fill=WALL_COLOUR, width=width)
        if self.scene is not None:
            target = self.scene.target_thing
            cx, cz = pixel(target.x, target.z)
            r = (target.radius + 0.15) * scale["x_scale"]
            draw.ellipse((cx - r, cz - r, cx + r, cz + r), outline=TARGET_COLOUR, width=width)
        return np.asarray(image)
