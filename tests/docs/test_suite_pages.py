"""The documentation site: the suite pages' generated sections, and the whole site building with warnings as errors."""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "docs" / "hooks" / "suite_pages.py"


@pytest.fixture(scope="module")
def hook() -> Iterator[ModuleType]:
    """The MkDocs hook, loaded from its file as MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("suite_pages", HOOK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def build_suite(overrides: list[str]):
    from hydra import compose, initialize_config_module

    from mmgym.cli.build import build_object

    with initialize_config_module("mmgym.conf", version_base=None):
        return build_object(compose("config", overrides=overrides).suite, "suite")


def test_every_shipped_suite_has_a_page_with_its_marker(hook: ModuleType) -> None:
    from mmgym.cli.catalogue import config_options

    marked = {
        match["args"].split()[0]
        for page in (ROOT / "docs").rglob("*.md")
        for match in hook.SUITE_MARKER.finditer(page.read_text())
    }
    assert set(config_options("suite")) <= marked, set(config_options("suite")) - marked
    assert marked <= set(config_options("suite")), marked - set(config_options("suite"))


def test_a_suite_section_is_the_suites_own_declarations(hook: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    suite = build_suite(["suite=eb_nav"])
    with caplog.at_level(logging.WARNING):
        section = hook.suite_section(hook.Marker.parse("eb_nav"))
    assert not caplog.records
    assert f"**Episodes**: {len(suite.specs()):,} with this config." in section
    for metric in suite.metrics:
        assert f"| `{metric.name}` | {metric.scale[0]:g} to {metric.scale[1]:g} |" in section
        assert metric.description in section
    for grouping in suite.groupings():
        assert f"| `{grouping}` | {'yes' if grouping in suite.macro_over else 'no'} |" in section
    assert "**Env `mmgym/EBNav-v0`**" in section
    assert "`Move forward by 0.25`" in section  # the env's own list at reset
    assert f"| {len(suite.specs())} | `plan` | `image` | yes | 20 | no |" in section


def test_a_vector_action_env_is_described_by_its_bounds(hook: ModuleType) -> None:
    section = hook.suite_section(hook.Marker.parse("eb_manip no-env"))
    assert "No env was made" in section
    section = hook.suite_section(hook.Marker.parse("eb_manip"))
    assert "vectors of 7 integers" in section and "0-99, 0-99, 0-99, 0-119, 0-119, 0-119, 0-1" in section


def test_a_suite_that_needs_data_shows_what_its_class_declares(
    hook: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        section = hook.suite_section(hook.Marker.parse("ingvp_paper needs-data"))
    assert not caplog.records
    assert "Needs external data" in section and "suite.data_dir" in section
    assert "| `accuracy` |" in section and "`game/setting`" in section
    # Without the flag, a suite that does not build is a warning (an error under --strict).
    with caplog.at_level(logging.WARNING):
        hook.suite_section(hook.Marker.parse("ingvp_paper"))
    assert any("does not build" in record.getMessage() for record in caplog.records)


def test_a_marker_with_an_unknown_word_is_refused(hook: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown word"):
        hook.Marker.parse("eb_nav standin")
    assert hook.Marker.parse("eb_alfred suite.executable=standin no-env") == hook.Marker(
        "eb_alfred", ("suite.executable=standin",), frozenset({"no-env"})
    )


@pytest.mark.slow
def test_the_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    """What `make docs` runs (CI runs it too): every link, anchor, generated table and docstring page."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    for page in ("index.html", "suites/eb_nav.html", "reference/core.html"):
        assert (tmp_path / "site" / page).exists()
    assert "mmgym/EBNav-v0" in (tmp_path / "site" / "suites" / "eb_nav.html").read_text()
