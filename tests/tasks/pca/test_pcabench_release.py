"""PCA-Bench's files as released, played end to end: hand-written folders in PCA-EVAL's v1.0 layout (`imgs/`,
items of up to 8 choices, `end2end_prompts.json` with the state each answer depends on, a bad entry) and the
V1 open track's meta files (no image or index; images supplied separately)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.pca.env.choice import choice_index
from mmgym.tasks.pca.pcabench import TITLES, load_domain, open_track_file
from mmgym.tasks.pca.suite import PCASuite

GAME_ACTIONS = ["find sheep", "shear sheep", "craft shears", "find iron ore", "craft iron ingot", "find wood",
                "craft planks", "craft sticks"]  # fmt: skip


def entry(index: int, question: str, actions: list[str], answer: int, image: str) -> dict:
    return {"version": "1.0", "domain": "x", "index": index, "image": image, "question": question,
            "actions": actions, "answer_index": answer, "reason": f"Because of item {index}, choose {actions[answer]}.",
            "key_concept": [f"concept {index}"]}  # fmt: skip


def write_v1_0(root: Path, per_domain: int = 12) -> dict[str, list[float]]:
    """Every domain with items of 2 to 8 choices, images in `imgs/`, and its prompt file; the game domain also
    has two items with the same question and choices but different answers (told apart only by the prompt's
    inventory), and one bad entry. Returns each domain's choice counts."""
    counts: dict[str, list[float]] = {}
    for domain, title in TITLES.items():
        folder = root / title
        (folder / "imgs").mkdir(parents=True)
        meta, prompts = [], []
        for i in range(per_domain):
            n = 2 + i % 7  # 2..8 choices
            actions = [f"{domain} action {k}" for k in range(n)] if domain != "game" else GAME_ACTIONS[:n]
            image = f"{domain}_{i:03d}.jpg"
            meta.append(entry(i, f"{domain} question {i}", actions, i % n, image))
            prompts.append({"index": i, "image": image, "prompt": f"Context {i}. {domain} question {i}? "
                            + " ".join(f"({chr(65 + k)}) {a}" for k, a in enumerate(actions))})  # fmt: skip
            Image.new("RGB", (40, 30), (10 * i, 100, 50)).save(folder / "imgs" / image)
        counts[domain] = [float(len(m["actions"])) for m in meta]
        if domain == "game":  # the same goal and choices, different inventories, different answers
            for index, answer, inventory in ((per_domain, 3, "nothing"), (per_domain + 1, 1, "1 shears")):
                meta.append(entry(index, "Harvest wool", GAME_ACTIONS[:5], answer, "game_000.jpg"))
                prompts.append({"index": index, "image": "game_000.jpg", "prompt": f"Your task: Harvest wool. You "
                                f"have {inventory} in your inventory. (A) find sheep ..."})  # fmt: skip
                counts[domain].append(5.0)
            meta.append({**entry(99, "broken", ["a", "b"], 1, "game_000.jpg"), "answer_index": 5})  # out of range
        (folder / "meta_data.json").write_text(json.dumps(meta))
        (folder / "end2end_prompts.json").write_text(json.dumps(prompts))
    return counts


def test_items_of_up_to_eight_choices_and_images_in_imgs_load_and_a_bad_entry_is_skipped(tmp_path: Path) -> None:
    write_v1_0(tmp_path)
    game = load_domain(tmp_path, "game")
    assert [len(item.actions) for item in game.items[:7]] == [2, 3, 4, 5, 6, 7, 8]
    assert game.items[6].labelled(7) == "(H) craft sticks"
    assert game.skipped == ["meta_data.json entry 14: answer_index 5 is not one of the 2 actions"]
    assert choice_index("(H)", GAME_ACTIONS) == 7 and choice_index("H. craft sticks", GAME_ACTIONS) == 7
    assert choice_index("(I)", GAME_ACTIONS) is None


