"""Period keys (week, month, quarter, year): the time axis of every count and score."""

from __future__ import annotations

from datetime import date, timedelta

PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")


def parse_date(value: str | date | None) -> date | None:
    """An ISO date (YYYY-MM-DD, or a longer timestamp) or None when absent or invalid."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    return period


def period_start(day: date, period: str) -> date:
    """The first day of the period holding `day` (ISO weeks start on Monday)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown period {period!r}")


def next_start(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "year":
        return date(start.year + 1, 1, 1)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def previous_start(start: date, period: str) -> date:
    return period_start(start - timedelta(days=1), period)


def period_key(day: date, period: str) -> str:
    """A readable, sortable key: 2024-W05, 2024-05, 2024-Q2, 2024."""
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}"


def period_range(first: date, last: date, period: str) -> list[date]:
    """Start dates of every period from the one holding `first` to the one holding `last`."""
    out: list[date] = []
    current = period_start(first, period)
    end = period_start(last, period)
    while current <= end:
        out.append(current)
        current = next_start(current, period)
    return out
