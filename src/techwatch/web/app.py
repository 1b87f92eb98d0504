"""`techwatch serve`: the live app (FastAPI + Jinja2 + HTMX) over one Workspace.

HTML pages here, the JSON API in `api.py`; both read through `WebData` and write through
`Curation`, `Users` and the Workspace. Endpoints are plain `def` (run in a thread pool),
since the store and the stages are synchronous.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from techwatch.web import features
from techwatch.web.auth import Users
from techwatch.web.cache import Generation
from techwatch.web.curation import Curation
from techwatch.web.data import Filters, WebData, group_by_letter
from techwatch.web.jobs import Jobs
from techwatch.web.render import LiveUrls, environment, highlight, safe_url
from techwatch.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    NeedLogin,
    SecurityMiddleware,
    current_user,
    require_reader,
    require_writer,
    set_cookie,
)
from techwatch.web.throttle import LoginThrottle
from techwatch.workspace import Workspace

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
PER_PAGE = 50
MESSAGES = {
    "rated": "Rating saved.",
    "signal": "Signal updated.",
    "watched": "Added to your watchlist.",
    "unwatched": "Removed from your watchlist.",
    "loggedout": "You are logged out.",
    "trend": "Trend updated.",
}


def create_app(ws: Workspace) -> FastAPI:
    """The app for one open workspace (the caller keeps it open while the app runs)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="techwatch",
        summary="Browse, search and curate a tech watch.",
        docs_url=None,  # the Swagger page loads scripts from a CDN; /openapi.json is served
        redoc_url=None,
    )
    app.state.ws = ws
    app.state.data = WebData(ws)
    app.state.users = Users(ws.store, cache=app.state.data.reads)
    app.state.curation = Curation(ws.store)
    # Shared by every worker process of the app: kept in the store, not in memory.
    app.state.jobs = Jobs(ws.store, "run")
    app.state.asks = Jobs(ws.store, "ask", exclusive=False)
    app.state.throttle = LoginThrottle(ws.store)
    app.state.extras = ExtrasCache(ws, app.state.data.reads.generation)
    threading.Thread(
        target=_warm_up, args=(app.state.data,), name="techwatch-warm-up", daemon=True
    ).start()
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    from techwatch.web.api import router

    app.include_router(router)
    _pages(app)
    return app


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page with what every page needs: links, user, CSRF token, features, message."""
    app = request.app
    ctx.setdefault("u", LiveUrls())
    ctx.setdefault("user", current_user(request))
    ctx.setdefault("csrf", request.state.csrf)
    ctx.setdefault("features", app.state.extras.get().flags())
    ctx.setdefault("flash", MESSAGES.get(request.query_params.get("done", ""), ""))
    ctx.setdefault("title", "techwatch")
    html = environment().get_template(template).render(**ctx)
    return HTMLResponse(html, status_code=status)


def _card_page(app: FastAPI, view: Any) -> dict[str, Any]:
    """What a card page shows beside the card; the same for every reader until the next
    commit (a rating or a signal state is a commit), so it is cached with the card views."""
    data: WebData = app.state.data
    cur: Curation = app.state.curation
    quotes = [i.evidence for items in view.card.items().values() for i in items if i.evidence]
    text = data.article_text(view.id)
    return {
        "related": data.related(view.id),
        "article_html": highlight(text, quotes) if text else None,
        "rating": cur.rating("card", view.id),
        "states": cur.signal_states(view.id),
    }


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _local_next(target: str | None) -> str:
    """Only same-site paths after login (no open redirect)."""
    target = target or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def filters_from(params: Any) -> Filters:
    return Filters(
        since=(params.get("since") or "")[:10],
        until=(params.get("until") or "")[:10],
        category=params.get("category") or "",
        type=params.get("type") or "",
        source=_int(params.get("source")),
        trend=params.get("trend") or "",
        state=params.get("state") or "",
    )


def _pages(app: FastAPI) -> None:
    data: WebData = app.state.data

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        require_reader(request, html=True)
        latest = data.cards(limit=20)
        extras = app.state.extras.get()
        return render(
            request,
            "home.html",
            title="Home",
            latest=latest,
            total=data.count_cards(),
            issues=0,
            trends=extras.emerging[:10],
            review=features.ReviewLink("month-latest", "This month's review")
            if extras.trends and features.has(app.state.ws, "review")
            else None,
            topics=extras.topics,
            rated=data.cards_by_ids(app.state.curation.top_rated()),
        )

    @app.get("/cards", response_class=HTMLResponse, include_in_schema=False)
    def cards(request: Request, page: int = 1) -> Response:
        require_reader(request, html=True)
        total = data.count_cards()
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        chunk = data.cards(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        return render(
            request,
            "cards.html",
            title="All cards",
            cards=chunk,
            page=page,
            pages=pages,
            empty="No cards yet: add a source on the Sources page and run the pipeline.",
        )

    @app.get("/cards/{card_id}", response_class=HTMLResponse, include_in_schema=False)
    async def card(request: Request, card_id: str) -> Response:
        return await anyio.to_thread.run_sync(card_page, request, card_id, limiter=_page_threads())

    def card_page(request: Request, card_id: str) -> Response:
        require_reader(request, html=True)
        view = data.card(card_id)
        if view is None:
            return _not_found(request, "No card has this id.")
        page = data.reads.get(("card page", card_id), lambda: _card_page(app, view))
        return render(request, "card.html", title=view.title, c=view, **page)

    @app.post("/cards/{card_id}/rate", response_class=HTMLResponse, include_in_schema=False)
    def rate_card(
        request: Request,
        card_id: str,
        rating: Annotated[int, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        user = require_writer(request, csrf, html=True)
        view = data.card(card_id)
        if view is None:
            return _not_found(request, "No card has this id.")
        try:
            app.state.curation.rate("card", card_id, rating, user.id)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        if _is_htmx(request):
            tpl = environment().get_template("_rate.html")
            return HTMLResponse(
                tpl.render(c=view, user=user, csrf=request.state.csrf, rating=rating)
            )
        return RedirectResponse(f"/cards/{quote(card_id, safe='')}?done=rated", 303)

    @app.post("/cards/{card_id}/signals/{position}", include_in_schema=False)
    def curate_signal(
        request: Request,
        card_id: str,
        position: int,
        state: Annotated[str, Form()] = "",
        rating: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        user = require_writer(request, csrf, html=True)
        view = data.card(card_id)
        if view is None or not 0 <= position < len(view.card.signals):
            return _not_found(request, "No such signal.")
        cur: Curation = app.state.curation
        try:
            if state:
                cur.set_signal(card_id, position, state, user.id)
            if rating:
                cur.rate("signal", f"{card_id}:{position}", int(rating), user.id)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        return RedirectResponse(
            f"/cards/{quote(card_id, safe='')}?done=signal#signal-{position}", 303
        )

    @app.get("/issues", response_class=HTMLResponse, include_in_schema=False)
    def issues(request: Request) -> Response:
        require_reader(request, html=True)
        return render(request, "issues.html", title="Issues", issues=data.issue_list())

    @app.get("/issues/{key}", response_class=HTMLResponse, include_in_schema=False)
    def issue(request: Request, key: str) -> Response:
        require_reader(request, html=True)
        found = data.issue(key)
        if found is None:
            return _not_found(request, "No issue has this name.")
        return render(
            request,
            "cards.html",
            title=found.title,
            intro=f"{len(found.cards)} cards",
            external=safe_url(found.url),
            cards=found.cards,
            empty="No cards.",
        )

    for kind, section, label in (
        ("keyword", "keywords", "Keywords"),
        ("theme", "themes", "Themes"),
    ):
        _term_routes(app, data, kind, section, label)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(request: Request, q: str = "") -> Response:
        require_reader(request, html=True)
        filters = filters_from(request.query_params)
        try:
            results = (
                data.search(q, filters, trend_cards=_trend_cards(app, filters.trend))
                if (q.strip() or filters.active())
                else None
            )
        except ValueError as exc:  # a malformed date
            raise HTTPException(400, str(exc)) from exc
        ctx: dict[str, Any] = {
            "q": q,
            "f": filters,
            "results": results,
            "categories": data.categories(),
            "types": data.types(),
            "sources": data.sources(),
        }
        if _is_htmx(request):
            return render(request, "_results.html", **ctx)
        return render(request, "search.html", title="Search", **ctx)

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources(request: Request) -> Response:
        require_reader(request, html=True)
        return render(
            request,
            "sources.html",
            title="Sources",
            sources=data.sources(),
            problems=data.problems(),
        )

    @app.post("/sources", response_class=HTMLResponse, include_in_schema=False)
    async def add_source(
        request: Request,
        location: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        # Fetching the source waits on the network: off the endpoints' pool (`SERVE_THREADS`).
        return await asyncio.to_thread(add_source_page, request, location, csrf)

    def add_source_page(request: Request, location: str, csrf: str) -> Response:
        require_writer(request, csrf, html=True)
        from techwatch.web.api import add_source_checked

        try:
            report = add_source_checked(app.state.ws, location)
        except ValueError as exc:
            return render(
                request, "message.html", status=400, title="Source not added", error=str(exc)
            )
        text = f"Source added ({report.kind}): {report.found} links, {report.new} new."
        if report.status != "ok":
            text += f" Status {report.status}: {report.reason}"
        return render(request, "message.html", title="Source added", message=text, back="/sources")

    @app.get("/sources/{source_id}", response_class=HTMLResponse, include_in_schema=False)
    def source(request: Request, source_id: int) -> Response:
        require_reader(request, html=True)
        found = data.source(source_id)
        if found is None:
            return _not_found(request, "No source has this id.")
        return render(
            request,
            "source.html",
            title=found["title"] or found["location"],
            source=found,
            cards=data.cards_of_source(source_id),
        )

    @app.post("/runs", response_class=HTMLResponse, include_in_schema=False)
    def start_run(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        require_writer(request, csrf, html=True)
        from techwatch.web.api import start_pipeline

        job, started = start_pipeline(app)
        return render(request, "_run.html", job=job, started=started)

    @app.get("/runs/{job_id}/events", include_in_schema=False)
    async def run_events(request: Request, job_id: int) -> Response:
        await asyncio.to_thread(require_reader, request, html=False)
        jobs: Jobs = app.state.jobs
        if await asyncio.to_thread(jobs.get, job_id) is None:
            raise HTTPException(404, "no such run")
        return StreamingResponse(
            _sse(request, jobs, job_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/watchlist", response_class=HTMLResponse, include_in_schema=False)
    def watchlist(request: Request) -> Response:
        require_reader(request, html=True)
        return render(
            request, "watchlist.html", title="Watchlist", items=app.state.curation.watchlist()
        )

    @app.post("/watchlist", include_in_schema=False)
    def watch(
        request: Request,
        kind: Annotated[str, Form()],
        value: Annotated[str, Form()],
        label: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        require_writer(request, csrf, html=True)
        try:
            app.state.curation.watch(kind, value, label)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        return RedirectResponse("/watchlist?done=watched", 303)

    @app.post("/watchlist/{item_id}/delete", include_in_schema=False)
    def unwatch(request: Request, item_id: int, csrf: Annotated[str, Form()] = "") -> Response:
        require_writer(request, csrf, html=True)
        app.state.curation.unwatch(item_id)
        return RedirectResponse("/watchlist?done=unwatched", 303)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> Response:
        return render(
            request,
            "login.html",
            title="Log in",
            next=_local_next(next),
            no_users=app.state.users.count() == 0,
        )

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        name: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        from techwatch.web.security import check_csrf

        request.state.by_token = False
        check_csrf(request, csrf)
        throttle: LoginThrottle = app.state.throttle
        if throttle.blocked(name):
            return render(
                request,
                "login.html",
                status=429,
                title="Log in",
                next=_local_next(next),
                error="Too many failed attempts for this name: wait a few minutes.",
            )
        user = app.state.users.check(name, password)
        if user is None:
            throttle.failed(name)
            return render(
                request,
                "login.html",
                status=401,
                title="Log in",
                next=_local_next(next),
                error="Wrong name or password.",
                no_users=app.state.users.count() == 0,
            )
        hours = app.state.ws.settings.web.session_hours
        token = app.state.users.start_session(user, hours)
        response = RedirectResponse(_local_next(next), 303)
        set_cookie(response, request, SESSION_COOKIE, token, max_age=int(hours * 3600))
        # A fresh CSRF token with the new session (a token planted before login is useless).
        set_cookie(response, request, CSRF_COOKIE, secrets.token_urlsafe(32), samesite="strict")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        from techwatch.web.security import check_csrf

        check_csrf(request, csrf)
        app.state.users.end_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login?done=loggedout", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    _trend_pages(app)
    _output_pages(app)

    @app.get("/feed.atom", include_in_schema=False)
    def feed(request: Request) -> Response:
        require_reader(request, html=False)
        cards = data.cards(limit=50)
        text = (
            environment()
            .get_template("feed.atom")
            .render(
                u=LiveUrls(),
                cards=cards,
                reviews=[],
                updated=max(
                    (c.updated for c in cards if c.updated), default="1970-01-01T00:00:00+00:00"
                ),
            )
        )
        return Response(text, media_type="application/atom+xml")


class ExtrasCache:
    """What the later steps offer, computed at most once a minute, or again as soon as the
    trend edits change: in this process or in another worker process of the app (their
    stamp is read only when the store's generation moved, so a page pays nothing)."""

    def __init__(self, ws: Workspace, generation: Generation, ttl: float = 60.0) -> None:
        self.ws, self.ttl, self.generation = ws, ttl, generation
        self.value: features.Extras | None = None
        self.at = 0.0
        self.seen_generation: int | None = None
        self.stamp: tuple[Any, ...] | None = None
        self.lock = threading.Lock()

    def _edits_stamp(self) -> tuple[Any, ...]:
        from sqlalchemy import func, select

        from techwatch.store import schema as t

        with self.ws.store.engine.connect() as conn:
            row = conn.execute(select(func.count(), func.max(t.trend_edits.c.updated_at))).one()
        return tuple(row)

    def get(self) -> features.Extras:
        with self.lock:
            gen = self.generation.current()
            if gen != self.seen_generation:
                self.seen_generation = gen
                stamp = self._edits_stamp()
                if stamp != self.stamp:
                    self.stamp, self.value = stamp, None
            if self.value is None or time.monotonic() - self.at > self.ttl:
                self.value = features.collect(self.ws, reviews=False)
                self.at = time.monotonic()
            return self.value

    def invalidate(self) -> None:
        with self.lock:
            self.value = None


def _trend_pages(app: FastAPI) -> None:
    ws: Workspace = app.state.ws

    def extras_or_404(request: Request) -> features.Extras:
        require_reader(request, html=True)
        x = app.state.extras.get()
        if not x.trends:
            raise HTTPException(404, "no trends yet: run `techwatch run` or `techwatch trends`")
        return x

    @app.get("/trends", response_class=HTMLResponse, include_in_schema=False)
    def trends(request: Request) -> Response:
        x = extras_or_404(request)
        return render(request, "trends.html", title="Trends", x=x)

    @app.get("/trends/emergence-map.svg", include_in_schema=False)
    def emergence(request: Request) -> Response:
        x = extras_or_404(request)
        svg = features.emergence_svg(x.report)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @app.get("/trends/timelines.svg", include_in_schema=False)
    def timelines(request: Request) -> Response:
        x = extras_or_404(request)
        svg = features.timelines_svg(x.report)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @app.get("/trends/{trend_id}", response_class=HTMLResponse, include_in_schema=False)
    def trend(request: Request, trend_id: str) -> Response:
        x = extras_or_404(request)
        found = x.trend(trend_id)
        if found is None:
            return _not_found(request, "No trend has this id.")
        from techwatch.trends.cards import load_cards

        cards = load_cards(ws.store, found.card_ids)
        return render(
            request,
            "doc.html",
            title=x.label(found),
            body=features.trend_html(found, cards, LiveUrls(), x),
            trend_id=found.id,
        )

    @app.post("/trends/{trend_id}/edit", include_in_schema=False)
    def edit_trend(
        request: Request,
        trend_id: str,
        label: Annotated[str, Form()] = "",
        merged_into: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        require_writer(request, csrf, html=True)
        x = app.state.extras.get()
        if merged_into and x.trend(merged_into.strip()) is None:
            raise HTTPException(400, "no trend has the id to merge into")
        try:
            app.state.curation.edit_trend(
                trend_id, label=label, merged_into=merged_into.strip() or None
            )
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        app.state.extras.invalidate()
        return RedirectResponse(f"/trends/{quote(trend_id, safe='')}?done=trend", 303)

    @app.get("/reviews/{key}", response_class=HTMLResponse, include_in_schema=False)
    def review(request: Request, key: str) -> Response:
        require_reader(request, html=True)
        if not features.has(ws, "review"):
            return _not_found(request, "Reviews are not available in this version.")
        period, _, day = key.partition("-")
        if period not in ("week", "month", "quarter", "year"):
            return _not_found(request, "No such review.")
        from datetime import date as _date

        try:
            when = (
                None
                if day in ("", "latest")
                else _date.fromisoformat(f"{day}-01" if len(day) == 7 else day)
            )
            result = ws.review(period, when)
        except ValueError:
            return _not_found(request, "No such review.")
        return render(
            request,
            "doc.html",
            title=f"Review {result.key}",
            body=features.review_html(result, LiveUrls()),
        )

    @app.get("/topics/{query:path}", response_class=HTMLResponse, include_in_schema=False)
    def topic(request: Request, query: str) -> Response:
        require_reader(request, html=True)
        if not features.has(ws, "topic"):
            return _not_found(request, "Topic pages are not available in this version.")
        query = query.strip()[:200]
        if not query:
            return _not_found(request, "Give a topic.")
        page = ws.topic(query)
        return render(
            request, "doc.html", title=f"Topic: {query}", body=features.topic_html(page, LiveUrls())
        )

    @app.get("/topic", include_in_schema=False)
    def topic_form(request: Request, q: str = "") -> Response:
        require_reader(request, html=True)
        if q.strip():
            return RedirectResponse(f"/topics/{quote(q.strip(), safe='')}", 303)
        return render(request, "topic_form.html", title="Topic page")


def _output_pages(app: FastAPI) -> None:
    """Ask (streamed, cited) and decks: present when the workspace offers them."""
    ws: Workspace = app.state.ws

    @app.get("/ask", response_class=HTMLResponse, include_in_schema=False)
    def ask_form(request: Request) -> Response:
        require_reader(request, html=True)
        if not features.has(ws, "ask"):
            return _not_found(request, "Asking is not available in this version.")
        return render(request, "ask.html", title="Ask", categories=app.state.data.categories())

    @app.post("/ask", response_class=HTMLResponse, include_in_schema=False)
    def ask(
        request: Request,
        question: Annotated[str, Form()],
        since: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "",
        category: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        require_writer(request, csrf, html=True)
        from techwatch.web.api import start_ask

        job = start_ask(app, question, since=since, until=until, category=category)
        return render(request, "_ask.html", job=job)

    @app.get("/asks/{job_id}/events", include_in_schema=False)
    async def ask_events(request: Request, job_id: int) -> Response:
        await asyncio.to_thread(require_reader, request, html=False)
        asks: Jobs = app.state.asks
        if await asyncio.to_thread(asks.get, job_id) is None:
            raise HTTPException(404, "no such answer")
        return StreamingResponse(
            _sse(request, asks, job_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )

    @app.post("/deck", response_class=HTMLResponse, include_in_schema=False)
    def deck(
        request: Request,
        what: Annotated[str, Form()],
        value: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        require_writer(request, csrf, html=True)
        if not features.has(ws, "deck") or what not in ("card", "topic", "trend", "review"):
            return _not_found(request, "Decks are not available for this.")
        try:
            result = ws.deck(**{what: value.strip()[:200]})
        except (ValueError, LookupError) as exc:
            return render(request, "message.html", status=400, title="No deck", error=str(exc))
        pdf = getattr(result, "pdf", None)
        link = _deck_url(ws, pdf) if pdf else ""
        return render(request, "deck_done.html", title="Deck ready", result=result, link=link)

    @app.get("/decks/{name}/{filename}", include_in_schema=False)
    def deck_file(request: Request, name: str, filename: str) -> Response:
        require_reader(request, html=False)
        from fastapi.responses import FileResponse

        root = (ws.root / "decks").resolve()
        path = (root / name / filename).resolve()
        if root not in path.parents or path.suffix not in (".pdf", ".png") or not path.is_file():
            raise HTTPException(404, "no such deck file")
        return FileResponse(path)


def _deck_url(ws: Workspace, path: Path) -> str:
    try:
        rel = Path(path).resolve().relative_to((ws.root / "decks").resolve())
    except ValueError:
        return ""
    if len(rel.parts) != 2:
        return ""
    return "/decks/" + "/".join(quote(p, safe="") for p in rel.parts)


def _term_routes(app: FastAPI, data: WebData, kind: str, section: str, label: str) -> None:
    link = LiveUrls().keyword if kind == "keyword" else LiveUrls().theme

    def index(request: Request) -> Response:
        require_reader(request, html=True)
        return render(
            request,
            "index_list.html",
            title=label,
            groups=group_by_letter(data.item_counts(kind)),
            link=link,
            empty=f"No {section} yet: they come with the cards.",
        )

    def one(request: Request, name: str) -> Response:
        require_reader(request, html=True)
        cards = data.cards_with_item(kind, name)
        return render(
            request,
            "cards.html",
            title=f"{label[:-1]}: {name}",
            intro=f"{len(cards)} cards",
            cards=cards,
            empty=f"No card has this {kind}.",
        )

    app.add_api_route(f"/{section}", index, response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route(
        f"/{section}/{{name:path}}", one, response_class=HTMLResponse, include_in_schema=False
    )


def _trend_cards(app: FastAPI, trend_id: str) -> set[str] | None:
    """The cards of the trend filter (an unknown trend matches nothing)."""
    if not trend_id:
        return None
    trend = app.state.extras.get().trend(trend_id)
    return set(trend.card_ids) if trend is not None else set()


def _not_found(request: Request, text: str) -> Response:
    return render(request, "message.html", status=404, title="Not found", error=text, back="/")


async def _sse(request: Request, jobs: Jobs, job_id: int) -> Any:
    """The job's events as server-sent events, until it ends or the client leaves. Read
    from the store: the job may run in another worker process of the app."""
    sent = 0
    while True:
        events, ended = await asyncio.to_thread(jobs.poll, job_id, sent)
        for event in events:
            sent += 1
            yield f"event: {event['event']}\ndata: {json.dumps(event, default=str)}\n\n"
        if ended:
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(0.1)


_serving = threading.Event()
# Sync endpoints run in anyio's thread pool (40 threads by default). Twenty page requests at
# once in twenty threads spent as much CPU handing the GIL between them as on the pages (a
# card page: 6.4 ms CPU in 40 threads, 4.4-5.5 ms in 2). As many threads as cores keeps
# the cores busy (SQLite releases the GIL); endpoints that wait on the network (adding a
# source) run outside this pool, so they cannot hold it.
SERVE_THREADS = max(2, os.cpu_count() or 2)
_serve_threads = [SERVE_THREADS]  # per process: the cores shared by the worker processes


# Card pages are short Python work: in one thread of their own, 2.4-3.6 ms of CPU a page
# and a p95 of 72-114 ms under 20 clients, against 4.4-5.5 ms and 109-136 ms in the
# endpoints' pool (searches there gain from two threads: FTS5 runs without the GIL).
PAGE_THREADS = 1
_page_limiter: RunVar[anyio.CapacityLimiter] = RunVar("techwatch_page_limiter")


def _page_threads() -> anyio.CapacityLimiter | None:
    """The card pages' own thread pool in a serving process (per event loop), else None:
    the endpoints' pool."""
    if not _serving.is_set():
        return None
    try:
        return _page_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(PAGE_THREADS)
        _page_limiter.set(limiter)
        return limiter


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """In a serving process, size the endpoints' thread pool (`SERVE_THREADS`)."""
    if _serving.is_set():
        anyio.to_thread.current_default_thread_limiter().total_tokens = _serve_threads[0]
    yield


def _warm_up(data: WebData) -> None:
    """Warm the app up; in a serving process, then freeze what it loaded for the garbage
    collector. The embedder's vocabulary, the term index and the imported libraries are
    millions of objects that live as long as the process: each full collection walked
    them all, a 100-240 ms pause of every request in flight (the p95 of the live app)."""
    data.warm_up()
    if _serving.is_set():
        gc.collect()
        gc.freeze()


def tune_for_serving(workers: int = 1) -> None:
    """Settings for a process that serves the app, called before it starts; `workers`: how
    many worker processes share the machine (the endpoints' threads are split among them).

    BLAS gets one thread: requests already run in parallel threads, and OpenBLAS threads
    of concurrent searches wait on each other (a 0.3 ms product took tens of ms under load).
    What the warm-up loads is then frozen for the garbage collector (`_warm_up`).
    """
    _serving.set()
    _serve_threads[0] = max(1, SERVE_THREADS // max(1, workers))
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return
    threadpool_limits(1, user_api="blas")


SERVE_OPTIONS = "TECHWATCH_SERVE_OPTIONS"


def serve_environment(
    root: Path, db: str | None, overrides: dict[str, Any], workers: int = 1
) -> dict[str, str]:
    """What `app_from_env` needs to open the same workspace as the command that started the
    worker processes (its --db and overrides too), as environment variables."""
    return {
        "TECHWATCH_WORKSPACE": str(root),
        SERVE_OPTIONS: json.dumps({"db": db, "overrides": overrides, "workers": workers}),
    }


def app_from_env() -> FastAPI:
    """For `uvicorn --factory techwatch.web.app:app_from_env` (several workers, a process
    manager): the workspace named by TECHWATCH_WORKSPACE (default: the current folder),
    with the options of TECHWATCH_SERVE_OPTIONS (`serve_environment`) when set."""
    options = json.loads(os.environ.get(SERVE_OPTIONS) or "{}")
    tune_for_serving(int(options.get("workers") or 1))
    ws = Workspace.open(
        os.environ.get("TECHWATCH_WORKSPACE", "."),
        db=options.get("db"),
        overrides=options.get("overrides") or {},
    )
    return create_app(ws)
