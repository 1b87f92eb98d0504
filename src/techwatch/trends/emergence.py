"""Emergence measures, each component kept so a page can show how a state was reached.

- Yoon (2012), "Detecting weak signals for long-term business opportunities using text
  mining of Web news", Expert Systems with Applications 39(16):
  DoV_j = (TF_j / NN_j) x (1 - tw x (n - j)) and DoD_j = (DF_j / NN_j) x (1 - tw x (n - j))
  over the last n periods (j = 1..n, tw = 0.05); the growth is the geometric mean of the
  period-on-period increase of DoV (DoD); the map puts each trend against the medians of
  average frequency and growth: weak signal (low frequency, high growth), strong signal
  (high, high), latent (low, low), well known (high, low).
- Kleinberg (2002), "Bursty and hierarchical structure in streams", the batched
  two-state automaton: base rate p0 = sum r / sum d, burst rate p1 = s x p0, cost of a
  batch -ln[C(d,r) p^r (1-p)^(d-r)], an upward move costs gamma x ln(n).
- BERTrend (Boutaleb et al. 2024, "BERTrend: Neural Topic Modeling for Emerging Trends
  Detection", rte-france/BERTrend `trend_analysis/weak_signals.py`): popularity grows by
  the new documents of a period and decays when a period brings none,
  p = p_u x exp(-decay x dt^power) (decay 0.01, power 2 as BERTrend's defaults), and is
  classified against the corpus's own percentiles of popularity: below the 10th is noise,
  between the 10th and the 75th (and rising) a weak signal, above the 75th a strong one
  (the bounds of BERTrend's shipped configuration; the paper's example uses the 50th).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

INSUFFICIENT = "insufficient_history"
QUADRANTS = ("weak_signal", "strong_signal", "latent", "well_known")
STATES = ("emerging", "strong", "fading", "noise", INSUFFICIENT)


@dataclass(frozen=True)
class EmergenceParams:
    """Defaults documented in the README; `[trends]` settings override them."""

    time_weight: float = 0.05  # Yoon's tw
    window: int = 6  # periods in Yoon's window (n)
    burst_s: float = 2.0  # Kleinberg's s
    burst_gamma: float = 1.0  # Kleinberg's gamma
    decay: float = 0.01  # BERTrend's decay factor
    decay_power: float = 2.0  # BERTrend's decay power
    low_percentile: float = 10.0  # noise below
    high_percentile: float = 75.0  # strong above (BERTrend's shipped default; its paper: 50)
    rising_periods: int = 3  # BERTrend's rising test: popularity slope over the last periods
    momentum_periods: int = 3  # articles in the last periods against the periods before
    rising_ratio: float = 1.5  # momentum at least this: rising; at most its inverse: falling
    min_recent: int = 2  # articles in the last periods for a rise to count
    alpha: float = 0.05  # a rise (or fall) must be this unlikely under an unchanged share
    min_periods: int = 3  # fewer periods of history: insufficient_history


# -- Yoon -----------------------------------------------------------------------------


def time_weights(n: int, tw: float) -> np.ndarray:
    """1 - tw x (n - j) for j = 1..n: the latest period weighs 1, older ones less."""
    j = np.arange(1, n + 1, dtype=float)
    return np.clip(1.0 - tw * (n - j), 0.0, None)


def degree(freq: np.ndarray, nn: np.ndarray, tw: float) -> np.ndarray:
    """Yoon's DoV (freq = TF) or DoD (freq = DF): share of the period, time-weighted."""
    freq = np.asarray(freq, dtype=float)
    nn = np.asarray(nn, dtype=float)
    share = np.divide(freq, nn, out=np.zeros_like(freq), where=nn > 0)
    return share * time_weights(len(freq), tw)


def geometric_growth(values: np.ndarray, smoothing: float) -> float:
    """Geometric mean of (x_j + s) / (x_{j-1} + s) over the window, minus 1.

    The product telescopes to ((x_n + s) / (x_1 + s)) ** (1 / (n - 1)). `s` keeps a first
    period of zero finite; callers pass half an article's share of an average period.
    """
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return 0.0
    first, last = values[0] + smoothing, values[-1] + smoothing
    if first <= 0:
        return 0.0 if last <= 0 else math.inf
    return float((last / first) ** (1.0 / (len(values) - 1)) - 1.0)


