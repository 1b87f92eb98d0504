"""Raw responses on disk, so re-extraction never refetches.

Layout: root/ab/cd/<sha256 of the final URL>.body and .json (metadata). The JSON is
written last and carries the body's sha256, so an entry is either complete and
consistent or ignored: a process killed mid-write never leaves a readable half entry.
When the requested URL redirected, a small alias JSON under the requested URL's key
points to the final URL's entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from techwatch.fetch.client import FetchResult


def url_key(url: str) -> str:
    """The hex sha256 of a URL: the entry's file name."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RawCache:
    """Raw fetched bodies and their metadata, keyed by URL."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = url_key(url)
        folder = self.root / key[:2] / key[2:4]
        return folder / f"{key}.body", folder / f"{key}.json"

    def put(self, result: FetchResult) -> bool:
        """Store a result that has a body; returns False (and stores nothing) otherwise."""
        if result.content is None or result.outcome != "ok":
            return False
        final = result.final_url or result.url
        body_path, meta_path = self._paths(final)
        meta: dict[str, Any] = {
            "url": result.url,
            "final_url": final,
            "status_code": result.status_code,
            "headers": dict(result.headers),
            "content_type": result.content_type,
            "charset": result.charset,
            "redirects": list(result.redirects),
            "fetched_at": datetime.now(UTC).isoformat(),
            "sha256": hashlib.sha256(result.content).hexdigest(),
            "size": len(result.content),
        }
        _atomic_write(body_path, result.content)
        _atomic_write(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        if result.url != final:
            _, alias_path = self._paths(result.url)
            _atomic_write(alias_path, json.dumps({"alias": final}).encode("utf-8"))
        return True

    def _read_meta(self, url: str) -> dict[str, Any] | None:
        _, meta_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_bytes())
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    def get(self, url: str) -> FetchResult | None:
        """The stored result for a requested or final URL (from_cache=True), or None."""
        meta = self._read_meta(url)
        if meta is not None and isinstance(meta.get("alias"), str):
            meta = self._read_meta(meta["alias"])
        if meta is None or "final_url" not in meta:
            return None
        body_path, _ = self._paths(meta["final_url"])
        try:
            content = body_path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != meta.get("sha256"):
            return None  # body and metadata from different writes: treat as missing
        return FetchResult(
            url=url,
            final_url=meta["final_url"],
            status_code=meta.get("status_code"),
            headers=dict(meta.get("headers") or {}),
            content=content,
            content_type=meta.get("content_type"),
            charset=meta.get("charset"),
            outcome="ok",
            reason="cached",
            redirects=list(meta.get("redirects") or []),
            from_cache=True,
            fetched_at=meta.get("fetched_at"),
        )

    def has(self, url: str) -> bool:
        """Whether a complete entry exists for `url`."""
        return self.get(url) is not None


class BodyHashes:
    """The sha256 of the last body fully read per source, so an unchanged body (from a
    server without ETag or Last-Modified) is not parsed and recorded again."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, location: str) -> Path:
        return self.root / f"{url_key(location)}.sha256"

    def same(self, location: str, content: bytes) -> bool:
        try:
            stored = self._path(location).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return False
        return stored == hashlib.sha256(content).hexdigest()

    def put(self, location: str, content: bytes) -> None:
        _atomic_write(self._path(location), hashlib.sha256(content).hexdigest().encode("ascii"))
