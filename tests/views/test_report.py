"""`mmgym report` opened from disk in headless Chromium (Debian's, driven by Playwright).

Checks what a reader relies on: the leaderboard's numbers, the filters, an episode's video and
its step timeline, that hostile model output stays text, and that 10,000 episodes stay light.
Screenshots go to test-artifacts/report/ (or $MMGYM_TEST_ARTIFACTS).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

from browser_helpers import chromium_path  # noqa: E402

from mmgym.agents.scripted import OracleAgent, RandomAgent  # noqa: E402
from mmgym.core.agent import AgentReply, EpisodeContext, Turn  # noqa: E402
from mmgym.results.store import ResultsStore  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.runners.recorder import RecordConfig  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402
from mmgym.views.report import write_report  # noqa: E402

pytestmark = pytest.mark.slow

SETTINGS = ["multi_step-image_text-history", "multi_step-text-history"]
HOSTILE_NAME = "<script>window.__pwned = 'label'</script>"
HOSTILE_REPLY = (
    "</script><script>window.__pwned = 'script'</script>"
    '"><img src=x onerror="window.__pwned = \'attribute\'"><svg onload="window.__pwned = \'svg\'"></svg>'
)
ARTIFACTS = Path(os.environ.get("MMGYM_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "report"


class HostileAgent:
    """Answers with markup and script in its reasoning and raw output, as a model might."""

    async def reset(self, context: EpisodeContext) -> None:
        self.actions = context.valid_actions

    async def act(self, turn: Turn) -> AgentReply:
        return AgentReply(actions=[self.actions[0]], reasoning=HOSTILE_REPLY, model_output=HOSTILE_REPLY)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three recorded runs (oracle, random, hostile) and their report."""
    root = tmp_path_factory.mktemp("runs")
    suite = IngvpSuite(games=["maze", "sokoban"], settings=SETTINGS, levels=3, image_size=96, max_steps=12)
    for name, agent in (("oracle", OracleAgent), ("random", RandomAgent)):
        evaluate(suite, agent, root / name, LocalRunner(concurrency=4), False, RecordConfig())
        (root / name / "config.yaml").write_text(yaml.safe_dump({"agent": {"name": name}}))
    hostile = IngvpSuite(games=["maze"], settings=SETTINGS[:1], levels=1, image_size=96, max_steps=3)
    evaluate(hostile, HostileAgent, root / "hostile", LocalRunner(), False, RecordConfig())
    (root / "hostile" / "config.yaml").write_text(yaml.safe_dump({"agent": {"name": HOSTILE_NAME}}))
    return write_report([root / "oracle", root / "random", root / "hostile"], root / "report")


@pytest.fixture(scope="module")
def browser(report: Path) -> Iterator[object]:
    """Chromium, started after the runs exist (Playwright's sync API holds an event loop in this thread)."""
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


