"""Charts as SVG and PNG (matplotlib, Agg backend): the emergence map and timelines.

SVGs are written without a date and with a fixed hash salt, so the same numbers give the
same file (pages are rewritten only when they change).
"""

from __future__ import annotations

import math
from pathlib import Path

from techwatch.trends.analysis import Trend, TrendReport

QUADRANT_NAMES = {
    "weak_signal": "weak signals",
    "strong_signal": "strong signals",
    "latent": "latent",
    "well_known": "well known",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    matplotlib.rcParams["svg.hashsalt"] = "techwatch"
    matplotlib.rcParams["font.size"] = 8
    import matplotlib.pyplot as plt

    return plt


def _save(fig, base: Path) -> list[Path]:
    base.parent.mkdir(parents=True, exist_ok=True)
    svg, png = base.with_suffix(".svg"), base.with_suffix(".png")
    fig.savefig(svg, format="svg", metadata={"Date": None}, bbox_inches="tight")
    fig.savefig(png, format="png", dpi=120, metadata={"Software": None}, bbox_inches="tight")
    return [svg, png]


def _short(text: str, width: int = 32) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def emergence_map(report: TrendReport, base: Path, annotate: int = 12) -> list[Path]:
    """Yoon's map: average articles per period (x) against DoD growth (y), medians dashed."""
    plt = _pyplot()
    scored = [
        t
        for t in report.trends
        if t.state != "insufficient_history" and math.isfinite(t.emergence.dod_growth)
    ]
    fig, ax = plt.subplots(figsize=(7, 5))
    if scored:
        x = [t.emergence.avg_df for t in scored]
        y = [t.emergence.dod_growth for t in scored]
        colours = {
            "weak_signal": "#d95f02",
            "strong_signal": "#1b9e77",
            "latent": "#7570b3",
            "well_known": "#666666",
        }
        ax.scatter(x, y, s=18, c=[colours.get(t.emergence.dod_quadrant, "#999") for t in scored])
        th = scored[0].emergence.thresholds
        mx, my = th.get("median_avg_df", 0.0), th.get("median_dod_growth", 0.0)
        ax.axvline(mx, color="#999", linestyle="--", linewidth=0.8)
        ax.axhline(my, color="#999", linestyle="--", linewidth=0.8)
        for name, (hx, hy) in {
            "weak_signal": (0.02, 0.97),
            "strong_signal": (0.98, 0.97),
            "latent": (0.02, 0.03),
            "well_known": (0.98, 0.03),
        }.items():
            ax.text(
                hx,
                hy,
                QUADRANT_NAMES[name],
                transform=ax.transAxes,
                color=colours[name],
                ha="left" if hx < 0.5 else "right",
                va="top" if hy > 0.5 else "bottom",
            )
        ranked = sorted(scored, key=lambda t: -abs(t.emergence.dod_growth) * (1 + t.articles))
        for t in ranked[:annotate]:
            ax.annotate(_short(t.label), (t.emergence.avg_df, t.emergence.dod_growth), fontsize=6)
    else:
        ax.text(
            0.5,
            0.5,
            report.message or "not enough history to map",
            ha="center",
            transform=ax.transAxes,
        )
    ax.set_xlabel("average articles per period (diffusion)")
    ax.set_ylabel("time-weighted growth of DoD (geometric mean)")
    ax.set_title(f"Emergence map: {report.kind} by {report.period}")
    try:
        return _save(fig, base)
    finally:
        plt.close(fig)


def timelines(
    report: TrendReport, base: Path, trends: list[Trend] | None = None, top: int = 8
) -> list[Path]:
    """Articles per period for the given trends (default: emerging, then strong)."""
    plt = _pyplot()
    chosen = trends if trends is not None else (report.emerging + report.strong)[:top]
    fig, ax = plt.subplots(figsize=(8, 4))
    if chosen and report.periods:
        xs = list(range(len(report.periods)))
        for t in chosen:
            ax.plot(
                xs, t.emergence.df, marker="o", markersize=2, linewidth=1, label=_short(t.label, 40)
            )
        step = max(1, len(xs) // 12)
        ax.set_xticks(xs[::step])
        ax.set_xticklabels(report.periods[::step], rotation=45, ha="right")
        ax.legend(fontsize=6, loc="upper left")
    else:
        ax.text(
            0.5, 0.5, report.message or "no trends to plot", ha="center", transform=ax.transAxes
        )
    ax.set_ylabel("articles")
    ax.set_title(f"Timelines: {report.kind} by {report.period}")
    try:
        return _save(fig, base)
    finally:
        plt.close(fig)


def _svg(draw, report: TrendReport) -> str:  # type: ignore[no-untyped-def]
    """A chart as SVG text, through a temporary folder (pages write text only)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = draw(report, Path(folder) / "chart")
        return paths[0].read_text(encoding="utf-8")


def emergence_map_svg(report: TrendReport) -> str:
    return _svg(emergence_map, report)


def timelines_svg(report: TrendReport) -> str:
    return _svg(timelines, report)
