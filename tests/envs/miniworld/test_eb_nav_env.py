"""EBNavEnv on the real MiniWorld simulator (headless EGL): the contract, refusals, success, the expert, the views."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import numpy as np
import pytest

if importlib.util.find_spec("miniworld") is None:  # not importorskip: MiniWorld must be imported headless, by mmgym
    pytest.skip("miniworld is not installed (pip install 'mmgym[miniworld]')", allow_module_level=True)

from gymnasium.utils.env_checker import check_env

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.core.language_env import check_language_env
from mmgym.envs.miniworld import ENV_ID
from mmgym.envs.miniworld.episodes import SUBSETS, load_subset
from mmgym.envs.miniworld.scene import Scene


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, image_size=64, map_size=64).unwrapped
    yield env
    env.close()


def corner_scene() -> Scene:
    """One 4 x 4 m room; the agent in the north-west corner facing east (+x); a red box to the south-east."""
    return Scene.model_validate(
        {
            "rooms": [{"x0": 0, "x1": 4, "z0": 0, "z1": 4}],
            "things": [{"kind": "box", "colour": "red", "x": 3.0, "z": 3.0}, {"kind": "chair", "x": 2.0, "z": 0.7}],
            "agent_x": 0.5,
            "agent_z": 0.5,
            "agent_heading": 0,
            "target": 0,
            "instruction": "Navigate to the red box.",
        }
    )


def test_the_env_passes_gymnasiums_and_mmgyms_checks(env) -> None:
    check_env(env, skip_render_check=True)
    check_language_env(env)


def test_observation_holds_the_camera_view_the_objects_in_view_and_the_task(env) -> None:
    obs, info = env.reset(options={"scene": corner_scene()})
    assert obs["image"].shape == (64, 64, 3) and obs["image"].dtype == np.uint8
    assert len(np.unique(obs["image"].reshape(-1, 3), axis=0)) > 10  # a rendered room, not a blank frame
    assert obs["instruction"] == "Navigate to the red box."
    assert obs["text"].startswith("In view: the chair")  # east of the agent, ahead; the box is 45 degrees right
    assert info["valid"] and not info["success"] and info["progress"] == 0.0
    assert info["distance"] == pytest.approx(np.hypot(2.5, 2.5), abs=1e-3)


def test_blocked_moves_and_tilts_past_the_limit_are_refused_and_change_nothing(env) -> None:
    obs, _ = env.reset(options={"scene": corner_scene()})
    pose = env.pose
    for action, reason in (
        ("Move backward by 0.25", "a wall is in the way"),
        ("Move leftward by 0.25", "a wall is in the way"),
        ("Tilt the camera upward by 30 degrees", None),
        ("Tilt the camera upward by 30 degrees", "cannot tilt further up"),
        ("fly", "'fly' is not an action"),
    ):
        after, reward, terminated, truncated, info = env.step(action)
        if reason is None:
            assert info["valid"]
            assert not np.array_equal(after["image"], obs["image"])  # the camera looks up
            continue
        assert not info["valid"] and reason in info["feedback"], info["feedback"]
        assert env.pose == pose and reward == 0.0 and not terminated and not truncated


def test_walking_into_an_object_is_refused_with_its_name(env) -> None:
    env.reset(options={"scene": corner_scene()})
    for _ in range(2):
        env.step("Move rightward by 0.25")  # south, to z = 1.0: the chair at x = 2.0, z = 0.7 is ahead
    infos = [env.step("Move forward by 0.25")[4] for _ in range(6)]
    assert any("the chair is in the way" in info["feedback"] for info in infos)


def test_the_expert_reaches_the_target_and_the_episode_ends(env) -> None:
    env.reset(options={"scene": corner_scene()})
    plan = env.expert_plan()
    assert len(plan) == 15  # 2.0 m east and 1.75 m south, on the 0.25 m lattice, to within 1 m of the box
    for i, action in enumerate(plan):
        _, reward, terminated, _, info = env.step(action)
        assert info["valid"]
        assert terminated == (i == len(plan) - 1)
    assert info["success"] and reward == 1.0 and info["progress"] == 1.0 and info["distance"] <= 1.0
    assert env.expert_plan() == []
    _, _, terminated, _, info = env.step("Move forward by 0.25")
    assert terminated and not info["valid"] and "the episode is over" in info["feedback"]


@pytest.mark.parametrize("subset", SUBSETS)
def test_frozen_episodes_replay_with_their_stored_expert_plans(env, subset: str) -> None:
    for episode in load_subset(subset).episodes[:4]:
        env.reset(options={"scene": episode.scene})
        plan = env.expert_plan()
        assert len(plan) == episode.plan_length
        for action in plan:
            _, _, terminated, _, info = env.step(action)
        assert terminated and info["success"]


def test_the_top_view_draws_the_walls_and_the_same_scene_gives_the_same_frames(env) -> None:
    scene = load_subset("long_horizon").episodes[0].scene
    first = env.reset(options={"scene": scene})[0]["image"]
    top = env.render()
    assert top.shape == (64, 64, 3)
    assert (np.abs(top.astype(int) - (40, 40, 40)).sum(axis=2) < 10).any()  # wall lines
    again = env.reset(options={"scene": scene})[0]["image"]
    np.testing.assert_array_equal(first, again)


def test_the_fast_texture_loader_hands_opengl_the_bytes_pyglets_loader_does() -> None:
    """mmgym decodes MiniWorld's textures with Pillow (pyglet's pure-Python conversion took ~12 s a process)."""
    from pathlib import Path

    from PIL import Image

    from mmgym.envs.miniworld.deps import pyglet_image

    folder = Path(importlib.util.find_spec("miniworld").origin).parent
    paths = [folder / "meshes" / "cone.png", folder / "textures" / "white_1.png"]
    for path in paths:
        image = pyglet_image.load(str(path))
        theirs = image.get_image_data().get_data("RGBA", image.width * 4)
        ours = Image.open(path).convert("RGBA").transpose(Image.Transpose.FLIP_TOP_BOTTOM).tobytes()
        assert ours == theirs, path.name


def test_a_frozen_subset_regenerates_byte_for_byte(env, tmp_path) -> None:
    from mmgym.envs.miniworld.episodes import generate, save
    from mmgym.envs.miniworld.frozen import subset_path

    path = save(generate("visual_appearance", env=env), tmp_path / "visual_appearance.json")
    assert path.read_bytes() == subset_path("visual_appearance").read_bytes()


DROPPED_ON_A_THREAD = """
import threading
import gymnasium as gym
import numpy as np
import mmgym  # noqa: F401

