"""A MuJoCo tabletop with a floating two-finger gripper, built once and re-dressed for each scene.

The model holds a pool of objects (`POOL_PER_SHAPE` of each shape), containers and target
regions; a scene places the ones it uses on the table, colours them and parks the rest out of
sight. Re-dressing instead of recompiling keeps one renderer (and its OpenGL context) per env.

The gripper is a mocap body: a move drives it along a path, substep by substep, so that it
pushes what it meets. Its fingers are position-controlled slide joints. A closed gripper whose
two fingers both touch one object holds it with a weld constraint (RLBench, which EB-Manipulation
runs on, attaches a grasped object the same way); opening releases it.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from mmgym.envs.mujoco.deps import mujoco
from mmgym.envs.mujoco.things import (
    COLOURS,
    CONTAINER_HALF,
    CONTAINER_WALL,
    POOL_CONTAINERS,
    POOL_PER_SHAPE,
    POOL_REGIONS,
    REGION_HALF,
    SHAPES,
)

TIMESTEP = 0.002
SPEED = 0.6  # metres per second along a path
TURN_SPEED = math.radians(180)  # radians per second
GRIP_STEPS = 80  # substeps to open or close the fingers
SETTLE_STEPS = 60  # substeps for things to come to rest after a move
FINGER_OPEN = 0.045  # slide joint travel from closed (fingers touching) to open (9 cm apart)
HOME = np.array([0.0, 0.05, 0.25])  # the gripper's starting point, above the table
PARK = -0.745  # height of parked objects, on the floor out of view


def _camera(name: str, position: tuple[float, float, float], target: tuple[float, float, float], fovy: float) -> str:
    forward = np.subtract(target, position)
    forward = forward / np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    axes = " ".join(f"{v:.5f}" for v in (*right, *up))
    return f'<camera name="{name}" pos="{" ".join(map(str, position))}" xyaxes="{axes}" fovy="{fovy}"/>'


def _object_body(shape: str, index: int) -> str:
    h = SHAPES[shape].half_height
    geom = {
        "cube": f'type="box" size="{h} {h} {h}"',
        "cylinder": f'type="cylinder" size="{h} {h}"',
        "triangle": 'type="mesh" mesh="triangle"',
    }[shape]
    name = f"{shape}{index}"
    return (
        f'<body name="{name}" pos="{2 + index * 0.2} {list(SHAPES).index(shape) * 0.2} {PARK}" gravcomp="1">'
        f'<freejoint name="{name}"/>'
        f'<geom name="{name}" {geom} mass="0.05" friction="1.0 0.02 0.001" condim="4" contype="0" conaffinity="0"/>'
        "</body>"
    )


def _container_body(index: int) -> str:
    half, wall, t = CONTAINER_HALF, CONTAINER_WALL, 0.004
    walls = [
        (f"{half + t} 0 {wall / 2}", f"{t} {half + 2 * t} {wall / 2}"),
        (f"{-half - t} 0 {wall / 2}", f"{t} {half + 2 * t} {wall / 2}"),
        (f"0 {half + t} {wall / 2}", f"{half} {t} {wall / 2}"),
        (f"0 {-half - t} {wall / 2}", f"{half} {t} {wall / 2}"),
    ]
    geoms = f'<geom name="container{index}_floor" type="box" pos="0 0 {t / 2}" size="{half} {half} {t / 2}"/>'
    geoms += "".join(
        f'<geom name="container{index}_wall{i}" type="box" pos="{p}" size="{s}"/>' for i, (p, s) in enumerate(walls)
    )
    return f'<body name="container{index}" mocap="true" pos="{-2 - index * 0.3} 0 {PARK}">{geoms}</body>'


def _region_body(index: int) -> str:
    return (
        f'<body name="region{index}" mocap="true" pos="{-2 - index * 0.3} 1 {PARK}">'
        f'<geom name="region{index}" type="box" size="{REGION_HALF} {REGION_HALF} 0.0008" contype="0" '
        'conaffinity="0"/></body>'
    )


def _triangle_mesh() -> str:
    h = SHAPES["triangle"].half_height
    radius = 0.028  # circumradius of the triangle seen from above
    corners = [(radius * math.cos(a), radius * math.sin(a)) for a in (0.0, 2 * math.pi / 3, 4 * math.pi / 3)]
    vertices = " ".join(f"{x:.5f} {y:.5f} {z}" for z in (-h, h) for x, y in corners)
    return f'<mesh name="triangle" vertex="{vertices}"/>'


def model_xml() -> str:
    """The whole tabletop as MJCF: table, pools, gripper, cameras, with shadows and MSAA off (speed)."""
    objects = "".join(_object_body(shape, i) for shape in SHAPES for i in range(POOL_PER_SHAPE))
    containers = "".join(_container_body(i) for i in range(POOL_CONTAINERS))
    regions = "".join(_region_body(i) for i in range(POOL_REGIONS))
    welds = "".join(
        f'<weld name="hold_{shape}{i}" body1="hand" body2="{shape}{i}" active="false" solref="0.01 1"/>'
        for shape in SHAPES
        for i in range(POOL_PER_SHAPE)
    )
    # 5 cm wide pads: a closed gripper pushes with a flat face; stiff contacts (solref) keep it out of what it pushes
    finger = (
        'type="box" size="0.006 0.025 0.03" pos="0 0 0.025" friction="1.5 0.02 0.001" condim="4" solref="0.004 1" '
        'rgba=".3 .3 .35 1"'
    )
    return f"""
