"""`mmgym play` in Chromium: whole episodes by mouse and by keyboard, a closed tab, hostile text, the token.

The episodes are puzzle_sprint's mazes played through the installed command, checked against the
expert's play of the same levels; the other action kinds and hostile text go through the page's
server in this process, with a desk that asks one made-up turn.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytest.importorskip("aiohttp", reason="mmgym play needs aiohttp (pip install 'mmgym[openai]')")

from browser_helpers import chromium_path, serving  # noqa: E402
from cli_helpers import cli_command, cli_env, only_error_line  # noqa: E402

from mmgym.agents.human import Answer, Desk  # noqa: E402
from mmgym.agents.scripted import OracleAgent  # noqa: E402
from mmgym.core.agent import EpisodeContext, StepView, Turn  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.core.spec import PlayRules  # noqa: E402
from mmgym.results.store import ResultsStore  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.tasks.puzzle_sprint import PuzzleSprintSuite  # noqa: E402
from mmgym.views.play_server import PlayServer  # noqa: E402

pytestmark = pytest.mark.slow

KEYS = {"up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight"}
HOSTILE = "</pre><script>window.__pwned = 'script'</script><img src=x onerror=\"window.__pwned = 'img'\">"
RUN = Path("runs/puzzle_sprint-human-ann")
EXPERT_RUN: list[Path] = []  # the expert fixture's run folder


@pytest.fixture(scope="module")
def browser(expert: dict[str, EpisodeRecord]) -> Iterator[Any]:
    """Chromium, started after the expert's run (Playwright's sync API holds an event loop in this thread)."""
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def expert(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EpisodeRecord]:
    """The expert's play of the first two maze levels, by episode id."""
    run_dir = tmp_path_factory.mktemp("oracle")
    evaluate(PuzzleSprintSuite(games=["maze"], levels=2), OracleAgent, run_dir, LocalRunner(concurrency=1), False)
    (run_dir / "config.yaml").write_text(yaml.safe_dump({"agent": {"name": "oracle"}}))
    EXPERT_RUN.append(run_dir)
    return {record.id: record for record in ResultsStore(run_dir).records()}


def playing(cwd: Path, *args: str, player: str = "ann") -> AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    """`mmgym play suite=puzzle_sprint suite.games=[maze] ARGS --player PLAYER`, and the URL it printed."""
    return serving(["play", "suite=puzzle_sprint", "suite.games=[maze]", *args, "--player", player], cwd)


def _move(page: Any, action: str, step: int, by: str) -> None:
    if by == "mouse":
        page.get_by_role("button", name=action, exact=True).click()
    else:
        page.keyboard.press(KEYS[action])
    playwright.expect(page.locator("#step")).to_have_text(str(step), timeout=5000)


def _play_episode(page: Any, expert: dict[str, EpisodeRecord], by: str) -> str:
    """Play the episode on screen with the expert's moves; returns its id."""
    playwright.expect(page.locator("#episode-id")).not_to_be_empty(timeout=10_000)
    episode_id = page.locator("#episode-id").text_content()
    moves = [step.action for step in expert[episode_id].steps]
    for number, action in enumerate(moves[:-1], start=1):
        _move(page, action, number, by)
    last = moves[-1]
    page.get_by_role("button", name=last, exact=True).click() if by == "mouse" else page.keyboard.press(KEYS[last])
    return episode_id