def test_the_oracle_scores_100_and_random_the_chance_level_of_the_items_choice_counts(tmp_path: Path) -> None:
    counts = write_v1_0(tmp_path / "data", per_domain=60)
    suite = PCASuite(source="pcabench", data_dir=str(tmp_path / "data"), image_size=32, judge_check=0)
    oracle = evaluate(suite, ExpertAgent, tmp_path / "oracle", show_progress=False)
    assert oracle.errors == 0 and oracle.overall()["action"].mean == 100.0
    assert oracle.notes["skipped_items"]["count"] == 1
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    for domain, choices in counts.items():
        chance = 100.0 * sum(1 / n for n in choices) / len(choices)
        assert random.notes["chance_level"]["by_domain"][domain] == pytest.approx(chance)  # reported as the floor
        got = random.groups["domain"][domain]["action"]
        assert got.low <= chance <= got.high, (domain, chance, got)  # 95% interval over 60-62 items


def test_under_pcabenchs_protocol_the_model_sees_its_prompt_with_the_state_the_answer_depends_on(
    tmp_path: Path,
) -> None:
    write_v1_0(tmp_path)
    plain = PCASuite(source="pcabench", data_dir=str(tmp_path), domains=["game"], judge_check=0)
    own = PCASuite(source="pcabench", data_dir=str(tmp_path), domains=["game"], protocol="pcabench", judge_check=0)
    same_question = [s for s in plain.specs() if s.metadata["question"] == "Harvest wool"]
    assert len(same_question) == 2  # mmgym's prompt cannot tell these two apart: question and choices are equal
    prompts = [s.reset_options["item"]["prompt"] for s in own.specs() if s.metadata["question"] == "Harvest wool"]
    assert prompts == ["Your task: Harvest wool. You have nothing in your inventory. (A) find sheep ...",
                       "Your task: Harvest wool. You have 1 shears in your inventory. (A) find sheep ..."]  # fmt: skip
    assert all("prompt" not in s.reset_options["item"] for s in plain.specs())  # the default's specs are unchanged
    record = evaluate(own, ExpertAgent, tmp_path / "run", show_progress=False)
    assert record.errors == 0 and record.overall()["action"].mean == 100.0
    first = json.loads((tmp_path / "run" / "episodes.jsonl").read_text().splitlines()[0])
    assert first["instruction"].startswith("Context ")
    (tmp_path / "Open-World Game" / "end2end_prompts.json").unlink()
    with pytest.raises(ConfigError, match=r"prompt file not found: .*end2end_prompts.json"):
        own.specs()


def test_the_v1_open_track_needs_its_images_and_then_plays(tmp_path: Path) -> None:
    data, images = tmp_path / "PCA-Bench", tmp_path / "open-images"
    data.mkdir()
    for domain, title in TITLES.items():
        meta = [{k: v for k, v in entry(i, f"q{i}", ["go", "stop", "wait"], i % 3, "").items()
                 if k not in ("index", "image")} for i in range(3)]  # fmt: skip
        (data / open_track_file(domain)).write_text(json.dumps(meta))
        (images / title.replace(" ", "-")).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (20, 20)).save(images / title.replace(" ", "-") / f"{i}.png")
    with pytest.raises(ConfigError, match=r"names no images: .*PCA-Bench/PCA-Bench-V1.*suite.image_dir"):
        PCASuite(source="pcabench", data_dir=str(data)).specs()
    suite = PCASuite(source="pcabench", data_dir=str(data), image_dir=str(images), image_size=32, judge_check=0)
    results = evaluate(suite, ExpertAgent, tmp_path / "run", show_progress=False)
    assert results.episodes == 9 and results.errors == 0 and results.overall()["action"].mean == 100.0
    with pytest.raises(ValueError, match=r"need suite\.source=pcabench"):
        PCASuite(protocol="pcabench")


def test_an_unreadable_image_fails_its_own_episode_only(tmp_path: Path) -> None:
    """The env whose reset raised is closed, not handed to the next episode: Gymnasium's checker wrapper keeps
    the failed reset's empty result, and the next episode's first step on that env would fail on it."""
    from mmgym.runners.local import LocalRunner

    write_v1_0(tmp_path / "data", per_domain=6)
    (tmp_path / "data" / "Autonomous Driving" / "imgs" / "driving_000.jpg").write_bytes(b"")  # the env's first reset
    suite = PCASuite(source="pcabench", data_dir=str(tmp_path / "data"), domains=["driving"], judge_check=0)
    results = evaluate(suite, ExpertAgent, tmp_path / "run", LocalRunner(concurrency=1), show_progress=False)
    errors = [json.loads(line) for line in (tmp_path / "run" / "episodes.jsonl").read_text().splitlines()]
    assert results.errors == 1 and [r["spec"]["task"] for r in errors if r["status"] == "error"] == ["driving/000"]


