"""The paired comparison's p-value at its edges: exact enumeration up to 16 differences, the Monte Carlo
estimate past it (never zero: (hits + 1) / (draws + 1)), ties with the observed sum, and B's record."""

from __future__ import annotations

import pytest

from mmgym.results.compare import DRAWS, EXACT_UP_TO, paired_stat, sign_flip_p


def test_sixteen_differences_are_enumerated_exactly() -> None:
    assert EXACT_UP_TO == 16
    assert sign_flip_p([1.0] * 16) == 2 / 2**16  # only all-plus and all-minus reach |16|


def test_past_sixteen_the_estimate_counts_the_observed_pattern_so_it_is_never_zero() -> None:
    """Thirty equal differences: no random draw reaches |30| (2 in 2^30), so the estimate is 1 / (draws + 1)."""
    assert sign_flip_p([1.0] * 30) == 1 / (DRAWS + 1)
    assert sign_flip_p([1.0] * 30, draws=9) == 1 / 10
    assert sign_flip_p([1.0] * 17, draws=1) == 1 / 2  # seventeen: estimated, not enumerated (which gives 2^-16)


def test_every_draw_that_reaches_the_observed_sum_counts() -> None:
    """One difference dominates: every sign pattern reaches the observed |sum| (up to its tiny tie margin)."""
    assert sign_flip_p([100.0] + [1e-12] * 16, draws=9) == 1.0


def test_the_estimate_is_reproducible_and_follows_its_seed() -> None:
    differences = [1.0, -0.5, 0.25] * 6  # 18 differences, p well inside (0, 1)
    p = sign_flip_p(differences)
    assert 0.0 < p < 1.0 and sign_flip_p(differences) == p
    assert sign_flip_p(differences, draws=200, seed=1) != sign_flip_p(differences, draws=200, seed=2)


def test_zero_differences_are_left_out_before_choosing_exact_or_estimated() -> None:
    """Sixteen nonzero differences among twenty: still exact."""
    assert sign_flip_p([1.0] * 16 + [0.0] * 4) == 2 / 2**16


def test_a_tie_with_the_observed_sum_counts_as_extreme() -> None:
    """[1, -1, 5] sums to 5; flipping the first two together gives 5 again (a tie), either one alone 7 or 3:
    the ties and the 7s are 6 of the 8 sign patterns."""
    assert sign_flip_p([1.0, -1.0, 5.0]) == 6 / 8
    assert sign_flip_p([1.0, 1.0]) == 2 / 4


def test_the_tie_margin_is_a_billionth_of_the_total_difference_and_at_least_a_billionth() -> None:
    """Flipping the tiny third difference moves the sum by twice its size: within the margin it is a tie (4 of 8
    patterns reach the observed sum), outside it is not (only all-plus and all-minus)."""
    assert sign_flip_p([0.3, 0.2, 0.4e-9]) == 4 / 8  # moves 0.8e-9: within the floor of 1e-9, though 1e-9 * 0.5 is less
    assert sign_flip_p([0.6, 0.3, 0.75e-9]) == 2 / 8  # moves 1.5e-9: beyond the margin of 1e-9
    assert sign_flip_p([30.0, 20.0, 20e-9]) == 4 / 8  # moves 40e-9: within 1e-9 * 50
    assert sign_flip_p([30.0, 20.0, 30e-9]) == 2 / 8  # moves 60e-9: beyond it


def test_paired_stat_counts_wins_losses_and_ties_of_b() -> None:
    stat = paired_stat("m", "overall", "all", a=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], b=[2.0, 2.0, 1.0, 4.5, 5.0, 5.5])
    assert (stat.wins, stat.losses, stat.ties) == (2, 2, 2)  # a loss of half a point is a loss
    assert (stat.mean_a, stat.mean_b) == (3.5, pytest.approx(20 / 6)) and stat.difference == pytest.approx(-1 / 6)
    assert (stat.metric, stat.grouping, stat.group, stat.n) == ("m", "overall", "all", 6)
    assert stat.p_value == sign_flip_p([1.0, 0.0, -2.0, 0.5, 0.0, -0.5])
    with pytest.raises(ValueError):
        paired_stat("m", "overall", "all", a=[1.0, 2.0], b=[1.0])  # the runs' scores must pair up
