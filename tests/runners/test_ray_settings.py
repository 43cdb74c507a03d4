"""A local Ray instance started by mmgym gets mmgym's settings through Ray's public environment variables."""

from __future__ import annotations

import os

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")

from mmgym.runners.ray.runner import LOCAL_RAY_SETTINGS, ray_session  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]


def test_a_local_instance_passes_its_settings_to_ray_through_the_environment() -> None:
    @ray.remote
    def settings_seen() -> dict[str, str | None]:
        return {name: os.environ.get(name) for name in LOCAL_RAY_SETTINGS}

    assert not ray.is_initialized()  # mmgym starts the instance here, not a test fixture
    with ray_session(None, num_cpus=1, log_to_driver=False):
        assert ray.get(settings_seen.remote()) == LOCAL_RAY_SETTINGS  # the workers Ray starts read them
    assert not set(LOCAL_RAY_SETTINGS) & set(os.environ)  # the driver's environment is as it was
