"""Fetch + extract of N pages from a loopback server: articles/s, and where the time goes.

    python benchmarks/bench_fetch.py [--pages 500] [--concurrency 8]

Baselines measured in the same run, on the same pages:
  (1) raw download: httpx.AsyncClient GETs with the same concurrency, nothing else;
  (2) trafilatura.bare_extraction alone on the downloaded bodies;
  (1)+(2) is what a bare script would cost; the pipeline adds politeness (robots, per-host
  gates, guard), the raw cache, sniffing, decoding, dedup and one SQLite commit per article.
Where the time goes: each article's fetch (network, politeness, raw cache), extraction
(worker processes) and save (one writer thread) are timed; sums over concurrent workers.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_extract import make_page  # noqa: E402
from techwatch.workspace import Workspace  # noqa: E402


def serve(pages: list[bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
            else:
                try:
                    body = pages[int(self.path.rsplit("/", 1)[-1])]
                except (ValueError, IndexError):
                    self.send_error(404)
                    return
                ctype = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def raw_download(urls: list[str], concurrency: int) -> list[bytes]:
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(url: str) -> bytes:
            async with sem:
                return (await client.get(url)).content

        return await asyncio.gather(*(one(u) for u in urls))


def trafilatura_alone(bodies: list[bytes]) -> None:
    import trafilatura

    for body in bodies:
        trafilatura.bare_extraction(body.decode("utf-8"), with_metadata=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="extraction processes (0: auto)")
    args = parser.parse_args()

    pages = [make_page(i) for i in range(args.pages)]
    server, base = serve(pages)
    urls = [f"{base}/a/{i}" for i in range(args.pages)]

    t0 = time.perf_counter()
    bodies = asyncio.run(raw_download(urls, args.concurrency))
    t_download = time.perf_counter() - t0
    t0 = time.perf_counter()
    trafilatura_alone(bodies)
    t_extract = time.perf_counter() - t0

    def pipeline() -> tuple[float, dict, dict]:
        with tempfile.TemporaryDirectory() as tmp:
            links = Path(tmp) / "links.txt"
            links.write_text("\n".join(urls) + "\n", encoding="utf-8")
            overrides = {
                "fetch": {
                    "allowed_networks": ["127.0.0.0/8"],
                    "per_host_delay": 0.0,
                    "concurrency": args.concurrency,
                    "per_host_concurrency": args.concurrency,
                },
                "extract": {"workers": args.workers},
            }
            ws = Workspace.init(Path(tmp) / "ws", overrides=overrides)
            ws.add(str(links))
            t0 = time.perf_counter()
            report = ws.fetch()
            elapsed = time.perf_counter() - t0
            steps = {k: v for k, v in report.totals.items() if k.startswith("seconds_")}
            ws.close()
            return elapsed, dict(report.counts), steps

    t_pipeline, counts, steps = pipeline()
    server.shutdown()

    n = args.pages
    bare = t_download + t_extract
    print(
        f"{n} pages, {sum(map(len, pages)) / n / 1024:.1f} KiB each, concurrency {args.concurrency}"
    )
    print(f"{'step':44} {'seconds':>8} {'pages/s':>8}")
    print(f"{'(1) raw download (httpx only)':44} {t_download:8.2f} {n / t_download:8.1f}")
    print(f"{'(2) trafilatura alone':44} {t_extract:8.2f} {n / t_extract:8.1f}")
    print(f"{'(1)+(2) bare script':44} {bare:8.2f} {n / bare:8.1f}")
    print(f"{'techwatch fetch (everything)':44} {t_pipeline:8.2f} {n / t_pipeline:8.1f}")
    print(f"ratio pipeline / bare script throughput: {bare / t_pipeline:.2f}")
    print(f"outcomes: {counts}")

    print("\nwhere the time goes (per-article steps, summed over concurrent workers):")
    for key, seconds in steps.items():
        print(
            f"  {key.removeprefix('seconds_'):12} {seconds:8.2f}s  {1000 * seconds / n:7.1f} ms/article"
        )


if __name__ == "__main__":
    main()
