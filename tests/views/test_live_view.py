"""`mmgym view`: the live report's API on real run folders, and the page in headless Chromium during a real run.

The API tests drive the app in-process (aiohttp's test client): the aggregates of a finished run are its
`results.json`'s; a record appended to `episodes.jsonl` shows up, a half-written line only once whole;
videos are served from the run's `videos/` and nothing else; a server on another address answers only
requests carrying its token. The browser test starts `mmgym run` with a slow agent and `mmgym view` on its
folder, both through the installed command, and times each record from its line landing to its row on the page.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_helpers import chromium_path
from cli_helpers import cli_command, cli_env, only_error_line

from mmgym.agents.scripted import RandomAgent
from mmgym.results.layout import EPISODES_FILE, RESULTS_FILE
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.recorder import RecordConfig
from mmgym.tasks.ingvp.suite import IngvpSuite

aiohttp_test_utils = pytest.importorskip("aiohttp.test_utils", reason="aiohttp is not installed")

from yarl import URL  # noqa: E402

from mmgym.views.live_server import LiveRun, make_app, new_token  # noqa: E402

SETTINGS = ["multi_step-image_text-history", "multi_step-text-history"]
Client = Any  # aiohttp.test_utils.TestClient


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished, recorded run of the random agent: 4 maze episodes in two settings, with videos."""
    run_dir = tmp_path_factory.mktemp("runs") / "random"
    suite = IngvpSuite(games=["maze"], settings=SETTINGS, levels=2, image_size=64, max_steps=6)
    evaluate(suite, RandomAgent, run_dir, LocalRunner(concurrency=4), False, RecordConfig())
    (run_dir / "config.yaml").write_text(yaml.safe_dump({"agent": {"name": "random"}}))
    return run_dir


def with_client(run_dirs: list[Path], check: Callable[[Client], Awaitable[None]], token: str | None = None) -> None:
    """Run `check` against the view's app over `run_dirs`, served on a free local port."""

    async def main() -> None:
        server = aiohttp_test_utils.TestServer(make_app(run_dirs, token))
        async with aiohttp_test_utils.TestClient(server) as client:
            await check(client)

    asyncio.run(main())


async def get_json(client: Client, path: str) -> Any:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return await response.json()


def lines_of(run_dir: Path) -> list[bytes]:
    return (run_dir / EPISODES_FILE).read_bytes().splitlines(keepends=True)


def test_a_finished_runs_aggregates_are_its_results(finished: Path) -> None:
    results = json.loads((finished / RESULTS_FILE).read_text())

    async def check(client: Client) -> None:
        (run,) = (await get_json(client, "/api/runs"))["runs"]
        assert run["finished"] and run["label"] == "random" and run["suite"] == "ingvp"
        assert (run["episodes"], run["errors"]) == (results["episodes"], results["errors"]) == (4, 0)
        assert run["metrics"] == [m["name"] for m in results["metrics"]]
        assert run["overall"] == results["groups"]["overall"]["all"]
        assert run["breakdown"] == "setting" and run["groups"] == results["groups"]["setting"]
        assert run["usage"]["model_calls"] == 0 and run["budget"] == {
            "spent": {"model_calls": 0, "tokens": 0, "cost_usd": 0.0},
            "limits": {},
        }
        assert run["episodes_per_min"] > 0

    with_client([finished], check)


def test_before_results_the_aggregates_come_from_the_records(finished: Path, tmp_path: Path) -> None:
    """A run still going (no results.json): the same means and counts, summarised from its records."""
    running = tmp_path / "running"
    running.mkdir()
    shutil.copy(finished / EPISODES_FILE, running / EPISODES_FILE)
    results = json.loads((finished / RESULTS_FILE).read_text())

    async def check(client: Client) -> None:
        (run,) = (await get_json(client, "/api/runs"))["runs"]
        assert not run["finished"] and run["label"] == "running"  # no config yet: the folder's name
        assert run["metrics"] == [m["name"] for m in results["metrics"]]
        for metric, stat in results["groups"]["overall"]["all"].items():
            assert run["overall"][metric]["mean"] == pytest.approx(stat["mean"])
            assert run["overall"][metric]["n"] == stat["n"]
        assert set(run["groups"]) == set(results["groups"]["setting"])

    with_client([running], check)


