"""Every shipped suite still plans exactly the episodes it did: the digest of its spec ids is pinned.

A spec's id hashes the whole spec (env, kwargs, reset options, rules, metadata), so moving code
between modules must leave these digests as they are. A change that means to alter a suite's
episodes updates the file: `python tests/tasks/test_spec_digests.py --update`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from mmgym.cli.build import build_object

DIGESTS = Path(__file__).with_name("spec_digests.json")


def spec_digest(overrides: list[str]) -> dict[str, object]:
    """How many episodes the suite config plans and the sha256 of their ids, in the suite's order."""
    with initialize_config_module("mmgym.conf", version_base=None):
        specs = build_object(compose("config", overrides=overrides).suite, "suite").specs()
    ids = "\n".join(spec.id for spec in specs)
    return {"episodes": len(specs), "sha256": hashlib.sha256(ids.encode()).hexdigest()}


def overrides_of(key: str) -> list[str]:
    suite, *rest = key.split()
    return [f"suite={suite}", *rest]


@pytest.mark.parametrize("key", sorted(json.loads(DIGESTS.read_text())))
def test_a_suites_episodes_are_unchanged(key: str) -> None:
    assert spec_digest(overrides_of(key)) == json.loads(DIGESTS.read_text())[key]


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    pinned = json.loads(DIGESTS.read_text())
    digests = {key: spec_digest(overrides_of(key)) for key in pinned}
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
