"""The PCA suite's parts that need no simulator: reading a choice, the parser's answer lines, the lexical
judge, the model judge's score lines, the scores and error localisation, the judge check's figures, and
PCA-Bench's own files through the whole suite (hand-written files in its schema)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from PIL import Image

from mmgym.agents.parsing import parse_reply
from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.pca.env.choice import choice_index
from mmgym.tasks.pca.env.item import Concept, DecisionItem
from mmgym.tasks.pca.judge_check import cases_for, check_judge, reordered
from mmgym.tasks.pca.judges import LexicalJudge, parse_scores
from mmgym.tasks.pca.pcabench import load_domain
from mmgym.tasks.pca.suite import PCASuite, decision_scores

ACTIONS = ("Keep driving in the current lane", "Change to the left lane", "Speed up", "Slow down")


def item(**changes) -> DecisionItem:
    fields = dict(
        domain="driving",
        index=0,
        question="You drive at 25 m/s in the middle lane. What is the best action now?",
        actions=ACTIONS,
        answer_index=1,
        key_concepts=(
            Concept(name="a slower car close ahead in my lane", synonyms=("car in front", "vehicle ahead")),
            Concept(name="the left lane is free", synonyms=("left lane is empty", "nothing on the left")),
        ),
        reasoning="There is a slower car close ahead in my lane. The left lane is free. "
        "So the best action is to change to the left lane.",
        paraphrase="A vehicle ahead is going slower than me, and the left lane is empty, so I move over to the left.",
        false_facts=("A truck blocks the left lane.",),
        wrong_reasoning="The weather is sunny and the radio is on, so changing to the left lane feels right.",
    )
    return DecisionItem(**(fields | changes))


@pytest.mark.parametrize(
    ("text", "index"),
    [("B", 1), ("(B)", 1), ("b.", 1), ("(B) Change to the left lane", 1), ("change to the LEFT lane.", 1),
     ("(B) Speed up", None), ("E", None), ("turn around", None), ("", None)],
)  # fmt: skip
def test_a_choice_is_a_letter_or_the_actions_words_and_they_must_agree(text: str, index: int | None) -> None:
    assert choice_index(text, ACTIONS) == index


def test_the_parser_reads_answer_lines_and_answer_keys_with_their_reasoning() -> None:
    reply = parse_reply("Reasoning: the car in front is slow.\nAnswer: (B)", valid_actions=ACTIONS)
    assert reply.actions == ("(B)",) and reply.thought == "the car in front is slow."
    reply = parse_reply('{"reasoning": "left lane is empty", "answer": "B"}', valid_actions=ACTIONS)
    assert reply.actions == ("B",) and reply.thought == "left lane is empty" and reply.path == "json"
    reply = parse_reply("Reason: slow car ahead\nChoice: Slow down", valid_actions=ACTIONS)
    assert reply.actions == ("Slow down",)


def test_the_lexical_judge_matches_concepts_as_whole_words_and_checks_the_conclusion() -> None:
    judge, truth = LexicalJudge(), item()

    def verdict(text: str, choice: int = 1):
        return asyncio.run(judge.judge(truth, text, choice))

    assert (verdict(truth.reasoning).perception, verdict(truth.reasoning).cognition) == (True, True)
    assert (verdict(truth.paraphrase).perception, verdict(truth.paraphrase).cognition) == (True, True)
    only_one = verdict("The car in front is slow, so change to the left lane.")
    assert only_one.perception and not only_one.cognition  # one of two concepts
    assert not verdict(truth.wrong_reasoning).perception
    contrary = verdict("There is a car in front. The left lane is free. So slow down.")
    assert contrary.perception and not contrary.cognition and contrary.evidence["action_argued"] == 3
    assert not verdict("carinfront", 1).perception  # whole words only
    assert not verdict(truth.reasoning, choice=-1).cognition  # no choice, no agreement


def test_model_judge_scores_are_read_from_their_lines_and_missing_ones_stay_unscored() -> None:
    text = "perception evidence: names the car\nperception score: 1\ncognition evidence: no\n**Cognition score:** 0"
    assert parse_scores(text) == {"perception": True, "cognition": False}
    assert parse_scores("I think it is fine.") == {"perception": None, "cognition": None}
    assert parse_scores("perception score: 1") == {"perception": True, "cognition": None}


def test_scores_and_the_first_failing_link() -> None:
    assert decision_scores(True, True, True) | {} == {
        "perception": 100.0, "cognition": 100.0, "action": 100.0, "genuine": 100.0,
        "error_perception": 0.0, "error_cognition": 0.0, "error_action": 0.0, "judge_unscored": 0.0,
    }  # fmt: skip
    assert decision_scores(False, True, False)["error_cognition"] == 100.0  # cognition fails before action
    wrong_action = decision_scores(False, True, True)
    assert wrong_action["error_action"] == 100.0 and wrong_action["genuine"] == 0.0
    unscored = decision_scores(True, None, True)
    assert unscored["error_perception"] == 100.0 and unscored["judge_unscored"] == 100.0


def test_the_judge_check_builds_labelled_cases_and_measures_the_lexical_judge() -> None:
    cases = {case.kind: case for case in cases_for(item())}
    assert list(cases) == ["correct", "paraphrase", "omits_concept", "false_fact", "wrong_reasoning"]
    assert "slower car" not in cases["omits_concept"].text and cases["omits_concept"].perception  # one concept left
    assert "A truck blocks the left lane." in cases["false_fact"].text
    shuffled = reordered(item(), seed=3)
    assert shuffled.answer == item().answer and shuffled.actions != item().actions
    figures = asyncio.run(check_judge(LexicalJudge(), [item()]))
    # Hand-computed: the lexical judge gets every perception label right, and cognition right except for
    # the false fact it cannot see (4 of 5), so cognition's precision is 2 of 3 verdicts 1.
    assert figures.links["perception"].agreement == 100.0
    assert figures.links["cognition"].agreement == 80.0 and figures.links["cognition"].precision == pytest.approx(
        200 / 3
    )
    assert figures.by_case["false_fact"]["cognition"] == 0.0
    assert figures.order_flips == 0.0 and figures.length_flips == 0.0  # words, not positions or length


def write_pcabench(root: Path) -> None:
    """Hand-written files in PCA-Bench's schema (meta_data.json per domain folder) and small images."""
    entries = {
        "Autonomous Driving": ["traffic_000.jpg", ["Slow down", "Keep driving", "Speed up"], 2,
                               "The lowest speed for this lane is 70 km/h and I drive at 50 km/h, so speed up.",
                               ["Minimum Speed Limit 70 km/h", "clear road"]],
        "Domestic Robot": ["kitchen_0.png", ["Boil water in the kettle", "Open the fridge"], 0,
                           "The kettle is on the counter and tea needs hot water.", ["kettle on the counter"]],
        "Open-World Game": ["game_0.png", ["Build a shelter", "Go mining", "Fight the zombie"], 0,
                            "Night is coming and health is low, so a shelter keeps me safe.",
                            ["night is coming", "health is low"]],
    }  # fmt: skip
    for title, (image, actions, answer, reason, concepts) in entries.items():
        folder = root / title
        (folder / "images").mkdir(parents=True)
        meta = [{"version": "1.0", "domain": title, "index": 0, "image": image, "question": f"A {title} question?",
                 "actions": actions, "answer_index": answer, "reason": reason, "key_concept": concepts}]  # fmt: skip
        (folder / "meta_data.json").write_text(json.dumps(meta))
        Image.new("RGB", (320, 180), (40, 120, 200)).save(folder / "images" / image)


