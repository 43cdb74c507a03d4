"""ING-VP's undo in suite=ingvp_paper: `{"output": N}` goes back to the state after step N, in multi-step
Sokoban, N-Queens and Sudoku, and every metric counts it as ING-VP's definitions do.

The model is a scripted stand-in answering given texts; the levels are hand-written, in ING-VP's formats.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, Message, ModelResponse, TextPart, Usage
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.envs.puzzles.undo import NOT_OFFERED
from mmgym.runners.rollout import run_episode
from mmgym.tasks.ingvp.paper import UNDO_GAMES, IngvpPaperSuite
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

FIXTURES = Path(__file__).parents[1] / "envs" / "puzzles" / "fixtures" / "ingvp"
UNUSED_MODEL = {  # built by the agent, never called: the scripted backend replaces it
    "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
    "name": "unused",
    "model": "unused",
    "base_url": "http://127.0.0.1:9/v1",
}
# A box two pushes from its target: R, R, R solves it (optimal length 3).
CORRIDOR = "#######\n#@ $ .#\n#     #\n#######"


class Replies:
    """A model that answers the given texts in order and keeps what it was sent."""

    name = "replies"

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts, self.sent = list(texts), []

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.sent.append(messages)
        return ModelResponse(self.texts[len(self.sent) - 1], Usage(prompt_tokens=1, completion_tokens=1))

    async def close(self) -> None:
        pass


def play(spec: EpisodeSpec, texts: Sequence[str]) -> tuple[EpisodeRecord, Replies]:
    agent = LLMAgent(model=UNUSED_MODEL)
    agent.backend = model = Replies(texts)
    return asyncio.run(run_episode(spec, agent)), model


def outputs(*values: object) -> list[str]:
    return [json.dumps({"output": value}) for value in values]


@pytest.fixture
def corridor_dir(tmp_path: Path) -> Path:
    (tmp_path / "sokoban").mkdir()
    (tmp_path / "sokoban" / "levels_50.txt").write_text(f"; 1\n\n{CORRIDOR}\n")
    return tmp_path


def corridor_spec(data_dir: Path, setting: str = "multi_step-text-history", **config: object) -> EpisodeSpec:
    suite = IngvpPaperSuite(data_dir=str(data_dir), games=["sokoban"], settings=[setting], **config)
    (spec,) = suite.specs()
    return spec


# ---- where the suite offers it ------------------------------------------------------------------
def test_offered_in_multi_step_sokoban_nqueens_and_sudoku_only() -> None:
    specs = IngvpPaperSuite(data_dir=str(FIXTURES), levels=1).specs()
    offered = {(s.metadata["setting"], s.metadata["game"]) for s in specs if s.env_kwargs.get("undo")}
    multi = {s.metadata["setting"] for s in specs if s.metadata["setting"].startswith("multi_step")}
    assert offered == {(setting, game) for setting in multi for game in UNDO_GAMES}
    assert all("undo" not in s.env_kwargs for s in specs if (s.metadata["setting"], s.metadata["game"]) not in offered)


def test_suite_undo_false_takes_it_away_and_suite_ingvp_never_had_it() -> None:
    assert not any("undo" in s.env_kwargs for s in IngvpPaperSuite(data_dir=str(FIXTURES), undo=False).specs())
    assert not any("undo" in s.env_kwargs for s in IngvpSuite(levels=1).specs())


def test_the_prompt_describes_it_and_numbers_steps_as_the_env_does(corridor_dir: Path) -> None:
    record, model = play(corridor_spec(corridor_dir), outputs("R", "D", 1, "R", "R"))
    later = "\n".join(p.text for p in model.sent[3][-1].parts if isinstance(p, TextPart))
    assert "back to step N" in later and "1. R -> valid" in later
    assert "3. 1 -> valid: Back to the state after step 1." in later
    assert record.success


# ---- what it does, and what the records show -----------------------------------------------------
def test_output_n_goes_back_and_the_step_records_show_it(corridor_dir: Path) -> None:
    record, _ = play(corridor_spec(corridor_dir), outputs("R", "D", 1, "R", "R"))
    undo = record.steps[2]
    assert (undo.action, undo.valid, undo.feedback) == ("1", True, "Back to the state after step 1.")
    assert undo.state_text == record.steps[0].state_text != record.steps[1].state_text
    assert record.turns[2].model_output == '{"output": 1}' and record.turns[2].actions == ["1"]
    assert undo.data == {"state_changed": True, "optimal_remaining": 2, "optimal_length": 3}


# ---- its effect on every metric -----------------------------------------------------------------
def test_every_metric_after_an_undo_when_the_level_is_not_solved(corridor_dir: Path) -> None:
    # R (changes), D (changes), D (into the wall: refused), back to step 1 (changes), back to step 9 (refused)
    record, _ = play(corridor_spec(corridor_dir, max_steps=5), outputs("R", "D", "D", 1, 9))
    assert [s.data["state_changed"] for s in record.steps] == [True, True, False, True, False]
    assert len(record.steps) == 5 and record.truncated and not record.success
    assert record.usage["invalid_actions"] == 2 and record.usage["parse_failures"] == 0
    # accuracy: not solved; completion: 2 of the 3 optimal moves left, as after step 1 (the undo's state);
    # efficiency: 3 state-changing steps of 5, the undo among them (ING-VP's is_active).
    assert score_ingvp(record) == pytest.approx({"accuracy": 0.0, "completion": 100 / 3, "efficiency": 60.0})


def test_every_metric_when_the_level_is_solved_after_going_back(corridor_dir: Path) -> None:
    record, _ = play(corridor_spec(corridor_dir), outputs("R", "D", 1, "R", "R"))
    assert record.success and len(record.steps) == 5 and not record.truncated
    assert score_ingvp(record) == {"accuracy": 100.0, "completion": 100.0, "efficiency": 100.0}


def test_going_back_to_where_you_are_is_a_step_that_changes_nothing(corridor_dir: Path) -> None:
    record, _ = play(corridor_spec(corridor_dir), outputs("R", 1, "R", "R"))
    assert record.steps[1].valid and not record.steps[1].data["state_changed"]
    assert score_ingvp(record) == {"accuracy": 100.0, "completion": 100.0, "efficiency": 75.0}


def test_the_undo_counts_toward_the_step_limit(corridor_dir: Path) -> None:
    record, model = play(corridor_spec(corridor_dir, max_steps=3), outputs("R", "D", 1, "R", "R"))
    assert len(record.steps) == 3 and len(model.sent) == 3 and record.truncated
    assert record.steps[-1].action == "1" and score_ingvp(record)["accuracy"] == 0.0


# ---- elsewhere it is refused --------------------------------------------------------------------
def test_one_step_play_refuses_it(corridor_dir: Path) -> None:
    record, _ = play(corridor_spec(corridor_dir, setting="one_step-text"), outputs(1))
    assert record.steps[0].action == "1" and not record.steps[0].valid
    assert record.steps[0].feedback.endswith(NOT_OFFERED)


def test_maze_and_hanoi_refuse_it_and_the_15_puzzle_reads_a_tile() -> None:
    suite = IngvpPaperSuite(
        data_dir=str(FIXTURES), games=["maze", "hanoi", "puzzle15"], levels=1, settings=["multi_step-text-history"]
    )
    steps = {spec.metadata["game"]: play(spec, outputs(1))[0].steps[0] for spec in suite.specs()}
    assert steps["maze"].feedback.endswith(NOT_OFFERED) and steps["hanoi"].feedback.endswith(NOT_OFFERED)
    assert NOT_OFFERED not in steps["puzzle15"].feedback and "tile 1" in steps["puzzle15"].feedback


def test_an_unparseable_reply_is_a_step_of_the_envs_numbering_too(corridor_dir: Path) -> None:
    """The prompt's history numbers an unparseable reply as a step; the env, which goes back by number, is
    stepped with an empty action for it, so step 3 below is the prompt's step 3 (D), not R."""
    texts = [outputs("R")[0], "I am not sure what to do.", *outputs("D", "R", 3)]
    record, model = play(corridor_spec(corridor_dir, max_steps=5), texts)
    assert [s.action for s in record.steps] == ["R", "", "D", "R", "3"]
    history = "\n".join(p.text for p in model.sent[4][-1].parts if isinstance(p, TextPart))
    assert "3. D -> valid" in history
    back = record.steps[4]
    assert back.feedback == "Back to the state after step 3." and back.state_text == record.steps[2].state_text
    assert back.state_text != record.steps[3].state_text  # the R of step 4 is undone