<mujoco model="mmgym-tabletop">
  <option timestep="{TIMESTEP}" cone="elliptic" impratio="5"/>
  <visual><quality offsamples="0" shadowsize="0"/><global offwidth="1024" offheight="1024"/>
    <headlight ambient=".45 .45 .45" diffuse=".5 .5 .5" specular="0 0 0"/></visual>
  <asset>{_triangle_mesh()}</asset>
  <worldbody>
    <light pos="0.3 -0.4 1.5" dir="-0.2 0.3 -1" diffuse=".5 .5 .5" castshadow="false"/>
    <geom name="floor" type="plane" pos="0 0 -0.75" size="20 20 0.1" rgba=".55 .55 .58 1"/>
    <geom name="table" type="box" pos="0 0 -0.025" size="0.45 0.4 0.025" rgba=".62 .48 .33 1"/>
    <geom name="table_leg" type="box" pos="0 0 -0.39" size="0.05 0.05 0.34" rgba=".4 .3 .2 1"/>
    <geom name="base" type="cylinder" pos="0 0.52 0.05" size="0.07 0.05" rgba=".25 .25 .3 1"/>
    {_camera("front", (0.0, -0.72, 0.55), (0.0, 0.02, 0.0), 50)}
    {_camera("side", (0.62, -0.42, 0.42), (0.0, 0.02, 0.02), 55)}
    {objects}{containers}{regions}
    <body name="hand" mocap="true" pos="{HOME[0]} {HOME[1]} {HOME[2]}">
      <geom name="palm" type="box" pos="0 0 0.068" size="0.062 0.018 0.013" rgba=".3 .3 .35 1"/>
      <geom name="wrist" type="cylinder" pos="0 0 0.1" size="0.02 0.02" rgba=".75 .75 .78 1" contype="0"
          conaffinity="0"/>
      <body name="finger_left" pos="-0.006 0 0">
        <joint name="finger_left" type="slide" axis="-1 0 0" range="0 {FINGER_OPEN}" damping="5"/>
        <geom name="finger_left" {finger}/>
      </body>
      <body name="finger_right" pos="0.006 0 0">
        <joint name="finger_right" type="slide" axis="1 0 0" range="0 {FINGER_OPEN}" damping="5"/>
        <geom name="finger_right" {finger}/>
      </body>
    </body>
  </worldbody>
  <contact><exclude body1="finger_left" body2="finger_right"/></contact>
  <equality>{welds}</equality>
  <actuator>
    <position name="finger_left" joint="finger_left" kp="300" ctrlrange="0 {FINGER_OPEN}" forcerange="-30 30"/>
    <position name="finger_right" joint="finger_right" kp="300" ctrlrange="0 {FINGER_OPEN}" forcerange="-30 30"/>
  </actuator>
