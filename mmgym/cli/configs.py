"""The run configs as plug-in commands get them (`mmgym.tasks.plugins.Configs`): composed, checked, built."""

from __future__ import annotations

from typing import Any

from mmgym.cli.catalogue import config_options


class HydraConfigs:
    """Composes mmgym's shipped config with overrides, as `mmgym run` would, without running anything."""

    def compose(self, overrides: list[str]) -> Any:
        from hydra import initialize_config_module

        from mmgym.cli.app import CONFIG_MODULE, compose_job

        with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
            return compose_job(list(overrides))

    def build(self, node: Any, group: str) -> Any:
        from mmgym.cli.build import build_object

        return build_object(node, group)

    def options(self, group: str) -> dict[str, str]:
        return config_options(group)
