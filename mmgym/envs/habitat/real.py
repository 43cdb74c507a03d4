"""EB-Habitat on the real simulator: habitat-lab's gym env built from EmbodiedBench's config, as EBHabEnv builds it.

Untested here: habitat-sim installs only through conda (no wheel), so this path cannot run on
mmgym's test machines; it is kept small and follows EBHabEnv line for line where it matters.
It needs habitat-sim 0.3.0 and habitat-lab 0.3.0, EmbodiedBench installed (its config,
LLARP task, measures and episode pickles), and the ReplicaCAD/YCB data in `./data` (EmbodiedBench
links `embodiedbench/envs/eb_habitat/data` there). Episodes are EB-Habitat's own (a subset's
pickle, reached by resetting in order, as EBHabEnv's `start_epi_index` does), not mmgym's frozen
stand-in scenes. Skills are habitat's `pddl_hl_action` list worded by `skills.receptacle_words`,
so mmgym's skill strings map to habitat's action ids as EBHabEnv's `language_skill_set` does.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from mmgym.errors import ConfigError

INSTALL_HINT = (
    "conda install -y habitat-sim==0.3.0 withbullet headless -c conda-forge -c aihabitat; "
    "pip install -e habitat-lab (v0.3.0) and EmbodiedBench, then download the data with "
    "python -m habitat_sim.utils.datasets_download --uids rearrange_task_assets"
)


def check_installed() -> None:
    """One line when habitat or EmbodiedBench is missing, saying what to install."""
    missing = [name for name in ("habitat_sim", "habitat", "embodiedbench") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"simulator=habitat needs {', '.join(missing)}, which is not installed: {INSTALL_HINT}")


def language_skills(action_datas: list[Any]) -> list[str]:
    """habitat's `pddl_hl_action` groundings in EBHabEnv's words (`transform_action_to_natural_language`)."""
    from mmgym.envs.habitat.skills import receptacle_words

    words = []
    for name, args in ((data[0], data[1]) for data in action_datas):
        if "nav" in name:
            words.append(f"navigate to the {receptacle_words(args[0])}")
        elif "pick" in name:
            words.append(f"pick up the {name.split('_')[1]}")
        elif "place" in name:
            words.append(f"place at the {receptacle_words(args[0])}")
        else:
            verb = "open" if "open" in name else "close"
            words.append(f"{verb} the {'refrigerator' if 'fridge' in name else receptacle_words(args[0])}")
    return words


class RealHabitat:
    """The stand-in's interface over habitat: `load(subset, index)`, `reset()`, `step(action_id)`, `skills`."""

    def __init__(self, image_size: int) -> None:
        check_installed()
        if not Path("data/replica_cad").exists():
            raise ConfigError(
                f"simulator=habitat needs EB-Habitat's data in {os.getcwd()}/data: link "
                "EmbodiedBench's embodiedbench/envs/eb_habitat/data there"
            )
        self.image_size = image_size
        self.subset: str | None = None
        self.index = -1
        self._target = 0
        self.env: Any = None
        self.skills: list[str] = []

    def load(self, subset: str, index: int) -> None:
        if subset != self.subset or index <= self.index:
            self._build(subset)
        self._target = index

    def _build(self, subset: str) -> None:
        import habitat
        import hydra
        from embodiedbench.envs.eb_habitat import EBHabEnv as eb  # registers the LLARP task, measures, sensors
        from embodiedbench.envs.eb_habitat.config.default_structured_configs import ThirdRGBSensorConfig
        from habitat.datasets import make_dataset
        from habitat.gym.gym_definitions import _add_sim_sensor_to_config
        from omegaconf import OmegaConf

        if self.env is not None:
            self.env.close()
        hydra.core.global_hydra.GlobalHydra.instance().clear()
        config = habitat.get_config(eb.HABITAT_CONFIG_PATH)
        _add_sim_sensor_to_config(config, ThirdRGBSensorConfig())
        OmegaConf.set_readonly(config, False)
        config.habitat.dataset.data_path = os.path.join(os.path.dirname(eb.__file__), f"datasets/{subset}.pickle")
        sensor = config.habitat.simulator.agents.main_agent.sim_sensors.head_rgb_sensor
        sensor.height = sensor.width = self.image_size
        dataset = make_dataset(config.habitat.dataset.type, config=config.habitat.dataset)
        self.env = habitat.gym.make_gym_from_config(config, dataset)
        self.skills = language_skills(self.env.env.env._env.task.actions["pddl_hl_action"]._action_datas)
        self.subset, self.index = subset, -1

    def reset(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        while True:  # habitat serves its episodes in order
            observation, info = self.env.reset(return_info=True)
            self.index += 1
            if self.index >= self._target:
                return observation, info

    def step(self, action: int) -> tuple[dict[str, np.ndarray], float, bool, dict[str, Any]]:
        return self.env.step(action)

    def render(self) -> np.ndarray:
        return self.env.render("rgb_array")

    def close(self) -> None:
        if self.env is not None:
            self.env.close()
