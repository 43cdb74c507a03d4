"""`mmgym compare`: paired statistics checked against hand-computed cases and scipy, on real runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import cli_command, cli_env

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import MmgymError
from mmgym.results.compare import compare_runs, paired_stat, sign_flip_p
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.ingvp.suite import IngvpSuite

scipy_stats = pytest.importorskip("scipy.stats")


def scipy_p(differences: list[float], resamples: float = np.inf) -> float:
    zero = np.zeros(len(differences))
    result = scipy_stats.permutation_test(
        (np.asarray(differences, float), zero), lambda a, b, axis: np.mean(a - b, axis=axis),
        permutation_type="samples", n_resamples=resamples, alternative="two-sided", vectorized=True, random_state=0,
    )  # fmt: skip
    return float(result.pvalue)


def test_sign_flip_p_by_hand() -> None:
    assert sign_flip_p([1.0, 1.0, 1.0]) == pytest.approx(2 / 8)  # only all-plus and all-minus reach |3|
    assert sign_flip_p([100.0, -100.0, 100.0]) == 1.0  # every pattern reaches |100|
    assert sign_flip_p([0.0, 0.0]) == 1.0  # no difference at all
    assert sign_flip_p([2.0, 0.0, 0.0]) == 1.0  # one nonzero difference: both signs reach |2|


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sign_flip_p_equals_scipys_exact_test(seed: int) -> None:
    differences = list(np.random.default_rng(seed).normal(0.4, 1.0, 11).round(2))
    differences[3] = 0.0  # a tie: flipping it changes nothing, in both
    assert sign_flip_p(differences) == pytest.approx(scipy_p(differences))


def test_sign_flip_p_with_many_episodes_is_close_to_scipys() -> None:
    differences = list(np.random.default_rng(7).normal(0.3, 1.0, 40))
    assert abs(sign_flip_p(differences) - scipy_p(differences, resamples=20_000)) < 0.01


def test_paired_stat_by_hand() -> None:
    stat = paired_stat("success", "overall", "all", a=[0, 100, 100, 0], b=[100, 100, 0, 100])
    assert (stat.n, stat.mean_a, stat.mean_b, stat.difference) == (4, 50.0, 75.0, 25.0)
    assert (stat.wins, stat.losses, stat.ties) == (2, 1, 1) and stat.p_value == 1.0
    assert stat.low <= 25.0 <= stat.high and stat.low >= -100.0 and stat.high <= 100.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    settings = ["one_step-text", "multi_step-text-history"]
    cheap = {"games": ["maze", "hanoi"], "settings": settings, "image_size": 64}
    evaluate(IngvpSuite(levels=6, **cheap), ExpertAgent, root / "oracle", show_progress=False)
    evaluate(IngvpSuite(levels=6, **cheap), RandomAgent, root / "random", show_progress=False)
    evaluate(IngvpSuite(levels=8, **cheap), RandomAgent, root / "random8", show_progress=False)
    return {name: root / name for name in ("oracle", "random", "random8")}


def test_compare_runs_pairs_by_spec_and_names_episodes_in_one_run_only(runs: dict[str, Path]) -> None:
    comparison = compare_runs(runs["random"], runs["random8"])
    assert comparison.common == 2 * 2 * 6 and comparison.only_a == []
    assert len(comparison.only_b) == 2 * 2 * 2 and all("/006/" in e or "/007/" in e for e in comparison.only_b)
    overall = next(s for s in comparison.stats if s.grouping == "overall" and s.metric == comparison.stats[0].metric)
    assert overall.difference == 0.0 and overall.ties == overall.n  # the same agent, the same seeds
    better = compare_runs(runs["random"], runs["oracle"])
    groupings = {s.grouping for s in better.stats}
    assert {"overall", "game", "setting"} <= groupings
    solved = next(s for s in better.stats if s.grouping == "overall" and s.metric == better.stats[0].metric)
    assert solved.difference > 0 and solved.losses == 0 and solved.p_value < 0.05
    with pytest.raises(MmgymError, match="not a run directory"):
        compare_runs(runs["oracle"], runs["oracle"].parent / "nothing")


def test_the_report_of_several_runs_of_one_suite_has_a_comparison_section(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    from mmgym.views.report import write_report

    page = (write_report([runs["random"], runs["oracle"]], tmp_path / "report") / "index.html").read_text()
    section = page[page.index('id="comparisons"') :]
    section = section[: section.index("</section>")]
    stat = next(s for s in compare_runs(runs["random"], runs["oracle"]).stats if s.grouping == "overall")
    assert "oracle minus random" in section and f"{stat.difference:+.1f}" in section
    assert section.count("<tr>") == 1 + 1 + 2  # header, overall, the first breakdown's two games


def test_the_installed_command_prints_pairs_and_a_matrix(runs: dict[str, Path], tmp_path: Path) -> None:
    pair = [str(runs["random"]), str(runs["oracle"])]
    done = subprocess.run(cli_command(["compare", *pair]), cwd=tmp_path, env=cli_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "B - A [95% CI]" in done.stdout and "by game" in done.stdout and "24 episodes in both" in done.stdout
    three = [*pair, str(runs["random8"])]
    done = subprocess.run(cli_command(["compare", *three]), cwd=tmp_path, env=cli_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "row run minus column run" in done.stdout and "8 episodes only in" in done.stdout
    done = subprocess.run(cli_command(["compare", pair[0]]), cwd=tmp_path, env=cli_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and "two or more run directories" in done.stderr