def test_pcabench_files_load_as_they_are_and_play_through_the_suite(tmp_path: Path) -> None:
    write_pcabench(tmp_path / "data")
    (game,) = load_domain(tmp_path / "data", "game").items
    assert game.source == "pcabench" and game.answer == "Build a shelter" and game.image == "game_0.png"
    assert [c.name for c in game.key_concepts] == ["night is coming", "health is low"]
    suite = PCASuite(source="pcabench", data_dir=str(tmp_path / "data"), image_size=64)
    oracle = evaluate(suite, ExpertAgent, tmp_path / "oracle", show_progress=False)
    assert oracle.episodes == 3 and oracle.errors == 0 and oracle.overall()["action"].mean == 100.0
    # PCA-Bench's reasons do not always quote its key concepts: the lexical judge then finds none.
    assert oracle.groups["domain"]["game"]["genuine"].mean == 100.0
    assert oracle.groups["domain"]["driving"]["perception"].mean == 0.0
    record = json.loads((tmp_path / "oracle" / "episodes.jsonl").read_text().splitlines()[0])
    assert record["extra"]["judge"]["name"] == "lexical" and "concepts_named" in record["extra"]["judge"]["evidence"]
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    assert random.errors == 0 and set(random.groups["domain"]) == {"driving", "domestic", "game"}


def test_bad_pcabench_input_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no PCA-Bench data for driving in .*: neither .*meta_data.json nor"):
        load_domain(tmp_path, "driving")
    (tmp_path / "Autonomous Driving").mkdir()
    (tmp_path / "Autonomous Driving" / "meta_data.json").write_text('[{"question": "q"}]')
    loaded = load_domain(tmp_path, "driving")  # a bad entry is skipped with its reason, not fatal
    assert loaded.items == [] and loaded.skipped == ["meta_data.json entry 0: no 'actions' field"]
    with pytest.raises(ConfigError, match=r"data_dir is required with suite\.source=pcabench"):
        PCASuite(source="pcabench").specs()
    with pytest.raises(ConfigError, match=r"unknown PCA domain 'drving'.*Did you mean 'driving'"):
        PCASuite(domains=["drving"])