def test_an_appended_record_appears_and_a_partial_line_waits(finished: Path, tmp_path: Path) -> None:
    growing = tmp_path / "growing"
    growing.mkdir()  # not a run yet: allowed, and empty
    first, second, *_ = lines_of(finished)
    episodes = growing / EPISODES_FILE

    async def check(client: Client) -> None:
        assert (await get_json(client, "/api/episodes?run=0&after=0"))["rows"] == []
        assert (await get_json(client, "/api/runs"))["runs"][0]["episodes"] == 0
        episodes.write_bytes(first)
        page = await get_json(client, "/api/episodes?run=0&after=0")
        assert [row["id"] for row in page["rows"]] == [json.loads(first)["id"]] and page["next"] == 1
        with episodes.open("ab") as f:
            f.write(second[:100])  # a line still being written
        assert (await get_json(client, "/api/episodes?run=0&after=1"))["rows"] == []
        assert (await get_json(client, "/api/runs"))["runs"][0]["episodes"] == 1
        with episodes.open("ab") as f:
            f.write(second[100:])
        rows = (await get_json(client, "/api/episodes?run=0&after=1"))["rows"]
        assert [(row["n"], row["id"]) for row in rows] == [(1, json.loads(second)["id"])]
        assert rows[0]["groups"] == {"setting": json.loads(second)["groups"]["setting"], "game": "maze"}
        assert (await get_json(client, "/api/runs"))["runs"][0]["episodes"] == 2
        detail = await get_json(client, "/api/episode/0/1")
        assert detail["id"] == json.loads(second)["id"] and len(detail["steps"]) == len(json.loads(second)["steps"])
        assert (await client.get("/api/episode/0/2")).status == 404
        replacement = growing / "episodes.new"  # `mmgym doctor --quarantine` rewrites the file: it is read anew
        replacement.write_bytes(second)
        replacement.replace(episodes)
        page = await get_json(client, "/api/episodes?run=0&after=2")
        assert page["rows"] == [] and page["next"] == 1  # fewer than the page has: it asks again from 0
        assert [row["id"] for row in (await get_json(client, "/api/episodes?run=0&after=0"))["rows"]] == [
            json.loads(second)["id"]
        ]

    with_client([growing], check)


TRAVERSALS = (
    "/video/0/../config.yaml",
    "/video/0/%2e%2e/config.yaml",
    "/video/0/..%2Fconfig.yaml",
    "/video/0/%2Fetc%2Fpasswd",
    "/video/0/out.mp4",  # a link to ../config.yaml
    "/video/1/x.mp4",  # no such run
)


def test_videos_are_served_from_the_runs_videos_folder_only(finished: Path, tmp_path: Path) -> None:
    (finished / "videos" / "out.mp4").unlink(missing_ok=True)
    (finished / "videos" / "out.mp4").symlink_to(finished / "config.yaml")  # a link out of videos/

    async def check(client: Client) -> None:
        rows = (await get_json(client, "/api/episodes?run=0&after=0"))["rows"]
        n = next(row["n"] for row in rows if row["video"])
        src = (await get_json(client, f"/api/episode/0/{n}"))["video"]["src"]
        response = await client.get("/" + src)
        assert response.status == 200 and response.content_type == "video/mp4"
        assert (await response.read())[4:8] == b"ftyp"
        root = str(client.make_url("/")).rstrip("/")
        for path in TRAVERSALS:
            raw = URL(root + path, encoded=True)
            response = await client.session.get(raw)
            assert response.status == 404, path

    run = LiveRun(finished, 0)
    assert run.video_file("../config.yaml") is None and run.video_file("/etc/passwd") is None

    try:
        with_client([finished], check)
    finally:
        (finished / "videos" / "out.mp4").unlink()


def test_another_address_needs_the_token_and_a_local_one_a_local_host(finished: Path) -> None:
    assert new_token("127.0.0.1") is None and new_token("localhost") is None
    token = new_token("0.0.0.0")
    assert token is not None and len(token) >= 32 and new_token("0.0.0.0") != token

    async def with_token(client: Client) -> None:
        for path in ("/", "/api/runs", "/api/episodes?run=0", "/assets/live.js", "/api/episode/0/0"):
            assert (await client.get(path)).status == 403, path
            assert (await client.get(path + ("&" if "?" in path else "?") + "token=wrong")).status == 403, path
            assert (await client.get(path + ("&" if "?" in path else "?") + f"token={token}")).status == 200, path
        assert (await client.get("/api/runs?token=%C3%A9t%C3%A9")).status == 403  # not ASCII: refused, not a crash
        page = await (await client.get(f"/?token={token}")).text()
        assert f'src="assets/live.js?token={token}"' in page

    with_client([finished], with_token, token)

    async def local(client: Client) -> None:
        response = await client.get("/api/runs")
        assert response.status == 200 and "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert (await client.get("/api/runs", headers={"Host": "attacker.example"})).status == 403  # DNS rebinding

    with_client([finished], local)