def frame(env):
    return env.reset(seed=7)[0]["image"]

reference = frame(gym.make("mmgym/EBNav-v0", image_size=32, map_size=32))

def build_use_drop():  # as a runner's env thread may: the env's last reference dies there
    env = gym.make("mmgym/EBNav-v0", image_size=32, map_size=32)
    env.reset(seed=0)
    env.close()

thread = threading.Thread(target=build_use_drop)
thread.start()
thread.join()
env = gym.make("mmgym/EBNav-v0", image_size=32, map_size=32)
print(int((frame(env) != reference).sum()), int((frame(env) != reference).sum()))
"""


def test_an_env_dropped_on_another_thread_leaves_later_frames_unchanged() -> None:
    """pyglet keeps one current context and GL info per process, EGL one current context per thread: an env
    destroyed on another thread once left the next envs rendering sky only, or without multisampling (a
    fresh env's frame differed from the first's in 288 values). Each env now makes its context current."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", DROPPED_ON_A_THREAD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["0", "0"], done.stdout


def test_envs_alive_at_once_each_render_their_own_rooms() -> None:
    """MiniWorld compiles each env's rooms into display list 1, which every context shares: with several envs
    alive (a run's concurrent episodes), each stepped env rendered the rooms of the env that reset last, so a
    model saw another episode's walls (found by `mmgym export`, whose replay plays one episode at a time)."""
    scenes = [episode.scene for episode in load_subset("base").episodes[:3]]

    def frames(env, scene: Scene) -> list[np.ndarray]:
        first = env.reset(options={"scene": scene})[0]["image"]
        return [first, env.step("Rotate to the left by 90 degrees")[0]["image"], env.render()]

    alone = []
    for scene in scenes:
        env = gym.make(ENV_ID, image_size=64, map_size=64).unwrapped
        alone.append(frames(env, scene))
        env.close()
    together = [gym.make(ENV_ID, image_size=64, map_size=64).unwrapped for _ in scenes]
    firsts = [env.reset(options={"scene": scene})[0]["image"] for env, scene in zip(together, scenes, strict=True)]
    turned = [env.step("Rotate to the left by 90 degrees")[0]["image"] for env in together]
    tops = [env.render() for env in together]
    for i in range(len(scenes)):
        np.testing.assert_array_equal(firsts[i], alone[i][0])
        np.testing.assert_array_equal(turned[i], alone[i][1])
        np.testing.assert_array_equal(tops[i], alone[i][2])
    for env in together:
        env.close()
