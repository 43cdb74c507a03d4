"""`mmgym play` in Chromium, whole episodes of each other action kind: a menu, a single decision, a vector.

Each suite is played through the installed command, each turn answered with the expert's action
(`mmgym run ... agent=oracle` on the same config, into another folder), by mouse in some episodes
and by keyboard in the others; the played run's records and scores are then the expert's. The fixed
set of actions (puzzle_sprint's mazes) is played the same way in test_play.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytest.importorskip("aiohttp", reason="mmgym play needs aiohttp (pip install 'mmgym[openai]')")

from browser_helpers import chromium_path, serving  # noqa: E402
from cli_helpers import cli_command, cli_env  # noqa: E402

from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.results.store import ResultsStore  # noqa: E402

pytestmark = pytest.mark.slow

Answer = Callable[[Any, str, str], None]  # (page, the expert's action, how) -> the action sent from the page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


def expert_run(cwd: Path, overrides: Sequence[str]) -> tuple[dict[str, EpisodeRecord], dict[str, Any]]:
    """`mmgym run OVERRIDES agent=oracle` into cwd/expert: its records by episode id, and its results.json."""
    command = cli_command(["run", *overrides, "agent=oracle", "output_dir=expert"])
    done = subprocess.run(command, cwd=cwd, env=cli_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    results = json.loads((cwd / "expert" / "results.json").read_text())
    return {record.id: record for record in ResultsStore(cwd / "expert").records()}, results


def playing(cwd: Path, overrides: Sequence[str]) -> AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    """`mmgym play OVERRIDES --player ann -o played`, and the URL it printed."""
    return serving(["play", *overrides, "--player", "ann", "-o", "played"], cwd)


def play_as_expert(
    browser: Any, cwd: Path, overrides: Sequence[str], answer: Answer, ways: Sequence[str]
) -> tuple[dict[str, EpisodeRecord], dict[str, EpisodeRecord], dict[str, Any], dict[str, Any]]:
    """The expert's run, then the same config played on the page with its actions, episode i answered
    the way `ways[i % len(ways)]`; the expert's and the played records by id, and both results.json."""
    expert, expert_results = expert_run(cwd, overrides)
    with playing(cwd, overrides) as (process, url):
        page = browser.new_page()
        page.goto(url)
        played: list[str] = []
        for number in range(len(expert)):
            if played:
                playwright.expect(page.locator("#episode-id")).not_to_have_text(played[-1], timeout=10_000)
            playwright.expect(page.locator("#episode-id")).not_to_be_empty(timeout=10_000)
            episode_id = page.locator("#episode-id").text_content()
            assert episode_id in expert and episode_id not in played
            for step, record in enumerate(expert[episode_id].steps):
                playwright.expect(page.locator("#step")).to_have_text(str(step), timeout=10_000)
                answer(page, record.action, ways[number % len(ways)])
            played.append(episode_id)
        playwright.expect(page.locator("#done")).to_be_visible(timeout=10_000)
        assert process.wait(timeout=30) == 0, process.stderr.read()  # type: ignore[union-attr]
    records = {record.id: record for record in ResultsStore(cwd / "played").records()}
    assert set(records) == set(played) == set(expert)
    for episode_id, record in records.items():
        assert [s.action for s in record.steps] == [s.action for s in expert[episode_id].steps], episode_id
        assert [s.valid for s in record.steps] == [s.valid for s in expert[episode_id].steps], episode_id
        assert record.success == expert[episode_id].success and record.status != "error", record.error
        assert record.usage["latency_s"] > 0  # the person's time, where a model's goes
    results = json.loads((cwd / "played" / "results.json").read_text())
    assert (results["episodes"], results["errors"]) == (len(expert), 0)
    return expert, records, expert_results, results


def overall(results: dict[str, Any], metric: str) -> float:
    return results["groups"]["overall"]["all"][metric]["mean"]


def _entry(page: Any, action: str, label: Callable[[int], str]) -> int:
    """The index of the entry on screen that reads `label(i) + action` (the list may change every turn)."""
    entries = page.locator("#controls button").all_text_contents()
    found = [i for i, text in enumerate(entries) if text == f"{label(i)}{action}"]
    assert found, f"{action!r} is not in the list on screen: {entries}"
    return found[0]


def answer_menu(page: Any, action: str, by: str) -> None:
    """Click the numbered option, or press its number."""
    index = _entry(page, action, lambda i: f"[{i + 1}] ")
    if by == "mouse":
        page.get_by_role("button", name=f"[{index + 1}] {action}", exact=True).click()
    else:
        assert index < 9, f"{action!r} is option {index + 1}, past the number keys"
        page.keyboard.press(str(index + 1))


def answer_choice(page: Any, action: str, by: str) -> None:
    """Click the lettered choice, press its letter, or press its number."""
    index = _entry(page, action, lambda i: f"{chr(65 + i)}. ")
    if by == "mouse":
        page.get_by_role("button", name=f"{chr(65 + index)}. {action}", exact=True).click()
    elif by == "letter":
        page.keyboard.press(chr(97 + index))
    else:
        page.keyboard.press(str(index + 1))


def answer_vector(page: Any, action: str, by: str) -> None:
    """Fill the number fields and click Send; or type each over the focused field's value, Tab to the next, Enter."""
    values = json.loads(action)
    inputs = page.locator("#vector-form input")
    playwright.expect(inputs).to_have_count(len(values))
    if by == "mouse":
        for i, value in enumerate(values):
            inputs.nth(i).click()
            inputs.nth(i).fill(str(value))
        page.get_by_role("button", name="Send action", exact=True).click()
        return
    playwright.expect(inputs.first).to_be_focused()
    for i, value in enumerate(values):
        page.keyboard.type(str(value))
        page.keyboard.press("Enter" if i == len(values) - 1 else "Tab")


def test_menu_episodes_played_by_clicks_and_by_number_keys_are_the_experts(browser: Any, tmp_path: Path) -> None:
    overrides = ["suite=embodied_eval", "suite.episodes=1", "suite.subsets=[attribute_qa,spatial_qa]"]
    expert, played, expert_results, results = play_as_expert(
        browser, tmp_path, overrides, answer_menu, ["mouse", "keyboard"]
    )
    for episode_id, record in played.items():
        assert record.metrics == expert[episode_id].metrics and record.success
    for metric in ("success", "goal_condition", "spl", "steps"):
        assert overall(results, metric) == overall(expert_results, metric)


def test_single_decisions_by_clicks_letters_and_numbers_are_the_experts(browser: Any, tmp_path: Path) -> None:
    overrides = ["suite=pca", "suite.items=2", "suite.judge_check=0"]
    expert, played, expert_results, results = play_as_expert(
        browser, tmp_path, overrides, answer_choice, ["mouse", "letter", "number"]
    )
    for episode_id, record in played.items():
        assert record.metrics["action"] == expert[episode_id].metrics["action"] == 100.0
    assert overall(results, "action") == overall(expert_results, "action") == 100.0


def test_vector_episodes_sent_by_click_and_by_enter_are_the_experts(browser: Any, tmp_path: Path) -> None:
    overrides = ["suite=eb_manip", "suite.episodes=1", "suite.subsets=[base,spatial]"]
    expert, played, expert_results, results = play_as_expert(
        browser, tmp_path, overrides, answer_vector, ["mouse", "keyboard"]
    )
    for episode_id, record in played.items():
        assert record.metrics == expert[episode_id].metrics and record.success
    for metric in ("success", "progress", "steps"):
        assert overall(results, metric) == overall(expert_results, metric)
