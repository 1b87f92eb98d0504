"""The JSON API of the live app (documented at /openapi.json).

Reads follow the same rule as the pages (login unless `web.public_read`); writes need a
user, by session cookie plus CSRF token, or by `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from techwatch.fetch.guard import inspect_url
from techwatch.web.data import CardView
from techwatch.web.jobs import Job, JobProgress
from techwatch.web.security import require_reader, require_writer
from techwatch.workspace import Workspace

router = APIRouter(prefix="/api", tags=["api"])


class CardOut(BaseModel):
    id: str
    title: str
    url: str
    date: str
    category: str
    type: str
    summary: str
    keywords: list[str]
    themes: list[str]
    source_id: int | None = None
    card: dict[str, Any] = Field(description="The full card (see techwatch.card.Card).")

    @classmethod
    def of(cls, c: CardView, full: bool = False) -> CardOut:
        return cls(
            id=c.id,
            title=c.title,
            url=c.url,
            date=c.date,
            category=c.card.category,
            type=c.card.type,
            summary=c.card.summary,
            keywords=c.card.keywords,
            themes=c.card.themes,
            source_id=c.source_id,
            card=c.card.model_dump(mode="json") if full else {},
        )


class CardDetail(CardOut):
    related: list[CardOut]
    rating: int | None
    signal_states: dict[int, str]


class Page(BaseModel):
    total: int
    items: list[CardOut]


class Hit(BaseModel):
    card: CardOut
    snippet: str
    score: float


class SourceOut(BaseModel):
    id: int
    kind: str
    location: str
    title: str
    status: str
    reason: str
    health: str
    counts: dict[str, int]


class NewSource(BaseModel):
    location: str = Field(
        description="An http(s) URL: feed, newsletter issue or archive, OPML, URL list."
    )


class SourceAdded(BaseModel):
    id: int
    kind: str
    status: str
    reason: str
    found: int
    new: int


class Rating(BaseModel):
    rating: int = Field(ge=1, le=5)


class SignalVerdict(BaseModel):
    state: Literal["confirmed", "dismissed"]


class WatchIn(BaseModel):
    kind: Literal["trend", "query"]
    value: str
    label: str = ""


class WatchOut(BaseModel):
    id: int
    kind: str
    value: str
    label: str


class TrendEdit(BaseModel):
    label: str = ""
    merged_into: str | None = None


class RunOut(BaseModel):
    id: int
    started: bool
    done: bool
    failed: bool
    events: list[dict[str, Any]]


def _data(request: Request) -> Any:
    return request.app.state.data


def add_source_checked(ws: Workspace, location: str) -> Any:
    """Add a source from the web: an http(s) URL only, through the fetch guard first."""
    location = location.strip()
    if not location.lower().startswith(("http://", "https://")):
        raise ValueError("give an http or https URL (files and folders are added from the CLI)")
    fetch = ws.settings.fetch
    verdict = inspect_url(location, fetch.allow_private, fetch.allowed_networks)
    if verdict is not None:
        raise ValueError(f"refused: {verdict.reason}")
    return ws.add(location)


def start_ask(
    app: FastAPI, question: str, *, since: str = "", until: str = "", category: str = ""
) -> Job:
    """Answer in a background job: tokens as they stream, then the cited answer."""
    ws: Workspace = app.state.ws

    def work(progress: JobProgress) -> dict[str, Any]:
        job = progress.job
        answer = ws.ask(
            question,
            since=since or None,
            until=until or None,
            category=category or None,
            on_token=lambda token: job.emit("token", text=str(token)),
        )
        data = answer_json(answer)
        job.emit("answer", **data)
        return {"found": data["found"]}

    job, _ = app.state.asks.start(work)
    return job


def answer_json(answer: Any) -> dict[str, Any]:
    """An Answer as plain data: claims with their citations, sources, notes."""

    def cite(c: Any) -> dict[str, str]:
        return {"id": c.card_id, "title": c.title, "url": c.url}

    return {
        "question": answer.question,
        "mode": answer.mode,
        "found": answer.found,
        "message": answer.message,
        "notes": list(answer.notes),
        "claims": [
            {"text": c.text, "citations": [cite(x) for x in c.citations]} for c in answer.claims
        ],
        "sources": [cite(c) for c in answer.sources],
    }


def start_pipeline(app: FastAPI) -> tuple[Job, bool]:
    ws: Workspace = app.state.ws

    def work(progress: JobProgress) -> dict[str, Any]:
        result = ws.run(progress=progress)
        pages = result.pages
        return {
            "fetch": dict(result.fetch.counts),
            "analyze": dict(result.analyze.counts),
            "pages": {"written": pages.written, "unchanged": pages.unchanged},
        }

    return app.state.jobs.start(work)


@router.get("/cards", response_model=Page, summary="Cards, newest issue first")
def list_cards(
    request: Request, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)
) -> Page:
    require_reader(request, html=False)
    data = _data(request)
    return Page(
        total=data.count_cards(),
        items=[CardOut.of(c) for c in data.cards(limit=limit, offset=offset)],
    )


@router.get("/cards/{card_id}", response_model=CardDetail, summary="One card, its related cards")
def get_card(request: Request, card_id: str) -> CardDetail:
    require_reader(request, html=False)
    data = _data(request)
    view = data.card(card_id)
    if view is None:
        raise HTTPException(404, "no card has this id")
    cur = request.app.state.curation
    base = CardOut.of(view, full=True).model_dump()
    return CardDetail(
        **base,
        related=[CardOut.of(c) for c in data.related(card_id)],
        rating=cur.rating("card", card_id),
        signal_states=cur.signal_states(card_id),
    )


@router.get("/search", response_model=list[Hit], summary="Search cards, with filters")
def search(
    request: Request,
    q: str = "",
    since: str = "",
    until: str = "",
    category: str = "",
    type: str = "",
    source: int | None = None,
    trend: str = "",
    state: str = "",
    limit: int = Query(50, ge=1, le=500),
) -> list[Hit]:
    require_reader(request, html=False)
    from techwatch.web.app import filters_from

    filters = filters_from(
        {
            "since": since,
            "until": until,
            "category": category,
            "type": type,
            "source": source,
            "trend": trend,
            "state": state,
        }
    )
    from techwatch.web.app import _trend_cards

    try:
        results = _data(request).search(
            q, filters, limit=limit, trend_cards=_trend_cards(request.app, trend)
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return [Hit(card=CardOut.of(r.card), snippet=r.snippet, score=r.score) for r in results]


class AskIn(BaseModel):
    question: str = Field(max_length=2000)
    since: str = ""
    until: str = ""
    category: str = ""


@router.post("/ask", summary="Ask the corpus: an answer whose claims cite their cards")
def ask(request: Request, body: AskIn, x_csrf_token: str | None = Header(None)) -> dict[str, Any]:
    require_writer(request, x_csrf_token, html=False)
    ws = request.app.state.ws
    if not callable(getattr(ws, "ask", None)):
        raise HTTPException(404, "asking is not available in this version")
    try:
        answer = ws.ask(
            body.question,
            since=body.since or None,
            until=body.until or None,
            category=body.category or None,
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return answer_json(answer)


@router.get("/sources", response_model=list[SourceOut], summary="Sources and their health")
def sources(request: Request) -> list[SourceOut]:
    require_reader(request, html=False)
    return [
        SourceOut(
            **{
                k: s.get(k) or ("" if k not in ("counts", "id") else s.get(k))
                for k in SourceOut.model_fields
            }
        )
        for s in _data(request).sources()
    ]


@router.post("/sources", response_model=SourceAdded, status_code=201, summary="Add a source")
async def add_source(
    request: Request, body: NewSource, x_csrf_token: str | None = Header(None)
) -> SourceAdded:
    # Fetching the source waits on the network: off the endpoints' thread pool.
    return await asyncio.to_thread(_add_source, request, body, x_csrf_token)


def _add_source(request: Request, body: NewSource, x_csrf_token: str | None) -> SourceAdded:
    require_writer(request, x_csrf_token, html=False)
    try:
        report = add_source_checked(request.app.state.ws, body.location)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return SourceAdded(
        id=report.source_id,
        kind=report.kind,
        status=report.status,
        reason=report.reason,
        found=report.found,
        new=report.new,
    )


@router.get("/status", summary="Counts per status, latest problems, last runs")
def status(request: Request) -> dict[str, Any]:
    require_reader(request, html=False)
    return request.app.state.ws.status().to_dict()


@router.post("/runs", response_model=RunOut, status_code=202, summary="Run the pipeline now")
def start_run(request: Request, x_csrf_token: str | None = Header(None)) -> RunOut:
    require_writer(request, x_csrf_token, html=False)
    job, started = start_pipeline(request.app)
    return RunOut(id=job.id, started=started, done=job.done, failed=job.failed, events=job.since(0))


@router.get("/runs/{job_id}", response_model=RunOut, summary="A run's progress so far")
def get_run(request: Request, job_id: int) -> RunOut:
    require_reader(request, html=False)
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such run")
    return RunOut(id=job.id, started=True, done=job.done, failed=job.failed, events=job.since(0))


@router.put("/cards/{card_id}/rating", summary="Rate a card (1-5)")
def rate_card(
    request: Request, card_id: str, body: Rating, x_csrf_token: str | None = Header(None)
) -> dict[str, Any]:
    user = require_writer(request, x_csrf_token, html=False)
    if _data(request).card(card_id) is None:
        raise HTTPException(404, "no card has this id")
    request.app.state.curation.rate("card", card_id, body.rating, user.id)
    return {"card": card_id, "rating": body.rating}


@router.put("/cards/{card_id}/signals/{position}/rating", summary="Rate a signal (1-5)")
def rate_signal(
    request: Request,
    card_id: str,
    position: int,
    body: Rating,
    x_csrf_token: str | None = Header(None),
) -> dict[str, Any]:
    user = require_writer(request, x_csrf_token, html=False)
    _signal_or_404(request, card_id, position)
    request.app.state.curation.rate("signal", f"{card_id}:{position}", body.rating, user.id)
    return {"card": card_id, "signal": position, "rating": body.rating}


@router.put("/cards/{card_id}/signals/{position}/state", summary="Confirm or dismiss a signal")
def signal_state(
    request: Request,
    card_id: str,
    position: int,
    body: SignalVerdict,
    x_csrf_token: str | None = Header(None),
) -> dict[str, Any]:
    user = require_writer(request, x_csrf_token, html=False)
    _signal_or_404(request, card_id, position)
    request.app.state.curation.set_signal(card_id, position, body.state, user.id)
    return {"card": card_id, "signal": position, "state": body.state}


def _signal_or_404(request: Request, card_id: str, position: int) -> None:
    view = _data(request).card(card_id)
    if view is None or not 0 <= position < len(view.card.signals):
        raise HTTPException(404, "no such signal")


class TrendOut(BaseModel):
    id: str
    label: str
    state: str
    articles: int
    first_seen: str
    last_seen: str
    popularity: float
    merged_into: str | None
    watched: bool


class TrendsOut(BaseModel):
    emerging: list[TrendOut]
    strong: list[TrendOut]
    fading: list[TrendOut]
    others: list[TrendOut]


@router.get("/trends", response_model=TrendsOut, summary="Emerging, strong and fading trends")
def trends(request: Request) -> TrendsOut:
    require_reader(request, html=False)
    x = request.app.state.extras.get()
    if not x.trends:
        raise HTTPException(404, "no trends yet: run `techwatch run` or `techwatch trends`")
    return TrendsOut(
        emerging=[TrendOut(**t.__dict__) for t in x.emerging],
        strong=[TrendOut(**t.__dict__) for t in x.strong],
        fading=[TrendOut(**t.__dict__) for t in x.fading],
        others=[TrendOut(**t.__dict__) for t in x.others],
    )


@router.get("/topic", summary="A topic page as data: digest, signals, items, cards, citations")
def topic(request: Request, q: str = Query(min_length=1, max_length=200)) -> dict[str, Any]:
    require_reader(request, html=False)
    ws = request.app.state.ws
    if not callable(getattr(ws, "topic", None)):
        raise HTTPException(404, "topic pages are not available in this version")
    return _plain(ws.topic(q.strip()))


@router.get("/review", summary="A review as data: new, rising, fading and strongest trends")
def review(
    request: Request,
    period: Literal["week", "month", "quarter", "year"] = "month",
    day: str = Query("", description="A date in the period (YYYY-MM-DD); default the latest."),
) -> dict[str, Any]:
    require_reader(request, html=False)
    from datetime import date

    ws = request.app.state.ws
    if not callable(getattr(ws, "review", None)):
        raise HTTPException(404, "reviews are not available in this version")
    try:
        when = date.fromisoformat(day) if day else None
        return _plain(ws.review(period, when))
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


def _plain(obj: Any) -> dict[str, Any]:
    """A result dataclass as JSON-ready data (dates as ISO text)."""
    import dataclasses

    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(dataclasses.asdict(obj))


@router.put("/trends/{trend_id}", summary="Rename a trend or merge it into another")
def edit_trend(
    request: Request, trend_id: str, body: TrendEdit, x_csrf_token: str | None = Header(None)
) -> dict[str, Any]:
    require_writer(request, x_csrf_token, html=False)
    try:
        request.app.state.curation.edit_trend(
            trend_id, label=body.label, merged_into=body.merged_into
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    request.app.state.extras.invalidate()
    return {"trend": trend_id, **request.app.state.curation.trend_edits()[trend_id]}


@router.get("/watchlist", response_model=list[WatchOut], summary="Watched trends and queries")
def watchlist(request: Request) -> list[WatchOut]:
    require_reader(request, html=False)
    return [WatchOut(**w.__dict__) for w in request.app.state.curation.watchlist()]


@router.post("/watchlist", response_model=WatchOut, status_code=201, summary="Watch something")
def watch(request: Request, body: WatchIn, x_csrf_token: str | None = Header(None)) -> WatchOut:
    require_writer(request, x_csrf_token, html=False)
    try:
        item = request.app.state.curation.watch(body.kind, body.value, body.label)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return WatchOut(**item.__dict__)


@router.delete("/watchlist/{item_id}", status_code=204, summary="Stop watching")
def unwatch(request: Request, item_id: int, x_csrf_token: str | None = Header(None)) -> None:
    require_writer(request, x_csrf_token, html=False)
    if not request.app.state.curation.unwatch(item_id):
        raise HTTPException(404, "not in the watchlist")
