"""The fetch stage survives an extraction worker that dies."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from hostile_server import HostileServer, page
from techwatch.fetch.client import Fetcher
from techwatch.stages.fetch import FetchStage, fetch_settings
from techwatch.store.store import NewArticle

BODY = "".join(
    f"<p>Paragraph {i} about district heating networks and heat pumps.</p>" for i in range(40)
)


def test_a_dead_worker_fails_one_article_and_the_rest_go_on(workspace):
    with HostileServer({f"/{i}": page(f"<article>{BODY}{i}</article>") for i in range(2)}) as s:
        rows = []
        for i in range(2):
            article_id, _ = workspace.store.discover(NewArticle(url=s.url(f"/{i}")))
            rows.append(workspace.store.get_article(article_id))
        stage = FetchStage(workspace.context())
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(os._exit, 1)  # the worker dies: the pool is broken from now on

        async def run() -> list:
            async with Fetcher(fetch_settings(workspace.settings.fetch)) as fetcher:
                stage.extractors = pool
                first = await stage._process(fetcher, rows[0])
                second = await stage._process(fetcher, rows[1])
                return [first, second]

        first, second = asyncio.run(run())
        pool.shutdown()
    assert first.status == "failed" and "extraction worker died" in first.reason
    assert stage.extractors is None  # the rest are extracted in threads
    assert second.status == "ok" and second.extracted.text