def quadrant(avg_freq: float, growth: float, median_freq: float, median_growth: float) -> str:
    """Yoon's map: high growth is a signal (weak when rare, strong when frequent)."""
    high_freq = avg_freq > median_freq
    high_growth = growth > median_growth
    if high_growth:
        return "strong_signal" if high_freq else "weak_signal"
    return "well_known" if high_freq else "latent"


# -- Kleinberg ------------------------------------------------------------------------


@dataclass
class Burst:
    start: int  # index of the first bursting period
    end: int  # index of the last bursting period (inclusive)
    weight: float  # sum over the interval of cost(state 0) - cost(state 1)


def _batch_cost(r: int, d: int, p: float) -> float:
    if d <= 0:
        return 0.0
    log_binom = math.lgamma(d + 1) - math.lgamma(r + 1) - math.lgamma(d - r + 1)
    return -(log_binom + r * math.log(p) + (d - r) * math.log(1.0 - p))


def kleinberg(
    relevant: list[int] | np.ndarray,
    totals: list[int] | np.ndarray,
    s: float = 2.0,
    gamma: float = 1.0,
) -> tuple[list[int], list[Burst]]:
    """Two-state batched burst detection (Viterbi); returns the state per batch and bursts."""
    r = [int(x) for x in relevant]
    d = [max(int(x), int(y)) for x, y in zip(totals, relevant, strict=True)]
    n = len(r)
    if n == 0 or sum(d) == 0 or sum(r) == 0:
        return [0] * n, []
    p0 = sum(r) / sum(d)
    p1 = min(s * p0, 0.9999)
    if p0 >= 0.9999 or p1 <= p0:
        return [0] * n, []
    up = gamma * math.log(n) if n > 1 else gamma
    costs = [(_batch_cost(r[t], d[t], p0), _batch_cost(r[t], d[t], p1)) for t in range(n)]
    best = [costs[0][0], up + costs[0][1]]
    back: list[tuple[int, int]] = []
    for t in range(1, n):
        stay0, from1_to0 = best[0], best[1]
        to0 = (0, stay0) if stay0 <= from1_to0 else (1, from1_to0)
        from0_to1, stay1 = best[0] + up, best[1]
        to1 = (1, stay1) if stay1 <= from0_to1 else (0, from0_to1)
        back.append((to0[0], to1[0]))
        best = [to0[1] + costs[t][0], to1[1] + costs[t][1]]
    state = 0 if best[0] <= best[1] else 1
    states = [state]
    for t in range(n - 2, -1, -1):
        state = back[t][state]
        states.append(state)
    states.reverse()
    bursts: list[Burst] = []
    t = 0
    while t < n:
        if states[t] == 1:
            start = t
            while t + 1 < n and states[t + 1] == 1:
                t += 1
            weight = sum(costs[k][0] - costs[k][1] for k in range(start, t + 1))
            bursts.append(Burst(start, t, weight))
        t += 1
    return states, bursts


# -- BERTrend popularity ----------------------------------------------------------------


def popularity(
    counts: list[int] | np.ndarray, decay: float = 0.01, power: float = 2.0
) -> list[float]:
    """Popularity after each period: + new documents; decayed from the last update when idle.

    Zero before the first document. BERTrend compounds its decay on the already decayed
    value; here an idle stretch decays from the value at the last update, so a pause of
    dt periods always costs exp(-decay x dt^power), however it is sliced.
    """
    out: list[float] = []
    current = 0.0
    last_update_value = 0.0
    idle = 0
    for count in counts:
        if count > 0:
            current = current + float(count)
            last_update_value = current
            idle = 0
        elif last_update_value > 0:
            idle += 1
            current = last_update_value * math.exp(-decay * idle**power)
        out.append(current)
    return out


def classify_popularity(value: float, low: float, high: float, rising: bool) -> str:
    """BERTrend's classes against the corpus's percentiles."""
    if value > high:
        return "strong"
    if value >= low and rising:
        return "weak"
    return "noise"


