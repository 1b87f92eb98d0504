"""Live app latency under concurrent clients on loopback: card pages and searches.

    python benchmarks/bench_web.py [--workspace DIR] [--clients 20] [--requests 400]
                                   [--seconds 60] [--synthetic 10000] [--workers 1]

The app runs in its own process (uvicorn, one worker by default, `--workers N` for N
worker processes as `techwatch serve --workers N` runs them; 127.0.0.1, a free port) on the
workspace of bench_site.py (the imported corpus plus synthetic cards; built when missing).
Measuring starts once the app is warm (its first search answered: embedder and vectors
loaded). Each of the clients sends requests one after another on its own keep-alive
connection; every phase is bounded both in count and in time. The clients are asyncio
connections parsed by httptools (C), so the load generator takes little of the CPU the
server needs; its CPU time and the server's are printed per request. The baseline, in the
same run, is a static file (/static/style.css) under the same load: what the server and
the loop cost before any page work.
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

import httptools
import httpx

from bench_site import DEFAULT_CORPUS, WORDS, prepare


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; responses parsed by httptools, bodies dropped."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("connection closed"))

    async def get(self, request: bytes, timeout: float) -> int:
        self.waiter = asyncio.get_running_loop().create_future()
        assert self.transport is not None
        self.transport.write(request)
        return await asyncio.wait_for(self.waiter, timeout)


async def _load(
    port: int, token: str, paths: list[str], clients: int, total: int, seconds: float
) -> tuple[list[float], int]:
    """Latencies (ms) of up to `total` requests spread over `clients`, within `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    counter = iter(range(total))
    head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    loop = asyncio.get_running_loop()

    async def worker() -> None:
        nonlocal errors
        transport, conn = await loop.create_connection(_Connection, "127.0.0.1", port)
        try:
            for n in counter:  # request n asks paths[n]: distinct paths stay distinct
                if time.monotonic() > deadline:
                    return
                request = f"GET {paths[n % len(paths)]} HTTP/1.1\r\n{head}".encode()
                t0 = time.perf_counter()
                status = await conn.get(request, timeout=60)
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    errors += 1
        finally:
            transport.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live child processes (the worker
    processes) so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _loadavg() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per phase")
    parser.add_argument("--seconds", type=float, default=60.0, help="per phase")
    parser.add_argument("--workers", type=int, default=1, help="app worker processes")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-web-")
    folder = args.workspace or Path(tmp.name) / "ws"
    ws = prepare(folder, args.corpus, args.synthetic)
    ids = [c.article_id for c in ws.cards.list(limit=2000)]
    token = ws.web_users().new_token(_bench_user(ws), "bench")
    cards = ws.store.card_status_counts().get("ok", 0)
    ws.close()

    port = _free_port()
    # As `techwatch serve --workers N` starts them (the workers share the cores' threads).
    from techwatch.web.app import serve_environment

    env = {**os.environ, **serve_environment(folder, None, {}, args.workers)}
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
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"  # readiness only; the load uses _Connection
    try:
        deadline = time.monotonic() + 180
        while True:  # warm: a search answered (the app loads the embedder and the vectors)
            try:
                warm = httpx.get(
                    base + "/api/search?q=warm",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                )
                if warm.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        if args.workers > 1:  # warm every worker: searches on several new connections
            asyncio.run(
                _load(port, token, ["/api/search?q=warm"], 4 * args.workers, 8 * args.workers, 180)
            )
        rng = random.Random(1)
        every_pair = [(a, b) for a in WORDS for b in WORDS if a != b]
        pairs = rng.sample(every_pair, min(len(every_pair), 2 * args.requests + 60))
        n = (len(pairs) - 50) // 2  # new queries per phase: none asked twice in the run
        phases = {
            "baseline: static file": ["/static/style.css"],
            "card page": [f"/cards/{i}" for i in rng.sample(ids, min(300, len(ids)))],
            # Distinct queries: each one is a cache miss (the cost of a new search).
            "search page, new query": [f"/search?q={a}+{b}" for a, b in pairs[:n]],
            # A small set asked again and again: mostly answered from the results cache.
            "search page, repeated": [f"/search?q={a}+{b}" for a, b in pairs[-50:]],
            # Queries no earlier phase asked.
            "search API, new query": [
                f"/api/search?q={a}+{b}&limit=20" for a, b in pairs[n : 2 * n]
            ],
        }
        print(
            f"{cards:,} cards, {args.workers} worker process(es), {args.clients} clients, "
            f"up to {args.requests} requests "
            f"or {args.seconds:.0f} s per phase; {os.cpu_count()} CPUs, {_loadavg()}"
        )
        print("phase                    n       p50         p95     vs baseline  CPU ms/request")
        base_p50 = None
        for name, paths in phases.items():
            asyncio.run(_load(port, token, paths[-5:], args.clients, 40, 10))  # warm-up
            server_cpu, client_cpu = _cpu_seconds(server.pid), time.process_time()
            lat, errors = asyncio.run(
                _load(port, token, paths, args.clients, args.requests, args.seconds)
            )
            server_cpu = (_cpu_seconds(server.pid) - server_cpu) * 1000 / max(1, len(lat))
            client_cpu = (time.process_time() - client_cpu) * 1000 / max(1, len(lat))
            p50, p95 = statistics.median(lat), _pct(lat, 0.95)
            base_p50 = base_p50 or p50
            print(
                f"{name:<24} n={len(lat):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"({p50 / base_p50:5.1f}x p50)  server {server_cpu:5.1f}, "
                f"client {client_cpu:4.1f}{'  errors ' + str(errors) if errors else ''}"
            )
        print(f"end: {_loadavg()}")
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