</mujoco>
"""


class Tabletop:
    """The simulator: a compiled model, its data, a renderer, and the moves the gripper can make."""

    def __init__(self, image_size: int, render_size: int) -> None:
        self.model = mujoco.MjModel.from_xml_string(model_xml())
        self.data = mujoco.MjData(self.model)
        self.renderers = {size: mujoco.Renderer(self.model, size, size) for size in {image_size, render_size}}
        m = self.model
        self._hand = m.body("hand").mocapid[0]
        self._fingers = {m.geom("finger_left").id, m.geom("finger_right").id}
        self._welds = {m.body(m.eq_obj2id[i]).name: i for i in range(m.neq)}
        self.held: str | None = None

    # ---- names and state -------------------------------------------------------------------
    def body_position(self, name: str) -> np.ndarray:
        return self.data.body(name).xpos.copy()

    def body_yaw(self, name: str) -> float:
        matrix = self.data.body(name).xmat.reshape(3, 3)
        return math.atan2(matrix[1, 0], matrix[0, 0])

    def hand_pose(self) -> tuple[np.ndarray, np.ndarray]:
        """The tool centre point and its orientation (w, x, y, z)."""
        return self.data.mocap_pos[self._hand].copy(), self.data.mocap_quat[self._hand].copy()

    def gripper_open(self) -> bool:
        return bool(self.data.ctrl[0] > FINGER_OPEN / 2)

    # ---- dressing a scene --------------------------------------------------------------------
    def reset(self) -> None:
        """Everything parked, the gripper open at home, nothing held."""
        mujoco.mj_resetData(self.model, self.data)
        self.data.eq_active[:] = 0
        self.held = None
        self.data.mocap_pos[self._hand] = HOME
        self.data.mocap_quat[self._hand] = (1.0, 0.0, 0.0, 0.0)  # fingers pointing down
        for name in self._welds:  # parked objects float without contacts: 4x cheaper substeps
            self._park(name)
        self.data.ctrl[:] = FINGER_OPEN
        self.data.qpos[self.model.joint("finger_left").qposadr[0]] = FINGER_OPEN
        self.data.qpos[self.model.joint("finger_right").qposadr[0]] = FINGER_OPEN

    def place_object(self, name: str, colour: str, x: float, y: float, yaw: float) -> None:
        shape = name.rstrip("0123456789")
        joint = self.model.joint(name)
        adr = joint.qposadr[0]
        half_yaw = yaw / 2
        self.data.qpos[adr : adr + 7] = (x, y, SHAPES[shape].half_height, math.cos(half_yaw), 0, 0, math.sin(half_yaw))
        geom = self.model.geom(name).id
        self.model.geom_rgba[geom, :3] = COLOURS[colour]
        self._collide(name, True)

    def _park(self, name: str) -> None:
        self._collide(name, False)
        adr = self.model.joint(name).qposadr[0]
        self.data.qpos[adr : adr + 3] = self.model.body(name).pos

    def _collide(self, name: str, on: bool) -> None:
        """Turn an object's contacts and gravity on (on the table) or off (parked, floating)."""
        m, geom, body = self.model, self.model.geom(name).id, self.model.body(name).id
        m.geom_contype[geom] = m.geom_conaffinity[geom] = int(on)
        m.body_contype[body] = m.body_conaffinity[body] = int(on)  # the broad phase reads these
        m.body_gravcomp[body] = 0.0 if on else 1.0

    def place_fixture(self, name: str, colour: str, x: float, y: float) -> None:
        """A container or region: a mocap body, coloured (all of a container's geoms)."""
        body = self.model.body(name)
        self.data.mocap_pos[body.mocapid[0]] = (x, y, 0.0 if name.startswith("container") else 0.0008)
        for geom in range(body.geomadr[0], body.geomadr[0] + body.geomnum[0]):
            self.model.geom_rgba[geom, :3] = COLOURS[colour]

    def settle(self) -> None:
        mujoco.mj_forward(self.model, self.data)
        mujoco.mj_step(self.model, self.data, nstep=SETTLE_STEPS)

    # ---- the gripper's moves -------------------------------------------------------------------
    def move(self, target: np.ndarray, target_quat: np.ndarray) -> None:
        """Drive the gripper to a pose: up first when the target is higher, down last when it is lower,
        straight across in between; the orientation turns evenly along the way."""
        start, start_quat = self.hand_pose()
        corner_height = max(start[2], target[2])
        waypoints = [start, np.array([start[0], start[1], corner_height])]
        waypoints += [np.array([target[0], target[1], corner_height]), target]
        legs = [float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(waypoints)]
        length = sum(legs)
        angle = 2 * math.acos(min(1.0, abs(float(np.dot(start_quat, target_quat)))))
        substeps = max(1, math.ceil(max(length / SPEED, angle / TURN_SPEED) / TIMESTEP))
        for k in range(1, substeps + 1):
            s = k / substeps
            self.data.mocap_pos[self._hand] = _along(waypoints, legs, s * length)
            self.data.mocap_quat[self._hand] = _slerp(start_quat, target_quat, s)
            mujoco.mj_step(self.model, self.data)

    def grip(self, open_: bool) -> None:
        """Open or close the fingers; closing on an object with both fingers holds it, opening lets go."""
        if open_ and self.held is not None:
            self.data.eq_active[self._welds[self.held]] = 0
            self.held = None
        self.data.ctrl[:] = FINGER_OPEN if open_ else 0.0
        mujoco.mj_step(self.model, self.data, nstep=GRIP_STEPS)
        if not open_ and self.held is None:
            touched = self._pinched()
            if touched is not None:
                self._hold(touched)

    def _pinched(self) -> str | None:
        """The object both fingers touch, if any."""
        touching: dict[str, set[int]] = {}
        for contact in self.data.contact[: self.data.ncon]:
            for finger, other in ((contact.geom1, contact.geom2), (contact.geom2, contact.geom1)):
                if finger in self._fingers:
                    name = self.model.geom(other).name
                    if name in self._welds:
                        touching.setdefault(name, set()).add(finger)
        return next((name for name, fingers in touching.items() if fingers == self._fingers), None)

    def _hold(self, name: str) -> None:
        weld = self._welds[name]
        hand_pos, hand_quat = self.hand_pose()
        body = self.data.body(name)
        inverse = np.zeros(4)
        mujoco.mju_negQuat(inverse, hand_quat)
        relative_pos = np.zeros(3)
        mujoco.mju_rotVecQuat(relative_pos, body.xpos - hand_pos, inverse)
        relative_quat = np.zeros(4)
        mujoco.mju_mulQuat(relative_quat, inverse, body.xquat)
        data = self.model.eq_data[weld]
        data[0:3] = 0.0  # anchor at the object's origin
        data[3:6] = relative_pos
        data[6:10] = relative_quat
        data[10] = 1.0
        self.data.eq_active[weld] = 1
        self.held = name

    # ---- cameras ---------------------------------------------------------------------------------
    def render(self, camera: str, size: int) -> np.ndarray:
        renderer = self.renderers[size]
        renderer.update_scene(self.data, camera=camera)
        return renderer.render()

    def close(self) -> None:
        for renderer in self.renderers.values():
            renderer.close()
        self.renderers = {}


def _along(waypoints: list[np.ndarray], legs: list[float], distance: float) -> np.ndarray:
    for (a, b), leg in zip(itertools.pairwise(waypoints), legs, strict=True):
        if distance <= leg or leg == legs[-1]:
            return a + (b - a) * (min(distance, leg) / leg if leg > 0 else 1.0)
        distance -= leg
    return waypoints[-1]


def _slerp(q0: np.ndarray, q1: np.ndarray, s: float) -> np.ndarray:
    dot = float(np.dot(q0, q1))
    if dot < 0:
        q1, dot = -q1, -dot
    if dot > 0.9995:
        q = q0 + s * (q1 - q0)
        return q / np.linalg.norm(q)
    theta = math.acos(dot)
    return (math.sin((1 - s) * theta) * q0 + math.sin(s * theta) * q1) / math.sin(theta)
