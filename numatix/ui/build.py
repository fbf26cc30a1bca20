"""The production build this process serves."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reflex.utils.prerequisites import get_web_dir


def built_pages() -> Iterable[str]:
    """The HTML of the production build being served (none in dev mode)."""
    folder = Path(get_web_dir()) / "build" / "client"
    for page in sorted(folder.rglob("*.html")) if folder.is_dir() else ():
        yield page.read_text(errors="replace")
