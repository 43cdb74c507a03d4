"""Suite configs live in their benchmark's package, say only what differs from the code's defaults, and
still offer every field as an override."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf
from pydantic import BaseModel

from mmgym.cli.catalogue import config_options
from mmgym.construct import locate
from mmgym.tasks import configs
from mmgym.tasks.configs import defaults_list_keys, field_defaults
from mmgym.tasks.plugins import Benchmark

FILES = configs.config_files()


@pytest.mark.parametrize("key", sorted(FILES), ids=lambda key: f"{key[0]}={key[1]}")
def test_a_config_file_sets_only_what_differs_from_its_targets_defaults(key: tuple[str, str]) -> None:
    config = FILES[key]
    data = OmegaConf.to_container(OmegaConf.load(config.path), resolve=False)
    assert config.description, f"{config.path}: the first line is a '# name: description' comment"
    if "_target_" not in data:  # a variant of another config (pca_loop of pca) names what it changes
        assert data.get("defaults"), f"{config.path}: no _target_ and no config it extends"
        return
    target = locate(data["_target_"], "suite")
    assert issubclass(target, BaseModel)
    defaults = field_defaults(target)
    repeated = [k for k, v in data.items() if k in defaults and defaults[k] == v]
    assert repeated == [], f"{config.path} repeats the code's defaults for {repeated}"


@pytest.mark.parametrize("suite", config_options("suite"))
def test_every_field_of_a_suite_is_in_its_composed_config(suite: str) -> None:
    with initialize_config_module("mmgym.conf", version_base=None):
        node = compose("config", overrides=[f"suite={suite}"]).suite
    target = locate(node._target_, "suite")
    assert set(target.model_fields) <= set(node), "every field can be overridden as suite.<field>=..."


def test_a_config_file_outside_the_suite_groups_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "mine.yaml").write_text("# mine: x\n_target_: x.Y\n")
    monkeypatch.setattr(configs, "benchmarks", lambda: (Benchmark(name="mine", configs=tmp_path),))
    configs.config_files.cache_clear()
    try:
        with pytest.raises(ValueError, match="benchmark configs go under suite/"):
            configs.config_files()
    finally:
        monkeypatch.undo()
        configs.config_files.cache_clear()


def test_the_keys_a_defaults_list_fills_are_left_to_it() -> None:
    assert defaults_list_keys(["_self_", "pca", {"judge": "lexical"}, {"/model@model": "hf"}]) == {"judge", "model"}
