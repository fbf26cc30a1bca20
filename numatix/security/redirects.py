"""Where a page may send the browser after log-in: a path on this site, nothing else.

Browsers are generous with what they treat as another origin: ``//x`` and ``/\\x`` are
hosts, ``https:x`` is a scheme, tabs and newlines inside a URL are dropped (so ``/\\t/x``
becomes ``//x``), and percent-encoded slashes can be decoded by whoever reads the path
next. So the rule is narrow: printable ASCII only, one leading slash, no backslash, and
the same holds after percent-decoding.
"""

from __future__ import annotations

from urllib.parse import unquote

MAX_LENGTH = 2048


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    seen = target
    for _ in range(3):  # encoded, double-encoded, triple-encoded
        if not _plain_path(seen):
            return None
        decoded = unquote(seen)
        if decoded == seen:
            return target
        seen = decoded
    return None  # still encoded after three rounds: nobody needs that


def _plain_path(text: str) -> bool:
    if not all("!" <= character <= "~" for character in text):  # no controls, spaces or non-ASCII
        return False
    if "\\" in text:
        return False
    return text.startswith("/") and not text.startswith("//")
