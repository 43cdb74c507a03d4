"""Every suite in the catalogue is playable with `mmgym play`: its first turn reaches the page's server
with the controls its action space needs, and one valid answer from those controls takes a step.

Played through the server's HTTP endpoints in this process (no browser): the suite built as
`mmgym play` builds it, at a tiny size, the human agent's episodes on a thread of their own; the rest
of its episodes are then answered the same way to their end, and each is stored as a record. A suite
added to the catalogue without a size and a control kind here fails.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aiohttp", reason="mmgym play needs aiohttp (pip install 'mmgym[openai]')")

from mmgym.agents.human import Desk, HumanAgent
from mmgym.cli.catalogue import config_options
from mmgym.cli.configs import HydraConfigs
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.views.play_server import PlayServer, question_state

pytestmark = pytest.mark.slow

INGVP_FILES = Path(__file__).parents[1] / "envs" / "puzzles" / "fixtures" / "ingvp"
TINY: dict[str, list[str]] = {  # each suite config of the catalogue at a size a person could play in a minute
    "babyai": ["suite.episodes=1"],
    "eb_alfred": ["suite.executable=standin"],
    "eb_thor_nav": ["suite.executable=standin"],
    "eb_habitat": ["suite.episodes=1"],
    "eb_manip": ["suite.episodes=1"],
    "eb_nav": ["suite.episodes=1"],
    "embodied_eval": ["suite.episodes=1"],
    "ingvp": ["suite.games=[sokoban]", "suite.levels=1", "suite.settings=[one_step-image_text]"],
    "ingvp_paper": [f"suite.data_dir={INGVP_FILES}", "suite.settings=[multi_step-text-history]"],
    "pca": ["suite.items=1", "suite.judge_check=0"],
    "pca_loop": ["suite.items=1", "suite.judge_check=0"],
    "puzzle_sprint": ["suite.games=[maze]", "suite.levels=1"],
}
KINDS: dict[str, str] = {  # the controls the page offers for the suite's action space
    "babyai": "menu",
    "eb_alfred": "buttons",
    "eb_thor_nav": "buttons",
    "eb_habitat": "buttons",
    "eb_manip": "vector",
    "eb_nav": "buttons",
    "embodied_eval": "menu",
    "ingvp": "plan",
    "ingvp_paper": "buttons",
    "pca": "choice",
    "pca_loop": "buttons",
    "puzzle_sprint": "buttons",
}


def test_every_suite_in_the_catalogue_has_a_tiny_size_and_a_control_kind_here() -> None:
    suites = set(config_options("suite"))
    assert suites == set(TINY) == set(KINDS), f"add to TINY and KINDS: {sorted(suites ^ (set(TINY) & set(KINDS)))}"


class Played:
    """A suite's episodes played by the human agent on a thread, and the page's server over its desk."""

    def __init__(self, name: str, folder: Path) -> None:
        configs = HydraConfigs()
        self.suite = configs.build(configs.compose([f"suite={name}", *TINY[name]]).suite, "suite")
        self.folder = folder
        self.desk = Desk(total=sum(1 for _ in self.suite.specs()))
        self.server = PlayServer(self.desk)
        self.url = self.server.start()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._play, daemon=True)
        self.thread.start()

    def _play(self) -> None:
        try:
            evaluate(self.suite, lambda: HumanAgent(self.desk), self.folder, LocalRunner(concurrency=1), False)
        except BaseException as exc:  # said by the test
            self.error = exc
        finally:
            self.desk.finish()

    def state(self, known: int | None = None, timeout_s: float = 120.0) -> dict[str, Any]:
        """The page's next state with a turn other than `known` (or the end of play)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with urllib.request.urlopen(self.url + "state", timeout=10) as response:
                body = json.load(response)
            question = body.get("question")
            if body["finished"] or (question is not None and question["number"] != known):
                return body
            time.sleep(0.05)
        raise AssertionError(f"no new turn within {timeout_s} s (error: {self.error!r})")

    def act(self, number: int, kind: str, text: str) -> None:
        data = json.dumps({"number": number, "kind": kind, "text": text}).encode()
        urllib.request.urlopen(urllib.request.Request(self.url + "act", data, method="POST"), timeout=10).close()

    def records(self, timeout_s: float = 30.0) -> list[Any]:
        """The episodes finished so far, once there is one (the store writes it as the next turn is asked)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.folder.exists() and (found := list(ResultsStore(self.folder).records())):
                return found
            time.sleep(0.05)
        raise AssertionError(f"no episode stored within {timeout_s} s (error: {self.error!r})")

    def close(self, timeout_s: float = 120.0) -> None:
        """Play the rest with the same kind of answer, so the episodes end and their envs close."""
        deadline = time.monotonic() + timeout_s
        while self.thread.is_alive() and time.monotonic() < deadline:
            if (question := self.desk.question) is not None:
                self.desk.answer(question.number, *valid_answer(question_state(question)))
            time.sleep(0.005)
        self.desk.finish()
        self.server.stop()


def valid_answer(question: dict[str, Any]) -> tuple[str, str]:
    """One answer the page's controls would send: a listed action (button, menu number or choice), a plan of
    one action, or a vector at its lower bounds."""
    kind = question["kind"]
    if kind == "vector":
        return "action", json.dumps([low for low, _ in question["vector"]])
    if kind == "plan":
        return "text", json.dumps({"actions": [question["actions"][0]]})
    return "action", question["actions"][0]


@pytest.mark.parametrize("name", sorted(config_options("suite")))
def test_each_suite_is_played_on_the_page_with_the_controls_of_its_action_space(name: str, tmp_path: Path) -> None:
    played = Played(name, tmp_path / "run")
    try:
        body = played.state()
        assert played.error is None and body["question"] is not None, played.error
        question = body["question"]
        assert question["kind"] == KINDS.get(name), f"{name}: {question['kind']} controls"
        assert question["step"] == 0 and question["instruction"]
        assert question["image"] or question["text"], f"{name}: the page shows no observation"
        kind, text = valid_answer(question)
        played.act(question["number"], kind, text)
        after = played.state(known=question["number"])
        if after["finished"]:  # one reply ended the only episode (a whole solution in one reply)
            [record] = played.records()
            assert record.status != "error" and len(record.steps) >= 1, record.error
            assert record.turns[0].parse_error is None, record.turns[0].parse_error
        elif after["question"]["episode_id"] != question["episode_id"]:  # a single decision ended its episode
            record = played.records()[0]
            assert [step.action for step in record.steps] == [text], record.error
        else:  # the env took the action as sent (it may still refuse it: a wall in the way)
            taken = after["question"]
            assert taken["step"] == 1 and [s["action"] for s in taken["history"]] == [text], taken["feedback"]
    finally:
        played.close()
    assert played.error is None and not played.thread.is_alive(), played.error
    records = list(ResultsStore(played.folder).records())  # played out to the end, each episode a record
    assert len(records) == played.desk.total and not [r.error for r in records if r.status == "error"]