def test_two_levels_played_by_mouse_then_keyboard_are_the_experts_records(
    browser: Any, expert: dict[str, EpisodeRecord], tmp_path: Path
) -> None:
    with playing(tmp_path, "suite.levels=2") as (process, url):
        page = browser.new_page()
        page.goto(url)
        playwright.expect(page.locator("#text")).to_contain_text("P")  # the maze as text, as the agent sees it
        playwright.expect(page.locator("#image")).to_be_hidden()  # puzzle_sprint shows no image
        first = _play_episode(page, expert, "mouse")
        playwright.expect(page.locator("#episode-id")).not_to_have_text(first, timeout=10_000)
        second = _play_episode(page, expert, "keyboard")
        playwright.expect(page.locator("#done")).to_be_visible(timeout=10_000)
        assert process.wait(timeout=20) == 0, process.stderr.read()  # type: ignore[union-attr]
        answers = sum(len(record.steps) for record in expert.values())
        assert f"s per answer over {answers} answers" in process.stdout.read()  # type: ignore[union-attr]
    records = {r.id: r for r in ResultsStore(tmp_path / RUN).records()}
    assert set(records) == {first, second} == set(expert)
    for episode_id, record in records.items():
        assert [s.action for s in record.steps] == [s.action for s in expert[episode_id].steps]
        assert record.metrics == expert[episode_id].metrics and record.success
        assert record.usage["latency_s"] > 0  # the person's time per step, where a model's goes
    config = yaml.safe_load((tmp_path / RUN / "config.yaml").read_text())
    assert config["agent"]["name"] == "human-ann"
    results = json.loads((tmp_path / RUN / "results.json").read_text())
    assert (results["episodes"], results["errors"]) == (2, 0)
    commands = (["compare", str(EXPERT_RUN[0]), str(RUN)], ["replay", str(RUN)], ["report", str(RUN), "-o", "report"])
    for command in commands:  # the run is read as any run
        done = subprocess.run(cli_command(command), cwd=tmp_path, env=cli_env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "human-ann" in (tmp_path / "report" / "index.html").read_text()


def test_a_closed_tab_finds_the_same_turn_and_a_stopped_run_resumes_at_the_unfinished_episode(
    browser: Any, expert: dict[str, EpisodeRecord], tmp_path: Path
) -> None:
    with playing(tmp_path, "suite.levels=2") as (process, url):
        page = browser.new_page()
        page.goto(url)
        first = _play_episode(page, expert, "mouse")
        playwright.expect(page.locator("#episode-id")).not_to_have_text(first, timeout=10_000)
        second = page.locator("#episode-id").text_content()
        page.get_by_role("button", name="down", exact=True).click()
        playwright.expect(page.locator("#step")).to_have_text("1")
        page.keyboard.press("ArrowRight")
        playwright.expect(page.locator("#step")).to_have_text("2")
        board = page.locator("#text").text_content()
        page.close()
        again = browser.new_page()
        again.goto(url)
        playwright.expect(again.locator("#step")).to_have_text("2", timeout=10_000)
        assert again.locator("#text").text_content() == board
        assert again.locator("#history li").count() == 2
        playwright.expect(again.locator("#progress")).to_have_text("episode 2 of 2")
        again.close()
        process.send_signal(signal.SIGINT)  # Ctrl-C mid-episode: the finished one is kept
        assert process.wait(timeout=20) == 130
        assert "interrupted" in process.stderr.read()  # type: ignore[union-attr]
    assert [record.id for record in ResultsStore(tmp_path / RUN).records()] == [first]
    with playing(tmp_path, "suite.levels=2") as (process, url):
        page = browser.new_page()
        page.goto(url)
        playwright.expect(page.locator("#progress")).to_have_text("episode 1 of 1", timeout=10_000)
        playwright.expect(page.locator("#episode-id")).to_have_text(second)
        playwright.expect(page.locator("#step")).to_have_text("0")  # the unfinished episode, from its start


def test_two_people_play_the_same_suite_at_once_into_their_own_runs(browser: Any, tmp_path: Path) -> None:
    with (
        playing(tmp_path, "suite.levels=1") as (ann, ann_url),
        playing(tmp_path, "suite.levels=1", player="bo") as (bo, bo_url),
    ):
        assert ann_url != bo_url
        pages = {url: browser.new_page() for url in (ann_url, bo_url)}
        for url, page in pages.items():
            page.goto(url)
            playwright.expect(page.locator("#step")).to_have_text("0", timeout=10_000)
        pages[ann_url].keyboard.press("ArrowDown")
        playwright.expect(pages[ann_url].locator("#step")).to_have_text("1")
        pages[bo_url].reload()
        playwright.expect(pages[bo_url].locator("#step")).to_have_text("0", timeout=10_000)  # its own episode
        assert ann.poll() is None and bo.poll() is None
        for player in ("ann", "bo"):
            config = yaml.safe_load((tmp_path / f"runs/puzzle_sprint-human-{player}/config.yaml").read_text())
            assert config["agent"]["name"] == f"human-{player}"


class Asking:
    """A desk asking one turn on a thread of its own (as the episode loop would), and the server over it."""

    def __init__(self, context: EpisodeContext, turn: Turn, host: str = "127.0.0.1") -> None:
        self.desk = Desk(total=1)
        self.desk.start_episode()
        self.answer: Answer | None = None
        self.server = PlayServer(self.desk, host=host)
        self.url = self.server.start()
        self.thread = threading.Thread(target=lambda: setattr(self, "answer", asyncio.run(self._ask(context, turn))))
        self.thread.start()

    async def _ask(self, context: EpisodeContext, turn: Turn) -> Answer:
        return await self.desk.ask(context, turn, 0)

    def result(self) -> Answer:
        self.thread.join(timeout=10)
        self.server.stop()
        assert self.answer is not None
        return self.answer


def _context(rules: PlayRules, actions: tuple[str, ...] = (), vector: tuple[tuple[int, int], ...] = ()) -> Any:
    return EpisodeContext("test/0", "test/Env-v0", 0, rules, "the rules", "an action", actions, vector)


def test_hostile_env_text_shows_as_text_and_runs_nothing(browser: Any) -> None:
    rules = PlayRules(actions_per_reply="one", observation="image_text", max_steps=5)
    turn = Turn(
        {"instruction": HOSTILE, "text": HOSTILE, "image": np.zeros((8, 8, 3), np.uint8)},
        {"feedback": HOSTILE},
        (StepView(0, HOSTILE, False, HOSTILE),),
    )
    asking = Asking(_context(rules, (HOSTILE, "wait")), turn)
    page = browser.new_page()
    page.goto(asking.url)
    for element in ("#instruction", "#text", "#feedback"):
        playwright.expect(page.locator(element)).to_have_text(HOSTILE, timeout=10_000)
    playwright.expect(page.locator("#image")).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#controls img, #controls script, main script").count() == 0
    page.get_by_role("button", name=HOSTILE, exact=True).click()
    assert asking.result() == Answer("action", HOSTILE, asking.answer.seconds)  # type: ignore[union-attr]
    assert page.evaluate("window.__pwned") is None


NAVIGATION = ("Move forward by 0.25", "Rotate to the right by 90 degrees", "Rotate to the left by 90 degrees")
ONE = PlayRules(actions_per_reply="one")


@pytest.mark.parametrize(
    ("actions", "rules", "info", "press", "expected"),
    [
        (("turn left",), ONE, {"candidate_actions": ["turn left", "pick up the kit"]}, "2", "pick up the kit"),
        (("Speed up", "Slow down"), PlayRules(actions_per_reply="one", max_steps=1, single_reply=True), {}, "2",
         "Slow down"),
        (("Speed up", "Slow down"), PlayRules(actions_per_reply="one", max_steps=1, single_reply=True), {}, "b",
         "Slow down"),
        (NAVIGATION, ONE, {}, "ArrowLeft", "Rotate to the left by 90 degrees"),
        (NAVIGATION, ONE, {}, "ArrowUp", "Move forward by 0.25"),
    ],
    ids=["menu", "choice-number", "choice-letter", "navigation-left", "navigation-up"],
)  # fmt: skip
def test_menus_choices_and_navigation_answer_by_keys(
    browser: Any, actions: tuple[str, ...], rules: PlayRules, info: dict[str, Any], press: str, expected: str
) -> None:
    asking = Asking(_context(rules, actions), Turn({"instruction": "go"}, info))
    page = browser.new_page()
    page.goto(asking.url)
    playwright.expect(page.locator("#controls button").first).to_be_visible(timeout=10_000)
    page.keyboard.press(press)
    assert asking.result().text == expected and asking.answer.kind == "action"  # type: ignore[union-attr]


def test_a_solution_is_gathered_by_keys_and_clicks_then_sent_as_one_reply(browser: Any) -> None:
    rules = PlayRules(actions_per_reply="solution", single_reply=True, max_steps=20)
    asking = Asking(_context(rules, ("up", "down", "left", "right")), Turn({"instruction": "solve"}, {}))
    page = browser.new_page()
    page.goto(asking.url)
    playwright.expect(page.locator("#controls button").first).to_be_visible(timeout=10_000)
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "Backspace"):
        page.keyboard.press(key)
    page.get_by_role("button", name="up", exact=True).click()
    playwright.expect(page.locator("#plan li")).to_have_text(["right", "right", "up"])
    page.keyboard.press("Enter")
    answer = asking.result()
    assert answer.kind == "text" and json.loads(answer.text) == {"actions": ["right", "right", "up"]}


