"""`techwatch demo` ends with the outputs: a cited answer, a printable deck and a draft."""

from __future__ import annotations

import io

from pypdf import PdfReader
from rich.console import Console

from techwatch.demo.run import run_demo


def test_demo_shows_an_answer_a_deck_and_a_draft(tmp_path):
    console = Console(file=io.StringIO(), width=200)
    ws = run_demo(tmp_path / "demo", console=console)
    try:
        output = console.file.getvalue()
        assert "ask: What is changing in energy storage?" in output
        assert "[1] " in output  # the demo corpus answers it, with a numbered source
        decks = list((ws.root / "decks").rglob("*.pdf"))
        assert len(decks) == 1 and len(PdfReader(decks[0]).pages) >= 1
        assert len(list(decks[0].parent.glob("*-0*.png"))) >= 1
        drafts = list((ws.root / "drafts").glob("draft-*.md"))
        assert len(drafts) == 1
        text = drafts[0].read_text(encoding="utf-8")
        assert text.startswith("# Issue of ") and "## Strongest signals" in text
    finally:
        ws.close()
