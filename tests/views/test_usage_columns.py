"""A person's run (`mmgym play`) shows its time per answer where a model's run shows calls, tokens and cost:
in the table printed after the run and in `mmgym report`'s leaderboard. A model's run shows what it did."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rich.console import Console

from mmgym.agents.human import Answer, HumanAgent
from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.results.summary import RunResults
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.puzzle_sprint import PuzzleSprintSuite
from mmgym.views.report import USAGE_COLUMNS, Run, leaderboard, load_runs, model_usage, write_report
from mmgym.views.table import TIME_COLUMNS, duration, results_table

SECONDS = 2.0  # each of the person's answers


class ExpertDesk:
    """A person who answers every turn with the expert's move, in `SECONDS`."""

    def start_episode(self) -> int:
        return 1

    async def ask(self, context: EpisodeContext, turn: Turn, turn_index: int) -> Answer:
        assert context.expert is not None
        return Answer("action", (await context.expert()).actions[0], SECONDS)


class ExpertModel:
    """A model that replies with the expert's move, at 10 tokens in and 2 out a call."""

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context

    async def act(self, turn: Turn) -> AgentReply:
        assert self.context.expert is not None
        move = (await self.context.expert()).actions[0]
        usage = {"prompt_tokens": 10.0, "completion_tokens": 2.0, "latency_s": 0.5, "cost_usd": 0.001}
        return AgentReply(actions=[move], model_output=f"Action: {move}", parse_path="regex", usage=usage)


def _run(folder: Path, agent: str, factory) -> RunResults:
    results = evaluate(PuzzleSprintSuite(games=["maze"], levels=2), factory, folder, LocalRunner(concurrency=1), False)
    (folder / "config.yaml").write_text(yaml.safe_dump({"agent": {"name": agent}}))
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, RunResults]]:
    root = tmp_path_factory.mktemp("runs")
    played = _run(root / "played", "human-ann", lambda: HumanAgent(ExpertDesk()))  # type: ignore[arg-type]
    other = _run(root / "played-bo", "human-bo", lambda: HumanAgent(ExpertDesk()))  # type: ignore[arg-type]
    model = _run(root / "model", "llm", ExpertModel)
    return {
        "played": (root / "played", played),
        "played-bo": (root / "played-bo", other),
        "model": (root / "model", model),
    }


def _text(results: RunResults) -> str:
    console = Console(record=True, width=200)
    console.print(results_table(results))
    return console.export_text()


def test_a_played_runs_table_says_the_time_per_answer_and_in_all(runs) -> None:
    results = runs["played"][1]
    answers = int(results.usage["model_calls"])
    assert answers > 0 and results.usage["human_seconds"] == SECONDS * answers
    text = _text(results)
    assert f"time: {SECONDS:.1f} s per answer over {answers} answers, {duration(SECONDS * answers)} in all" in text
    assert "token" not in text and "time:" not in _text(runs["model"][1])


def test_a_played_runs_leaderboard_shows_time_per_answer_and_no_token_columns(runs, tmp_path: Path) -> None:
    board = leaderboard(load_runs([runs["played"][0]]))
    assert board["usage"] == list(TIME_COLUMNS) and board["usage_title"] == "time (played by a person)"
    usage = runs["played"][1].usage
    cells = board["rows"][0]["usage"]
    assert cells["s per answer"] == f"{SECONDS:.1f}" and cells["answers"] == str(int(usage["model_calls"]))
    assert cells["total time"] == duration(usage["human_seconds"])
    page = (write_report([runs["played"][0]], tmp_path / "report") / "index.html").read_text()
    assert "s per answer" in page and "tokens in / out" not in page and "model calls" not in page


def test_a_model_runs_leaderboard_keeps_its_model_usage(runs) -> None:
    board = leaderboard(load_runs([runs["model"][0]]))
    assert board["usage"] == list(USAGE_COLUMNS) and board["usage_title"] == "model usage"
    row = board["rows"][0]["usage"]
    assert {column: row[column] for column in USAGE_COLUMNS} == model_usage(runs["model"][1].usage)
    assert row["tokens in / out"] != "0 / 0"


def test_a_model_and_a_person_side_by_side_each_show_their_own_usage(runs) -> None:
    board = leaderboard(load_runs([runs["model"][0], runs["played"][0]]))
    assert board["usage"] == [*USAGE_COLUMNS, *TIME_COLUMNS]
    model, person = (row["usage"] for row in board["rows"])
    assert model["s per answer"] == "" and model["model calls"] != ""
    assert person["tokens in / out"] == "" and person["s per answer"] == f"{SECONDS:.1f}"


def test_a_played_run_summarised_before_human_seconds_is_still_a_persons_by_its_agent_name(runs) -> None:
    path, results = runs["played"]
    older = results.model_copy(update={"usage": {k: v for k, v in results.usage.items() if k != "human_seconds"}})
    board = leaderboard([Run("human-ann", path, older, {"agent": {"name": "human-ann"}})])
    assert board["usage"] == list(TIME_COLUMNS) and board["rows"][0]["usage"]["s per answer"] == f"{SECONDS:.1f}"


@pytest.mark.parametrize(("seconds", "shown"), [(4.4, "4 s"), (185, "3 min 05 s"), (3720, "1 h 02 min")])
def test_durations_read_as_a_person_reads_them(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_several_people_and_a_model_are_rows_of_one_report_and_compared_on_the_same_episodes(runs) -> None:
    from mmgym.views.report import comparisons

    folders = [runs[name][0] for name in ("played", "played-bo", "model")]
    loaded = load_runs(folders)
    assert [row["label"] for row in leaderboard(loaded)["rows"]] == ["human-ann", "human-bo", "llm"]
    overall = [pair for pair in comparisons(loaded) if pair["group"] == "all"]
    expected = {"human-bo minus human-ann", "llm minus human-ann", "llm minus human-bo"}
    assert {pair["pair"] for pair in overall} == expected
    assert all(pair["n"] == 2 and pair["unpaired"] == 0 for pair in overall)  # both levels, matched by episode


@pytest.mark.parametrize("state", ["finished", "running"])
def test_the_live_view_shows_a_played_runs_time_and_a_model_runs_usage(runs, tmp_path: Path, state: str) -> None:
    """`mmgym view`'s API gives a person's run its answers and time (the page shows them in place of model calls,
    tokens and cost), from `results.json` once finished and from the records while it runs."""
    import asyncio
    import shutil

    test_utils = pytest.importorskip("aiohttp.test_utils", reason="mmgym view needs aiohttp")
    from mmgym.views.live_server import make_app

    folders = []
    for name in ("played", "model"):
        folder = runs[name][0]
        if state == "running":  # the records only: no results.json yet
            folder = tmp_path / name
            folder.mkdir()
            shutil.copy(runs[name][0] / "episodes.jsonl", folder / "episodes.jsonl")
        folders.append(folder)

    async def fetch() -> list[dict]:
        async with test_utils.TestClient(test_utils.TestServer(make_app(folders, None))) as client:
            response = await client.get("/api/runs")
            assert response.status == 200
            return (await response.json())["runs"]

    played, model = asyncio.run(fetch())
    answers = int(runs["played"][1].usage["model_calls"])
    assert played["time"] == {"answers": str(answers), "s per answer": f"{SECONDS:.1f}",
                              "total time": duration(SECONDS * answers)}  # fmt: skip
    assert model["time"] is None and model["usage"]["prompt_tokens"] == runs["model"][1].usage["prompt_tokens"]
