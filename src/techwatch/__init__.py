"""techwatch: foresight cards from a tech watch.

The public API is `Workspace` (open a workspace, run its stages, query it) and `Card`
(the one schema of a foresight card); typed results live in `techwatch.api_types`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Card", "Workspace", "WorkspaceBusy", "WorkspaceError", "__version__"]

if TYPE_CHECKING:
    from techwatch.card import Card
    from techwatch.workspace import Workspace, WorkspaceBusy, WorkspaceError


def __getattr__(name: str) -> Any:
    """Import lazily, so `python -m techwatch` and light submodules stay fast to load."""
    if name == "Card":
        from techwatch.card import Card

        return Card
    if name in ("Workspace", "WorkspaceBusy", "WorkspaceError"):
        from techwatch import workspace

        return getattr(workspace, name)
    raise AttributeError(f"module 'techwatch' has no attribute {name!r}")
