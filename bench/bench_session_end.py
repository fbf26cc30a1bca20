"""Session ended → every open page on /login: how long it takes (issue 14, part 1).

Runs the real production app, opens pages of one account in one browser (settings and
trade pages), then ends every session of that account through the API
(``POST /api/auth/logout-everywhere`` from another session) and records, in each page, the
moment it reached /login by the page's own clock. Repeated a few times. Target: every page
within 2 s (max ≤ 2000 ms). ``NUMATIX_BENCH_URL`` reuses a running app instead of starting one.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, running_app

PASSWORD = "violet-harbour-42"
ROUNDS = 3
PAGES = ("/settings", "/settings", "/settings", "/settings")
LANDING_CLOCK = """
setInterval(() => {
  if (location.pathname.startsWith('/login') && !window.__onLogInAt) window.__onLogInAt = Date.now();
}, 10);
"""


def one_round(browser, url: str) -> list[float]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    token = httpx.post(f"{url}/api/auth/register", json=credentials, timeout=30).json()["token"]
    context = browser.new_context()
    context.add_cookies([{"name": "numatix_session", "value": token, "url": url, "httpOnly": True,
                          "sameSite": "Lax"}])
    pages = []
    for path in PAGES:
        page = context.new_page()
        page.add_init_script(LANDING_CLOCK)
        page.goto(url + path)
        page.wait_for_selector("[data-testid=user-menu]", timeout=60_000)
        pages.append(page)
    time.sleep(2)
    other = httpx.post(f"{url}/api/auth/login", json=credentials, timeout=30).json()["token"]
    ended_at = time.time()
    httpx.post(f"{url}/api/auth/logout-everywhere", headers={"Authorization": f"Bearer {other}"}, timeout=30)
    deadline = time.monotonic() + 30
    delays = []
    for page in pages:
        landed = None
        while landed is None and time.monotonic() < deadline:
            landed = page.evaluate("window.__onLogInAt || null")
            if landed is None:
                page.wait_for_timeout(50)
        delays.append((landed / 1000 - ended_at) * 1000 if landed else float("inf"))
    context.close()
    return delays


def main() -> None:
    given = os.environ.get("NUMATIX_BENCH_URL")
    with (tempfile.TemporaryDirectory() as data_dir,
          nullcontext(given) if given else running_app(Path(data_dir)) as url,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        delays = [delay for _ in range(ROUNDS) for delay in one_round(browser, url)]
        browser.close()
    worst = max(delays)
    print(f"{'pages':>6} {'p50 ms':>8} {'max ms':>8}  target max ≤ 2000 ms")
    verdict = "ok" if worst <= 2000 else "MISSED"
    print(f"{len(delays):>6} {statistics.median(delays):>8.0f} {worst:>8.0f}  {verdict}")


if __name__ == "__main__":
    main()
