"""Make the browser's reconnect back off as the product asks: 1 s, doubling, at most 30 s.

Reflex 0.10.1 retries its socket every 0.2 s x attempts (at most 2 s), which hammers a
server that is restarting. Its client lives in a template inside the installed package,
so `make setup` rewrites that one expression (idempotent; it fails loudly if Reflex
changed and the expression is gone, rather than silently doing nothing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import reflex_base

TEMPLATE = Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js"
# Reflex copies its templates into .web only when .web is new; patch a copy already there too.
WEB_COPY = Path(__file__).resolve().parents[1] / ".web" / "utils" / "state.js"
ORIGINAL = "}, 200 * failed_attempts); // Incremental backoff"
PATCHED = "}, Math.min(30000, 1000 * 2 ** (failed_attempts - 1))); // Numatix: 1 s doubling to 30 s"


def patch(path: Path) -> bool:
    text = path.read_text()
    if PATCHED in text:
        return True
    if ORIGINAL not in text:
        print(f"cannot find Reflex's reconnect backoff in {path}; update scripts/patch_reflex_backoff.py",
              file=sys.stderr)
        return False
    path.write_text(text.replace(ORIGINAL, PATCHED))
    print(f"Reflex reconnect backoff in {path.name}: 1 s doubling to 30 s")
    return True


def main() -> int:
    targets = [TEMPLATE, *([WEB_COPY] if WEB_COPY.exists() else [])]
    return 0 if all(patch(path) for path in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
