"""A backend restart: the page says Reconnecting, comes back Live on its own, and shows the
fills that happened while it was away, from the services, without a reload."""

from __future__ import annotations

import re

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

    app_process.stop()
    expect(page.get_by_test_id("connection-status")).not_to_have_text("Live", timeout=20_000)
    app_process.start()
    placed = httpx.post(f"{app_url}/api/trading/orders", headers={"Authorization": f"Bearer {account['token']}"},
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}, timeout=10)
    assert placed.json()["status"] == "FILLED"  # the session survived the restart too

    expect(page.get_by_test_id("connection-status")).to_have_text("Live", timeout=60_000)
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("fill-quantity").first).to_have_text(re.compile(r"^0\.00\d+$"), timeout=30_000)
