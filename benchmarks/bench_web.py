"""Live app latency under concurrent clients on loopback: card pages and searches.

    python benchmarks/bench_web.py [--workspace DIR] [--clients 20] [--requests 400]
                                   [--seconds 60] [--synthetic 10000]

The app runs in its own process (uvicorn, one worker, 127.0.0.1, a free port) on the
workspace of bench_site.py (the imported corpus plus synthetic cards; built when missing).
Each of the clients sends requests one after another; every phase is bounded both in count
and in time. The baseline, in the same run, is a static file (/static/style.css) under the
same load: what the server and the loop cost before any page work.
Targets: p95 < 100 ms for a card page, < 250 ms for a search.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench_site import DEFAULT_CORPUS, WORDS, prepare


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _load(
    base: str, token: str, paths: list[str], clients: int, total: int, seconds: float
) -> tuple[list[float], int]:
    """Latencies (ms) of up to `total` requests spread over `clients`, within `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    counter = iter(range(total))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            for n in counter:  # request n asks paths[n]: distinct paths stay distinct
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                r = await client.get(paths[n % len(paths)])
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per phase")
    parser.add_argument("--seconds", type=float, default=60.0, help="per phase")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-web-")
    folder = args.workspace or Path(tmp.name) / "ws"
    ws = prepare(folder, args.corpus, args.synthetic)
    ids = [c.article_id for c in ws.cards.list(limit=2000)]
    token = ws.web_users().new_token(_bench_user(ws), "bench")
    cards = ws.store.card_status_counts().get("ok", 0)
    ws.close()

    port = _free_port()
    env = {**os.environ, "TECHWATCH_WORKSPACE": str(folder)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "techwatch.web.app:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/static/style.css", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        rng = random.Random(1)
        every_pair = [(a, b) for a in WORDS for b in WORDS if a != b]
        pairs = rng.sample(every_pair, min(len(every_pair), 2 * args.requests + 60))
        phases = {
            "baseline: static file": ["/static/style.css"],
            "card page": [f"/cards/{i}" for i in rng.sample(ids, min(300, len(ids)))],
            # Distinct queries: each one is a cache miss (the cost of a new search).
            "search page, new query": [f"/search?q={a}+{b}" for a, b in pairs[:-50]],
            # A small set asked again and again: mostly answered from the results cache.
            "search page, repeated": [f"/search?q={a}+{b}" for a, b in pairs[-50:]],
            "search API, new query": [f"/api/search?q={a}+{b}&limit=20" for a, b in pairs[:-50]],
        }
        print(
            f"{cards:,} cards, {args.clients} clients, up to {args.requests} requests "
            f"or {args.seconds:.0f} s per phase"
        )
        base_p50 = None
        for name, paths in phases.items():
            asyncio.run(_load(base, token, paths[-5:], args.clients, 40, 10))  # warm-up
            lat, errors = asyncio.run(
                _load(base, token, paths, args.clients, args.requests, args.seconds)
            )
            p50, p95 = statistics.median(lat), _pct(lat, 0.95)
            base_p50 = base_p50 or p50
            print(
                f"{name:<24} n={len(lat):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"({p50 / base_p50:5.1f}x baseline p50){'  errors ' + str(errors) if errors else ''}"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 0


def _bench_user(ws) -> str:
    users = ws.web_users()
    if users.check("bench", "bench password 1") is None:
        users.set_password("bench", "bench password 1")
    return "bench"


if __name__ == "__main__":
    sys.exit(main())
