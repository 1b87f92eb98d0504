"""What an extraction worker process runs for one page.

Kept apart from the fetch stage so that a worker imports only extraction and dedup
(not the store, the settings or the HTTP client) when it unpickles its task.
"""

from __future__ import annotations

from techwatch.dedup import signature
from techwatch.fetch.extract import Extracted, extract


def extract_and_sign(
    content: bytes,
    url: str,
    content_type: str | None,
    charset: str | None,
    min_chars: int,
    max_chars: int,
) -> tuple[Extracted, bytes | None]:
    """Extraction and the near-duplicate signature, in one hop to a worker."""
    extracted = extract(
        content,
        url=url,
        content_type=content_type,
        charset=charset,
        min_chars=min_chars,
        max_chars=max_chars,
    )
    sig = None
    if extracted.status in ("ok", "too_long") and extracted.text:
        sig = signature(extracted.text)
    return extracted, sig
