"""`techwatch import pages`: the shared corpus into cards, idempotently, and back to pages."""

from __future__ import annotations

import shutil

from techwatch.publish.markdown import parse_page


def test_import_corpus_is_idempotent_and_pages_come_back(workspace, corpus_pages, tmp_path):
    report = workspace.import_pages(corpus_pages)
    total = len(list(corpus_pages.glob("*.md")))
    assert report.counts["imported"] == total
    assert report.counts.get("failed", 0) == 0
    cards = workspace.store.list_cards()
    assert len(cards) == total

    again = workspace.import_pages(corpus_pages)
    assert again.counts == {"unchanged": total}
    assert len(workspace.store.list_cards()) == total

    # Pages written from the imported cards are the imported pages, byte for byte,
    # wherever parse+render round-trips (current and legacy formats).
    out = tmp_path / "pages"
    workspace.pages(out)
    same = 0
    for source in corpus_pages.glob("*.md"):
        original = source.read_text(encoding="utf-8")
        if parse_page(original).format == "broken":
            continue
        written = (out / source.name).read_text(encoding="utf-8")
        same += written == original
    assert same >= 240

    # Imported cards are searchable and keep the page's article id.
    some = cards[0]
    assert (corpus_pages / f"{some['article_id']}.md").exists()
    assert workspace.store.search_cards("AI")


def test_import_of_a_folder_with_a_bad_page(workspace, seed_card, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed_card, folder / "0123456789abcdef0123456789abcdef.md")
    (folder / "junk.md").write_text("no title line here\n", encoding="utf-8")
    (folder / "binary.md").write_bytes(b"\x00\xff" * 100)
    report = workspace.import_pages(folder)
    assert report.counts["imported"] == 1
    assert report.counts["failed"] == 2
    assert len(report.errors) == 2
    row = workspace.store.find_article("0123456789abcdef0123456789abcdef")
    assert row["status"] == "imported"
    assert "tomshardware.com" in row["url"] and "utm_source" not in row["url"]
    assert any("utm_source" in u for u in workspace.store.urls_of(row["id"]))
