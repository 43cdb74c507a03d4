"""Building components from config dicts: one clear line for every kind of bad input."""

from __future__ import annotations

import pytest

from mmgym.construct import factory_from_dict
from mmgym.errors import ConfigError

RAY = "mmgym.runners.ray.runner.RayRunner"


@pytest.mark.parametrize(
    ("data", "start", "end"),
    [
        ({"env_workers": -3}, "runner.env_workers: ", " (got -3)"),
        ({"env_workers": "many"}, "runner.env_workers: ", " (got 'many')"),
        ({"model_actor": "yes"}, "runner.model_actor: ", " (got 'yes')"),
        ({"workers": 2}, "unknown key runner.workers; valid keys: address, concurrency, env_worker_cpus", ""),
    ],
)
def test_bad_runner_config_is_one_line_naming_key_and_valid_values(data: dict, start: str, end: str) -> None:
    """The key and the bad value are mmgym's; the reason between them is pydantic's, whose wording is not ours."""
    with pytest.raises(ConfigError) as caught:
        factory_from_dict({"_target_": RAY, **data}, "runner")()
    message = str(caught.value)
    assert message.startswith(start) and message.endswith(end) and "\n" not in message
    assert len(message) > len(start) + len(end)  # a reason in between


def test_a_literal_setting_names_its_valid_values() -> None:
    with pytest.raises(ConfigError) as caught:
        factory_from_dict({"_target_": RAY, "model_actor": "yes"}, "runner")()
    assert all(f"'{value}'" in str(caught.value) for value in ("auto", "always", "never"))


def test_a_target_that_cannot_be_imported_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"^runner._target_ 'mmgym.nowhere.Runner' cannot be imported"):
        factory_from_dict({"_target_": "mmgym.nowhere.Runner"}, "runner")


def test_valid_config_builds_the_object() -> None:
    runner = factory_from_dict({"_target_": RAY, "env_workers": 0, "concurrency": 8}, "runner")()
    assert (runner.env_workers, runner.concurrency, runner.name) == (0, 8, "ray")
