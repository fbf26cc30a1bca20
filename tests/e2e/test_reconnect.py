"""A backend restart: the page says Reconnecting, retries 1 s, 2 s, 4 s... apart, comes back
Live on its own, and shows the fills that happened while it was away, without a reload."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context


def test_after_a_backend_restart_the_screen_resyncs(context, app_process):
    app_url = app_process.base_url
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    page: Page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("connection-status")).to_have_text("Live")
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("trade-history-empty")).to_be_visible()

    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    attempts: list[float] = []
    devtools.on("Network.webSocketCreated", lambda _event: attempts.append(time.monotonic()))
    app_process.stop()
    expect(page.get_by_test_id("connection-status")).not_to_have_text("Live", timeout=20_000)
    page.wait_for_timeout(9_000)  # (the sync API delivers events only while it waits)
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert len(gaps) >= 2 and all(gap >= 0.8 for gap in gaps), gaps  # 1 s, 2 s, 4 s... not a hammering
    assert gaps[-1] > gaps[0] * 1.5, gaps  # and growing
    app_process.start()
    placed = httpx.post(f"{app_url}/api/trading/orders", headers={"Authorization": f"Bearer {account['token']}"},
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}, timeout=10)
    assert placed.json()["status"] == "FILLED"  # the session survived the restart too

    expect(page.get_by_test_id("connection-status")).to_have_text("Live", timeout=60_000)
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("fill-quantity").first).to_have_text(re.compile(r"^0\.00\d+$"), timeout=30_000)
