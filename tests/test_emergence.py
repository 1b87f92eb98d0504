"""Each emergence measure on small examples computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from techwatch.trends.emergence import (
    INSUFFICIENT,
    EmergenceParams,
    classify_popularity,
    degree,
    geometric_growth,
    kleinberg,
    popularity,
    quadrant,
    score_series,
    time_weights,
)


def test_yoon_time_weights_and_degrees():
    # n = 4, tw = 0.05: 1 - 0.05 x (4 - j) for j = 1..4 -> 0.85, 0.90, 0.95, 1.00
    assert time_weights(4, 0.05) == pytest.approx([0.85, 0.90, 0.95, 1.00])
    # TF = 2, 3, 6, 8 over NN = 10, 10, 20, 20 documents: shares 0.2, 0.3, 0.3, 0.4
    # DoV = share x weight = 0.17, 0.27, 0.285, 0.40
    dov = degree(np.array([2, 3, 6, 8]), np.array([10, 10, 20, 20]), 0.05)
    assert dov == pytest.approx([0.17, 0.27, 0.285, 0.40])
    # A period without documents has no share (not a division by zero).
    assert degree(np.array([0, 1]), np.array([0, 4]), 0.0) == pytest.approx([0.0, 0.25])


def test_yoon_growth_is_the_geometric_mean_of_period_ratios():
    dov = np.array([0.17, 0.27, 0.285, 0.40])
    # ratios 0.27/0.17 = 1.588235, 0.285/0.27 = 1.055556, 0.40/0.285 = 1.403509
    # product = 0.40/0.17 = 2.352941; cube root = exp(ln(2.352941)/3) = exp(0.285224) = 1.330050
    assert geometric_growth(dov, 0.0) == pytest.approx(0.330050, abs=1e-5)
    ratios = dov[1:] / dov[:-1]
    assert geometric_growth(dov, 0.0) == pytest.approx(np.prod(ratios) ** (1 / 3) - 1)
    # Smoothing keeps a first period of zero finite: ((0.2 + 0.1) / (0 + 0.1)) - 1 = 2.0
    assert geometric_growth(np.array([0.0, 0.2]), 0.1) == pytest.approx(2.0)
    assert geometric_growth(np.array([0.3]), 0.1) == 0.0


def test_yoon_quadrants_against_the_medians():
    # medians: frequency 5, growth 0.1
    assert quadrant(2, 0.5, 5, 0.1) == "weak_signal"  # rare, growing
    assert quadrant(9, 0.5, 5, 0.1) == "strong_signal"  # frequent, growing
    assert quadrant(2, 0.0, 5, 0.1) == "latent"  # rare, flat
    assert quadrant(9, 0.0, 5, 0.1) == "well_known"  # frequent, flat


def test_kleinberg_two_state_burst_by_hand():
    # 10 documents a batch; relevant 1, 1, 6, 1. p0 = 9/40 = 0.225, p1 = 2 x p0 = 0.45.
    # Entering the burst costs gamma x ln(4) = 1.386294.
    # Batch 3 in state 0 costs -6 ln .225 - 4 ln .775 = 8.950 + 1.020 = 9.9698 (+ the binomial
    # term, the same in both states); in state 1: -6 ln .45 - 4 ln .55 = 4.791 + 2.391 = 7.1825.
    # Saving 9.9698 - 7.1825 = 2.787103 > 1.386294: batch 3 bursts.
    # Batch 4 in state 1 would cost 2.393 more than in state 0 (going down is free): it leaves.
    states, bursts = kleinberg([1, 1, 6, 1], [10, 10, 10, 10], s=2.0, gamma=1.0)
    assert states == [0, 0, 1, 0]
    assert len(bursts) == 1 and (bursts[0].start, bursts[0].end) == (2, 2)
    # weight = 6 ln 2 + 4 ln(0.55/0.775) = 4.158883 - 1.371780 = 2.787103
    assert bursts[0].weight == pytest.approx(6 * math.log(2) + 4 * math.log(0.55 / 0.775))
    assert bursts[0].weight == pytest.approx(2.787103, abs=1e-5)
    # gamma = 3: entering costs 3 ln 4 = 4.158883 > 2.787103, so no burst.
    assert kleinberg([1, 1, 6, 1], [10, 10, 10, 10], s=2.0, gamma=3.0)[1] == []


def test_kleinberg_degenerate_inputs():
    assert kleinberg([], []) == ([], [])
    assert kleinberg([0, 0], [5, 5]) == ([0, 0], [])  # nothing relevant
    assert kleinberg([5, 5], [5, 5]) == ([0, 0], [])  # everything relevant: no higher rate
    assert kleinberg([0, 0], [0, 0]) == ([0, 0], [])  # empty batches


def test_bertrend_popularity_grows_and_decays():
    # decay 0.01, power 2: idle periods decay from the last update: 2 e^(-0.01 x 1^2) = 1.980100,
    # then 2 e^(-0.01 x 2^2) = 1.921579; new documents add: 1.921579 + 3 = 4.921579.
    values = popularity([2, 0, 0, 3], decay=0.01, power=2.0)
    assert values == pytest.approx([2.0, 1.980100, 1.921579, 4.921579], abs=1e-6)
    assert popularity([0, 0, 1]) == [0.0, 0.0, 1.0]  # nothing before the first document


def test_bertrend_classes():
    # thresholds: 10th percentile 1.0, high percentile 4.0
    assert classify_popularity(0.5, 1.0, 4.0, rising=True) == "noise"
    assert classify_popularity(2.0, 1.0, 4.0, rising=True) == "weak"
    assert classify_popularity(2.0, 1.0, 4.0, rising=False) == "noise"
    assert classify_popularity(5.0, 1.0, 4.0, rising=False) == "strong"


def test_too_few_periods_is_insufficient_history_not_an_error():
    scores = score_series({"a": ([1, 2], [1, 2])}, [5, 5])
    assert scores["a"].state == INSUFFICIENT
    assert "2 period" in scores["a"].reason
    assert score_series({}, []) == {}


def test_a_trend_first_seen_in_the_last_period_is_insufficient_but_others_are_scored():
    totals = [10, 10, 10, 10, 10, 10]
    series = {
        "flat": ([2] * 6, [2] * 6),
        "flat2": ([3] * 6, [3] * 6),
        "new": ([0, 0, 0, 0, 0, 4], [0, 0, 0, 0, 0, 4]),
        "burst": ([1, 1, 1, 1, 1, 8], [1, 1, 1, 1, 1, 8]),
    }
    scores = score_series(series, totals, EmergenceParams(min_periods=3))
    assert scores["new"].state == INSUFFICIENT
    assert scores["new"].history == 1
    assert scores["burst"].burst_active
    assert scores["burst"].state in ("emerging", "strong")
    assert not scores["flat"].burst_active
    # Every component is kept for display.
    em = scores["flat"]
    assert len(em.dov) == 6 and len(em.dod) == 6 and len(em.popularity) == 6
    assert set(em.thresholds) >= {"popularity_low", "popularity_high", "median_dod_growth"}


def test_momentum_compares_the_last_periods_with_the_ones_before():
    from techwatch.trends.emergence import momentum

    # last 3: 1 + 2 + 3 = 6; the 3 before: 0. (6 + 1) / (0 + 1) = 7.0
    assert momentum(np.array([0, 0, 0, 1, 2, 3]), 3) == (7.0, 6)
    # flat: (3 + 1) / (3 + 1) = 1.0; falling: (0 + 1) / (6 + 1) = 1/7
    assert momentum(np.array([1, 1, 1, 1, 1, 1]), 3) == (1.0, 3)
    assert momentum(np.array([2, 2, 2, 0, 0, 0]), 3)[0] == pytest.approx(1 / 7)
    assert momentum(np.array([4]), 3) == (5.0, 4)  # nothing before: (4 + 1) / 1


def test_a_steady_trend_is_not_emerging_and_a_new_rise_is():
    totals = [20] * 8
    series = {
        "steady": ([3] * 8, [3] * 8),
        "steady2": ([2] * 8, [2] * 8),
        # last 3: 2 + 3 + 4 = 9, the 3 before: 1; P(X >= 9 | n = 10, q = 0.5) = 11/1024
        "rise": ([0, 0, 1, 0, 0, 2, 3, 4], [0, 0, 1, 0, 0, 2, 3, 4]),
        "gone": ([3, 3, 3, 3, 3, 0, 0, 0], [3, 3, 3, 3, 3, 0, 0, 0]),
    }
    scores = score_series(series, totals)
    assert scores["steady"].state != "emerging" and scores["steady2"].state != "emerging"
    assert scores["rise"].state == "emerging"
    assert scores["rise"].rise_p == pytest.approx(11 / 1024)
    assert scores["gone"].state == "fading"


def test_change_pvalues_binomial_by_hand():
    from techwatch.trends.emergence import change_pvalues

    # Steady corpus (q = 0.5); 6 articles, all in the last 3 periods: P(X >= 6) = 0.5^6.
    rise, fall = change_pvalues(np.array([0, 0, 0, 1, 2, 3]), np.array([10] * 6), 3)
    assert rise == pytest.approx(0.015625)
    assert fall == pytest.approx(1.0)
    # 3 vs 3 articles with q = 0.5: P(X >= 3 | n = 6) = (20 + 15 + 6 + 1) / 64 = 0.65625
    rise, fall = change_pvalues(np.array([1, 1, 1, 1, 1, 1]), np.array([10] * 6), 3)
    assert rise == pytest.approx(42 / 64)
    assert fall == pytest.approx(42 / 64)  # P(X <= 3) = (1 + 6 + 15 + 20) / 64
    # The corpus tripled in the last periods (q = 30 / 40 = 0.75): 3 of 4 articles is expected.
    rise, _ = change_pvalues(np.array([1, 0, 0, 3]), np.array([10, 0, 0, 30]), 1)
    # Only the last 2 periods count with h = 1: 3 vs 0 articles, q = 30 / 30 = 1.0 -> p = 1
    assert rise == pytest.approx(1.0)
