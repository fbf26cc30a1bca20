"""Two changes to Reflex 0.10.1's browser client, which lives in a template inside the
installed package (so `make setup` rewrites it; idempotent, and loud when Reflex changed and
an expression is gone, rather than silently doing nothing):

1. Reconnect back-off as the product asks: 1 s, doubling, at most 30 s. Reflex retries its
   socket every 0.2 s x attempts (at most 2 s), which hammers a server that is restarting.
2. A production page talks to the port it was loaded from. Reflex bakes the build's port into
   the bundle (``ws://localhost:3000/_event``); a production build is always served by its
   own backend on one port, so the page's own port is the right one, and one build can be
   served on any port (the tests serve one build from several servers; a rebuilt bundle
   can never point a page at a port that no longer exists). Development builds (page on
   :3000, backend on :8000) are left alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import reflex_base

TEMPLATE = Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js"
# Reflex copies its templates into a web folder only when the folder is new; patch the copy
# in the checkout's .web too.
WEB_COPY = Path(__file__).resolve().parents[1] / ".web" / "utils" / "state.js"

PATCHES = [
    ("reconnect backoff: 1 s doubling to 30 s",
     "}, 200 * failed_attempts); // Incremental backoff",
     "}, Math.min(30000, 1000 * 2 ** (failed_attempts - 1))); // Numatix: 1 s doubling to 30 s"),
    ("production pages use the port they were served from",
     "    endpoint.hostname = frontend_hostname;\n",
     ("    endpoint.hostname = frontend_hostname;\n"
      "    // Numatix: a production build is served by its own backend, on the page's port.\n"
      "    if (import.meta.env.PROD) endpoint.port = window.location.port;\n")),
]


def patch(path: Path) -> bool:
    text = original = path.read_text()
    for name, before, after in PATCHES:
        if after in text:
            continue
        if before not in text:
            print(f"cannot find Reflex's code for '{name}' in {path}; update scripts/patch_reflex.py",
                  file=sys.stderr)
            return False
        text = text.replace(before, after)
        print(f"Reflex client ({path.name}): {name}")
    if text != original:
        path.write_text(text)
    return True


def main() -> int:
    targets = [TEMPLATE, *([WEB_COPY] if WEB_COPY.exists() else [])]
    return 0 if all(patch(path) for path in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
