"""What every stage gets: the store, the settings, the workspace folder and its log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from techwatch.config import Settings
from techwatch.progress import NoProgress, Progress
from techwatch.store.store import Store


@dataclass
class StageContext:
    store: Store
    settings: Settings
    root: Path
    log: logging.Logger
    progress: Progress = field(default_factory=NoProgress)

    @property
    def raw_cache_dir(self) -> Path:
        return self.root / "cache" / "raw"
