"""`techwatch demo` ends with the static site built and says how to serve the live app."""

from __future__ import annotations

import io

from rich.console import Console

from techwatch.demo.run import run_demo
from test_site import check_links


def test_demo_ends_with_the_site_and_how_to_serve(tmp_path):
    out = io.StringIO()
    ws = run_demo(tmp_path / "demo", console=Console(file=out, width=200))
    try:
        text = out.getvalue()
        site = ws.root / ws.settings.web.site_out
        assert (site / "index.html").is_file()
        cards = ws.cards.list()
        assert cards and all((site / "cards" / f"{c.article_id}.html").is_file() for c in cards)
        assert check_links(site) > len(cards)
        assert "static site:" in text and "serve" in text and "user add" in text
    finally:
        ws.close()