def test_a_missing_folder_or_a_taken_port_is_one_line(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    line = only_error_line(run_cli(["view", "nowhere"], tmp_path))
    assert line == "mmgym: error: nowhere is not a folder; pass run directories (output_dir of mmgym run)"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = only_error_line(run_cli(["view", ".", "--port", str(port)], tmp_path))
    assert line.startswith(f"mmgym: error: cannot listen on 127.0.0.1:{port}: ") and "in use" in line


# The browser test: a real run, slowed down, watched through `mmgym view`.

SLOW_AGENT = '''
import asyncio

from mmgym.agents.scripted import ExpertAgent
from mmgym.core.agent import AgentReply

HOSTILE = "</script><img src=x onerror=\\"window.__pwned = 1\\">"


class SlowExpert(ExpertAgent):
    """The expert, waiting `delay_s` before each episode, so that records land one at a time; hostile reasoning."""

    def __init__(self, delay_s: float = 1.0) -> None:
        self.delay_s = delay_s

    async def reset(self, context):
        await asyncio.sleep(self.delay_s)
        await super().reset(context)

    async def act(self, turn):
        reply = await super().act(turn)
        return AgentReply(actions=reply.actions, reasoning=HOSTILE)
'''
RUN = ["run", "suite=puzzle_sprint", "suite.levels=2", "runner.concurrency=1", "record.video=false", "progress=false"]
RUN += [
    "agent=custom",
    "agent._target_=slow_agent.SlowExpert",
    "+agent.delay_s=1.0",
    "agent.name=slow",
    "output_dir=run",
]
EPISODES = 4  # puzzle_sprint, suite.levels=2: two mazes, two Sokoban levels
LANDING_LIMIT_S = 2.0
ARTIFACTS = Path(os.environ.get("MMGYM_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "view"


def printed_url(view: subprocess.Popen[str], timeout: float = 30) -> str:
    """The URL `mmgym view` prints once it listens."""
    assert view.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(view.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"mmgym view printed no URL in {timeout} s")
    line = view.stdout.readline()
    assert line.startswith("mmgym view: 1 run at http://127.0.0.1:"), line
    return line.split(" at ", 1)[1].split(" ", 1)[0]


def whole_lines(path: Path) -> list[bytes]:
    if not path.exists():
        return []
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1].splitlines()


@pytest.mark.slow
def test_the_page_shows_each_record_within_two_seconds_during_a_real_run(
    tmp_path: Path, cli_popen: Callable[..., subprocess.Popen[Any]]
) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    (tmp_path / "slow_agent.py").write_text(SLOW_AGENT)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    view = subprocess.Popen(
        cli_command(["view", "run"]), cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, text=True
    )
    run = None
    try:
        url = printed_url(view)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium_path())
            page = browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(url)
            page.locator("#status", has_text="updated").wait_for()  # (no wait_for_function: the page's CSP bars eval)
            assert page.locator("#episode-rows tr").count() == 0
            run = cli_popen(RUN, tmp_path)
            delays = watch_records(page, run_dir / EPISODES_FILE, run)
            assert run.wait(timeout=30) == 0, run.stderr.read() if run.stderr else ""
            assert len(delays) == EPISODES and max(delays) < LANDING_LIMIT_S, delays
            page.wait_for_selector(".run .state.finished", timeout=5000)
            assert page.inner_text(".run [data-key=episodes] .value") == str(EPISODES)
            page.locator("#episode-rows tr").last.click()  # the first episode: open its replay
            page.wait_for_selector("#episode:not([hidden]) #ep-timeline li >> nth=1")
            page.locator("#ep-timeline li").nth(1).click()
            assert "onerror" in page.inner_text("#ep-step pre.reasoning")  # shown as text
            assert page.evaluate("window.__pwned") is None and page.locator("#ep-step img").count() == 0
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "view-finished-run.png"), full_page=True)
            assert problems == []
            browser.close()
        view.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
        assert view.wait(timeout=10) == 0
    finally:
        for process in (run, view):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def watch_records(page: Any, episodes: Path, run: subprocess.Popen[Any]) -> list[float]:
    """Each new record's delay from its line landing in `episodes` to its row on the page, until the run ends."""
    delays: list[float] = []
    seen = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = whole_lines(episodes)
        if len(lines) > seen:
            landed = time.monotonic()
            for line in lines[seen:]:
                row = f'#episode-rows tr[data-id="{json.loads(line)["id"]}"]'
                page.wait_for_selector(row, timeout=LANDING_LIMIT_S * 1000 * 2)
                delays.append(time.monotonic() - landed)
            seen = len(lines)
        elif run.poll() is not None:
            return delays
        time.sleep(0.01)
    return delays
