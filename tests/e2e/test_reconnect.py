"""A backend restart: the page says Reconnecting, retries 1 s, 2 s, 4 s... apart (at most 30 s),
comes back Live on its own, and shows the fills that happened while it was away, without a reload.

The test has a server of its own (it stops it), and the page runs on Playwright's fake clock
while the server is down: the retry timers fire exactly when the clock is moved, so the
back-off is checked to the millisecond however busy the machine is.
"""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context

# Every connection attempt to Reflex's event socket, in order, and how it ended.
RECORD_ATTEMPTS = """
(() => {
  const NativeWebSocket = window.WebSocket;
  const attempts = (window.__eventSocketAttempts = []);
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, ...rest) {
      super(url, ...rest);
      if (!String(url).includes("/_event")) return;
      const attempt = { state: "connecting" };
      attempts.push(attempt);
      this.addEventListener("open", () => { attempt.state = "open"; });
      this.addEventListener("close", () => { attempt.state = "closed"; });
    }
  };
})();
"""
BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000, 30000]  # doubling from 1 s, never above 30 s


def attempts(page: Page) -> list[str]:
    return page.evaluate("window.__eventSocketAttempts.map(attempt => attempt.state)")


def until_last_attempt_failed(page: Page, timeout: float = 30.0) -> int:
    """Real time passes here (the socket's failure is the network's, not the clock's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = attempts(page)
        if states and states[-1] == "closed":
            return len(states)
        page.wait_for_timeout(50)
    raise AssertionError(f"the last attempt did not fail within {timeout} s: {attempts(page)}")


def test_after_a_backend_restart_the_screen_resyncs(context, own_app):
    app_url = own_app.base_url
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    context.add_init_script(RECORD_ATTEMPTS)
    page: Page = context.new_page()
    page.set_default_timeout(30_000)
    page.clock.install()  # runs as the real one until paused
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("connection-status")).to_have_text("Live")
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("trade-history-empty")).to_be_visible()

    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    own_app.stop()
    expect(page.get_by_test_id("connection-status")).not_to_have_text("Live")
    count = until_last_attempt_failed(page)  # the immediate reconnect after the drop, refused
    for delay in BACKOFF_MS:
        page.clock.run_for(delay - 1)
        assert len(attempts(page)) == count, f"retried before {delay} ms: {attempts(page)}"
        page.clock.run_for(1)
        assert len(attempts(page)) == count + 1, f"no retry at {delay} ms: {attempts(page)}"
        count = until_last_attempt_failed(page)

    own_app.start()
    placed = httpx.post(f"{app_url}/api/trading/orders",
                        headers={"Authorization": f"Bearer {account['token']}"},
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
                        timeout=30)
    assert placed.json()["status"] == "FILLED"  # the session survived the restart too

    page.clock.run_for(BACKOFF_MS[-1])  # the next retry finds the server
    page.clock.resume()
    expect(page.get_by_test_id("connection-status")).to_have_text("Live", timeout=60_000)
    assert attempts(page)[-1] == "open"
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("fill-quantity").first).to_have_text(re.compile(r"^0\.00\d+$"), timeout=30_000)
