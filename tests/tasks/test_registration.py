"""`import mmgym` registers the envs benchmark packages bring (`mmgym.tasks.registration`), and loads none of them."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys, gymnasium as gym, mmgym
from mmgym.envs.fingerprints import FAMILIES
print(gym.spec("mmgym/PCA-v0").entry_point, gym.spec("mmgym/EmbodiedEval-v0").entry_point)
print(FAMILIES["pca"], FAMILIES["embodied_eval"])
heavy = ("pydantic", "minigrid", "miniworld", "mmgym.tasks.plugins", "mmgym.tasks.pca.suite", "mmgym.tasks.pca.env.env",
         "mmgym.tasks.embodied_eval.suite", "mmgym.tasks.embodied_eval.env.env")
print(sorted(name for name in heavy if name in sys.modules))
"""


def test_import_mmgym_registers_the_benchmarks_envs_by_entry_point_only() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], check=True, capture_output=True, text=True, timeout=60).stdout
    specs, families, loaded = out.splitlines()
    assert specs == "mmgym.tasks.pca.env.env:PCAEnv mmgym.tasks.embodied_eval.env.env:EmbodiedEvalEnv"
    assert families == "mmgym.tasks.pca.env.frozen mmgym.tasks.embodied_eval.env.frozen"
    assert loaded == "[]"