@pytest.fixture
def page(browser, report: Path) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.problems = []  # type: ignore[attr-defined]
    opened.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
    opened.on("dialog", lambda dialog: (opened.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    opened.goto((report / "index.html").as_uri())
    yield opened
    context.close()


def results(report: Path, run: str) -> dict:
    return json.loads((report.parent / run / "results.json").read_text())


def test_leaderboard_shows_each_runs_overall_numbers(page, report: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-top.png"), full_page=True)
    rows = page.locator("table.board tbody tr")
    assert rows.count() == 3
    for index, run in enumerate(("oracle", "random", "hostile")):
        overall = results(report, run)["groups"]["overall"]["all"]
        cells = rows.nth(index).locator("td.metric")
        assert cells.nth(0).locator(".mean").inner_text() == f"{overall['accuracy']['mean']:.1f}"
        low, high = overall["accuracy"]["low"], overall["accuracy"]["high"]
        assert cells.nth(0).locator(".ci").inner_text() == f"[{low:.1f}, {high:.1f}]"
    assert rows.nth(0).locator(".mean").first.inner_text() == "100.0"  # the oracle solves everything
    calls = int(results(report, "hostile")["usage"]["model_calls"])
    assert calls == 3 and rows.nth(2).locator("td.usage").first.inner_text() == "3"  # one model call a step
    assert rows.nth(0).locator("td.usage").first.inner_text() == "0"
    assert page.locator("#plots svg").count() == 2  # by game and by setting
    # Beside the overall numbers, the first metric per group of the first breakdown: ING-VP's settings.
    assert "by setting" in page.locator("table.board thead").inner_text()
    for index, run in enumerate(("oracle", "random")):
        by_setting = results(report, run)["groups"]["setting"]
        cells = rows.nth(index).locator("td.group .mean").all_inner_texts()
        assert cells == [f"{by_setting[name]['accuracy']['mean']:.1f}" for name in sorted(SETTINGS)]
    assert rows.nth(0).locator("td.macro").count() == 0  # ING-VP declares no macro means


def test_filters_narrow_the_episode_list(page, report: Path) -> None:
    total = sum(1 for run in ("oracle", "random", "hostile") for _ in ResultsStore(report.parent / run).records())
    assert page.inner_text("#match-count") == f"{total} of {total} episodes"
    assert page.locator("select.group-filter").evaluate_all("els => els.map(e => e.id)") == ["f-setting", "f-game"]
    assert page.locator("table.episodes thead th").nth(3).inner_text() == "setting"
    assert set(page.locator("#episode-rows tr td:nth-child(4)").all_inner_texts()) <= set(SETTINGS)
    page.select_option("#f-game", "sokoban")
    assert page.inner_text("#match-count") == f"12 of {total} episodes"  # 3 levels x 2 settings x 2 runs
    page.select_option("#f-success", "yes")
    outcomes = page.locator("#episode-rows tr td:nth-child(5)").all_inner_texts()
    assert outcomes and set(outcomes) == {"solved"}
    page.select_option("#f-run", "0")
    assert page.inner_text("#match-count") == f"6 of {total} episodes"  # the oracle solved all its sokoban


def test_an_episodes_video_loads_and_follows_its_timeline(page, report: Path) -> None:
    page.select_option("#f-run", "1")
    page.select_option("#f-setting", SETTINGS[0])
    page.locator("#episode-rows tr").first.click()
    page.wait_for_function("document.getElementById('ep-video').readyState >= 1", timeout=15000)
    size = page.evaluate(
        "[document.getElementById('ep-video').videoWidth, document.getElementById('ep-video').videoHeight]"
    )
    assert size == [96, 96]
    items = page.locator("#ep-timeline li")
    episode_id = page.get_attribute("#episode", "data-id")
    record = next(r for r in ResultsStore(report.parent / "random").records() if r.id == episode_id)
    assert items.count() == len(record.steps) + 1
    items.nth(3).click()
    page.wait_for_function("Math.abs(document.getElementById('ep-video').currentTime - 3.5 / 2) < 0.01")
    assert page.inner_text("#ep-step h4").startswith(f"Step 3: {record.steps[2].action}")
    page.evaluate("document.getElementById('ep-video').currentTime = 5.2")  # frame 10: after step 10
    page.wait_for_function("document.querySelector('#ep-timeline li.current').dataset.step === '10'")
    page.screenshot(path=str(ARTIFACTS / "report-episode.png"), full_page=True)
    assert page.problems == []


def test_hostile_model_output_and_config_stay_text(page) -> None:
    assert page.locator("table.board tbody tr").nth(2).locator("td.label").inner_text() == HOSTILE_NAME
    page.select_option("#f-run", "2")
    page.locator("#episode-rows tr").first.click()
    page.locator("#ep-timeline li").nth(1).click()
    assert page.locator("#ep-step pre.reasoning").inner_text() == HOSTILE_REPLY
    assert page.locator("#ep-step pre.model-output").inner_text() == HOSTILE_REPLY
    page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None  # no injected script, handler or attribute ran
    assert page.locator("img, #browser svg, #leaderboard script").count() == 0
    assert page.problems == []


def test_ten_thousand_episodes_stay_light(browser, report: Path, tmp_path: Path) -> None:
    source = report.parent / "random"
    big = tmp_path / "big"
    big.mkdir()
    shutil.copy(source / "results.json", big / "results.json")
    template = next(r for r in ResultsStore(source).records() if r.video is None)
    with (big / "episodes.jsonl").open("w") as out:
        for n in range(10_000):
            out.write(template.model_copy(update={"id": f"{template.id}-{n}"}).model_dump_json() + "\n")
    output = write_report([big], tmp_path / "report")
    assert (output / "index.html").stat().st_size < 100_000  # no episode detail in the page itself
    assert len(list((output / "data" / "episodes").glob("*.js"))) == 10_000
    page = browser.new_page()
    page.goto((output / "index.html").as_uri())
    assert page.inner_text("#match-count") == "10000 of 10000 episodes"
    assert page.locator("#episode-rows tr").count() == 50
    page.click("#next")
    assert page.inner_text("#page") == "page 2 of 200"
    loaded = page.evaluate("document.querySelectorAll('script[src^=\"data/episodes/\"]').length")
    assert loaded == 0  # nothing loaded before an episode is opened
    page.close()


def test_the_index_and_episode_details_carry_each_episodes_groups(report: Path) -> None:
    index_js = (report / "data" / "index.js").read_text()
    index = json.loads(index_js.removeprefix("window.MMGYM_INDEX = ").rstrip().removesuffix(";"))
    assert index["filters"] == ["setting", "game"]
    assert index["columns"][3:5] == ["setting", "game"]
    detail_js = (report / "data" / "episodes" / "0.js").read_text()
    detail = json.loads(detail_js.removeprefix("mmgymEpisode(0, ").rstrip().removesuffix(");"))
    record = next(r for r in ResultsStore(report.parent / "oracle").records() if r.id == detail["id"])
    assert detail["groups"] == record.groups and "setting" not in detail
    assert record.groups["setting"] in SETTINGS and record.groups["game"] in ("maze", "sokoban")
    assert index["rows"][0][3:5] == [record.groups["setting"], record.groups["game"]]