def test_a_vector_action_is_a_form_within_the_bounds_and_text_goes_to_the_parser(browser: Any) -> None:
    rules = PlayRules(actions_per_reply="plan", observation="text")
    context = _context(rules, vector=((0, 99), (0, 1)))
    asking = Asking(context, Turn({"instruction": "grasp", "text": "pose"}, {}))
    page = browser.new_page()
    page.goto(asking.url)
    inputs = page.locator("#vector-form input")
    playwright.expect(inputs).to_have_count(2, timeout=10_000)
    inputs.nth(0).fill("57")
    inputs.nth(1).fill("1")
    page.get_by_role("button", name="Send action").click()
    assert asking.result() == Answer("action", "[57, 1]", asking.answer.seconds)  # type: ignore[union-attr]

    typed = Asking(context, Turn({"instruction": "grasp", "text": "pose"}, {}))
    page.goto(typed.url)
    page.locator("#reply").fill("Action: [3, 0]")
    page.keyboard.press("Enter")
    assert typed.result().kind == "text" and typed.answer.text == "Action: [3, 0]"  # type: ignore[union-attr]


def test_another_address_needs_the_token_the_url_carries() -> None:
    asking = Asking(_context(PlayRules(), ("a",)), Turn({"instruction": "go"}, {}), host="0.0.0.0")
    try:
        assert "?token=" in asking.url
        bare = asking.url.split("?")[0].replace("0.0.0.0", "127.0.0.1")
        for path in ("", "state", "assets/play.js"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(bare + path + "?token=wrong", timeout=5)
            assert refused.value.code == 403
        token = asking.url.split("?")[1]
        with urllib.request.urlopen(f"{bare}state?{token}", timeout=5) as response:
            number = json.load(response)["question"]["number"]
        request = urllib.request.Request(
            f"{bare}act?{token}", json.dumps({"number": number, "kind": "action", "text": "a"}).encode(), method="POST"
        )
        urllib.request.urlopen(request, timeout=5).close()
    finally:
        assert asking.result().text == "a"


def test_a_bad_player_name_a_missing_suite_or_a_taken_port_is_one_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cli_command(["play", *args]), cwd=tmp_path, env=cli_env(), capture_output=True, text=True)

    assert "--player" in only_error_line(run("suite=puzzle_sprint", "--player", "../x"))
    assert "suite=" in only_error_line(run("suite.levels=1"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert f"cannot serve on 127.0.0.1:{port}" in only_error_line(run("suite=puzzle_sprint", "--port", port))
    assert not (tmp_path / "runs").exists()