def slope(values: list[float]) -> float:
    """Least-squares slope of the last values against their index (0 for fewer than 2)."""
    if len(values) < 2:
        return 0.0
    x = np.arange(len(values), dtype=float)
    return float(np.polyfit(x, np.asarray(values, dtype=float), 1)[0])


def momentum(counts: np.ndarray, h: int) -> tuple[float, int]:
    """(sum of the last h + 1) / (sum of the h before + 1), and the last h's sum.

    The +1 keeps a start from zero finite: 0, 0, 0 then 1, 2, 3 gives 7.0.
    """
    counts = np.asarray(counts, dtype=float)
    recent = float(counts[-h:].sum()) if h else 0.0
    before = float(counts[-2 * h : -h].sum()) if len(counts) > h else 0.0
    return (recent + 1.0) / (before + 1.0), int(recent)


def change_pvalues(counts: np.ndarray, totals: np.ndarray, h: int) -> tuple[float, float]:
    """How unlikely the split of articles between the last h periods and the h before is,
    if the trend kept its share of the corpus: a binomial test, one-sided each way.

    Of n = recent + before articles, each falls in the last h periods with probability
    q = NN(last h) / NN(last 2h). 0, 0, 0 then 1, 2, 3 with a steady corpus: q = 0.5,
    P(X >= 6 | n = 6) = 0.5^6 = 0.015625.
    """
    from scipy.stats import binom

    counts = np.asarray(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)
    if len(counts) <= h:
        return 1.0, 1.0
    recent, before = counts[-h:].sum(), counts[-2 * h : -h].sum()
    nn_recent, nn_before = totals[-h:].sum(), totals[-2 * h : -h].sum()
    n = int(recent + before)
    if n == 0 or nn_recent + nn_before == 0:
        return 1.0, 1.0
    q = nn_recent / (nn_recent + nn_before)
    rise = float(binom.sf(int(recent) - 1, n, q))
    fall = float(binom.cdf(int(recent), n, q))
    return rise, fall


# -- everything for one series ----------------------------------------------------------


@dataclass
class Emergence:
    """Every component behind a trend's (or keyword's) state, over the periods given."""

    history: int  # periods from the first document to the last period
    tf: list[int]
    df: list[int]
    dov: list[float] = field(default_factory=list)
    dod: list[float] = field(default_factory=list)
    avg_tf: float = 0.0
    avg_df: float = 0.0
    dov_growth: float = 0.0
    dod_growth: float = 0.0
    dov_quadrant: str = ""
    dod_quadrant: str = ""
    burst_states: list[int] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    burst_active: bool = False
    popularity: list[float] = field(default_factory=list)
    popularity_slope: float = 0.0
    popularity_class: str = ""
    momentum: float = 1.0  # (articles in the last h periods + 1) / (in the h before + 1)
    recent: int = 0  # articles in the last h periods
    rise_p: float = 1.0  # P(at least `recent` of them fall in the last h | unchanged share)
    fall_p: float = 1.0  # P(at most `recent` ... | unchanged share)
    state: str = INSUFFICIENT
    reason: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def last_popularity(self) -> float:
        return self.popularity[-1] if self.popularity else 0.0