def test_the_model_judge_grades_with_pca_evals_own_prompt_read_from_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from mmgym.agents.models.base import ModelResponse, Usage
    from mmgym.tasks.pca import judges
    from mmgym.tasks.pca.env import frozen

    script = tmp_path / "PCA-EVAL" / "pca-eval" / "evaluation" / "pca_auto_scoring.py"
    script.parent.mkdir(parents=True)
    script.write_text(  # PCA-EVAL's layout, a hand-written rubric with the fields its script fills
        "import json\nMAX_RETRY = 3\ntemplate = '''Q: {question}\\nC: {actions}\\nAnswer: {model_output}\\n"
        "Right: {true_action}\\nConcepts: {key_concept}\\nWhy: {reason}\\nDomain: {domain}\\nGrade it.'''\n"
    )
    asked: list[str] = []

    class Grader:
        async def generate(self, messages, config):
            asked.append(messages[0].parts[0].text)
            return ModelResponse("action score: 1\nperception score: 1\nx\ncognition score: 0", Usage())

    monkeypatch.setattr(judges, "shared_backend", lambda model: Grader())
    item = frozen.load("game")[0]
    judge = judges.ModelJudge(model={"_target_": "unused"}, protocol_dir=str(tmp_path / "PCA-EVAL"))
    verdict = asyncio.run(judge.judge(item, "A crafting table is nearby and I have wood.", item.answer_index))
    assert verdict.perception is True and verdict.cognition is False
    (prompt,) = asked
    assert prompt.startswith(f"Q: {item.question}\nC: (A) ") and f"Right: {item.labelled(item.answer_index)}" in prompt
    assert f"Concepts: {[c.name for c in item.key_concepts]}" in prompt and prompt.endswith("Domain: game\nGrade it.")
    script.write_text("template = 'no fields'\n")
    judges.authors_rubric.cache_clear()
    with pytest.raises(ConfigError, match="has no grading `template` with the fields question"):
        judge.prompt(item, "", 0)


def test_the_judge_check_scores_reasons_people_wrote_and_flags_a_link_under_the_trust_line() -> None:
    """65 reasons written and labelled by hand (varied wording, not the reference's phrases): the lexical judge,
    which matches the reference's words, is measured on them, and the report flags each link under TRUSTED."""
    import asyncio
    from collections import Counter

    from mmgym.tasks.pca.judge_check import TRUSTED, JudgeFigures, LinkFigures, check_judge, people_cases
    from mmgym.tasks.pca.judges import LexicalJudge
    from mmgym.tasks.pca.plugin import judge_checks
    from mmgym.tasks.plugins import RunNotes

    cases = people_cases()
    assert len(cases) >= 60 and min(Counter(c.item.domain for c in cases).values()) >= 20
    labels = Counter((c.perception, c.cognition) for c in cases)
    assert labels[(True, True)] and labels[(True, False)] and labels[(False, False)]
    figures = asyncio.run(check_judge(LexicalJudge(), []))
    assert figures.people["perception"].n == len(cases) and set(figures.untrusted) <= {"perception", "cognition"}
    assert figures.untrusted == [link for link, f in figures.people.items() if f.agreement < TRUSTED]

    def link(agreement: float) -> LinkFigures:
        return LinkFigures(n=65, agreement=agreement, precision=None, recall=None, unscored=0)

    check = figures.model_copy(update={"people": {"perception": link(95.0), "cognition": link(40.0)}})
    table = judge_checks([RunNotes("run", {"judge_check": check.model_dump(mode="json")})])
    trust = {row[3]: (row[-2], row[-1]) for row in table.rows}
    assert trust == {"perception": ("95.0", "ok"), "cognition": ("40.0", f"untrusted (< {TRUSTED:.0f}%)")}
    older = {k: v for k, v in check.model_dump(mode="json").items() if k != "people"}  # a run from before
    assert {row[-1] for row in judge_checks([RunNotes("old", {"judge_check": older})]).rows} == {"-"}
    assert JudgeFigures.model_validate(older).people == {}