def score_series(
    series: dict[str, tuple[list[int], list[int]]],
    totals: list[int],
    params: EmergenceParams | None = None,
) -> dict[str, Emergence]:
    """Score every series (id -> (TF per period, DF per period)) against the same periods.

    `totals` is NN: the corpus's documents (cards) per period. Medians and percentiles are
    taken over the series with enough history, so each corpus is its own yardstick.
    """
    p = params or EmergenceParams()
    nn = np.asarray(totals, dtype=float)
    n_all = len(totals)
    window = max(2, min(p.window, n_all)) if n_all else 0
    nn_w = nn[n_all - window :] if window else nn
    mean_nn = float(nn_w.mean()) if window and nn_w.sum() > 0 else 1.0
    smoothing = 0.5 / mean_nn
    out: dict[str, Emergence] = {}
    for key, (tf, df) in series.items():
        tf_a = np.asarray(tf, dtype=float)
        df_a = np.asarray(df, dtype=float)
        nonzero = np.flatnonzero(df_a > 0)
        history = int(n_all - nonzero[0]) if len(nonzero) else 0
        em = Emergence(history=history, tf=[int(x) for x in tf], df=[int(x) for x in df])
        if window:
            em.dov = degree(tf_a[-window:], nn_w, p.time_weight).tolist()
            em.dod = degree(df_a[-window:], nn_w, p.time_weight).tolist()
            em.avg_tf = float(tf_a[-window:].mean())
            em.avg_df = float(df_a[-window:].mean())
            em.dov_growth = geometric_growth(np.asarray(em.dov), smoothing)
            em.dod_growth = geometric_growth(np.asarray(em.dod), smoothing)
        em.burst_states, em.bursts = kleinberg(
            df_a.astype(int), nn.astype(int), p.burst_s, p.burst_gamma
        )
        em.burst_active = bool(em.burst_states and em.burst_states[-1] == 1)
        em.popularity = popularity(df_a, p.decay, p.decay_power)
        em.popularity_slope = slope(em.popularity[-p.rising_periods :])
        em.momentum, em.recent = momentum(df_a, p.momentum_periods)
        em.rise_p, em.fall_p = change_pvalues(df_a, nn, p.momentum_periods)
        out[key] = em
    _classify(out, n_all, p)
    return out


def _classify(scores: dict[str, Emergence], n_all: int, p: EmergenceParams) -> None:
    enough = [e for e in scores.values() if e.history >= p.min_periods]
    if not enough or n_all < p.min_periods:
        reason = f"the corpus spans {n_all} period(s); {p.min_periods} are needed"
        for em in scores.values():
            em.state, em.reason = INSUFFICIENT, reason
        return
    med_tf = float(np.median([e.avg_tf for e in enough]))
    med_df = float(np.median([e.avg_df for e in enough]))
    med_gv = float(np.median([e.dov_growth for e in enough]))
    med_gd = float(np.median([e.dod_growth for e in enough]))
    window = min(p.window, n_all)
    # As BERTrend: the values of the topics that exist, so zeros before a first document
    # do not drag the percentiles down.
    pool = np.concatenate([np.asarray(e.popularity[-min(window, e.history) :]) for e in enough])
    low = float(np.percentile(pool, p.low_percentile))
    high = float(np.percentile(pool, p.high_percentile))
    for em in scores.values():
        em.dov_quadrant = quadrant(em.avg_tf, em.dov_growth, med_tf, med_gv)
        em.dod_quadrant = quadrant(em.avg_df, em.dod_growth, med_df, med_gd)
        em.popularity_class = classify_popularity(
            em.last_popularity, low, high, em.popularity_slope > 0
        )
        if em.history < p.min_periods:
            em.state = INSUFFICIENT
            em.reason = f"first seen {em.history} period(s) ago; {p.min_periods} are needed"
            continue
        em.state, em.reason = _state(em, p)
    meta = {
        "popularity_low": low,
        "popularity_high": high,
        "median_avg_tf": med_tf,
        "median_avg_df": med_df,
        "median_dov_growth": med_gv,
        "median_dod_growth": med_gd,
    }
    for em in scores.values():
        em.thresholds = dict(meta)


def _state(em: Emergence, p: EmergenceParams) -> tuple[str, str]:
    """One headline state, in a fixed order of precedence, with the rule that set it.

    BERTrend's popularity only grows while documents arrive, so it says how big a trend
    is; growth comes from Kleinberg's bursts and from a rise of articles that an unchanged
    share of the corpus would rarely give (binomial test, `alpha`).
    """
    rising = em.momentum >= p.rising_ratio and em.recent >= p.min_recent and em.rise_p <= p.alpha
    falling = em.momentum <= 1.0 / p.rising_ratio and em.fall_p <= p.alpha
    if em.popularity_class == "strong" and not falling:
        return "strong", "popularity above the corpus's high percentile and not falling"
    if em.burst_active:
        return "emerging", "a Kleinberg burst is active in the last period"
    if rising:
        return "emerging", (
            f"articles up {em.momentum:.1f}x on the periods before (p = {em.rise_p:.3f})"
        )
    if falling:
        return "fading", f"articles down to {em.momentum:.2f}x of the periods before"
    return "noise", "no burst, no significant rise, popularity not above the high percentile"
