"""A fresh trader's findings on the rest of the trade page and settings, as a person meets them:
filters only where they filter, a hint that a cut-off table scrolls, "1 trade", a refused
password change that keeps what was typed and says why beside it, sessions on one line each,
the whole email in the top bar, a 404 with a way back, a favicon."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.test_trading import open_trade_page


def token_of(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "numatix_session")


def test_filters_only_where_they_filter_and_1_trade(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    headers = {"Authorization": f"Bearer {token_of(page)}"}
    placed = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30,
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
    assert placed.status_code in (200, 201), placed.text
    open_trade_page(page, app_url)
    for tab, filtered in (("open", True), ("history", True), ("trades", True), ("positions", False),
                          ("balances", False), ("alerts", False)):
        page.get_by_test_id(f"tab-{tab}").click()
        for test_id in ("filter-symbol", "filter-side"):
            if filtered:
                expect(page.get_by_test_id(test_id)).to_be_visible()
            else:
                expect(page.get_by_test_id(test_id)).to_be_hidden()
    # Tabs switch in the page: a second click made before the server heard of the first still wins.
    page.get_by_test_id("tab-history").click()
    page.get_by_test_id("tab-balances").click()
    expect(page.get_by_test_id("tab-balances")).to_have_attribute("data-state", "active")
    expect(page.get_by_test_id("filter-symbol")).to_be_hidden()
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("trades-count")).to_have_text(re.compile(r"^1 trade$"))


def test_a_table_cut_off_on_a_phone_says_it_scrolls(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1440, "height": 900})
    open_trade_page(page, app_url)
    page.get_by_test_id("tab-balances").click()
    hint = page.get_by_test_id("scroll-hint").locator("visible=true")
    expect(hint).to_have_count(0)  # everything fits: no hint
    page.set_viewport_size({"width": 390, "height": 844})
    expect(hint).to_have_count(1)
    expect(hint).to_have_text("Scroll sideways for more columns →")


def test_a_refused_password_change_keeps_the_fields_and_says_why_beside_them(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("sessions-card")).to_be_visible()
    page.get_by_test_id("field-current_password").fill("not-my-password-1")
    page.get_by_test_id("field-new_password").fill("a-brand-new-passphrase")
    page.get_by_test_id("field-confirm_password").fill("a-brand-new-passphrase")
    page.get_by_test_id("change-password").click()
    expect(page.get_by_test_id("password-error")).to_have_text("The current password is not right.")
    expect(page.get_by_test_id("settings-error")).to_have_count(0)  # not at the top of the page
    expect(page.get_by_test_id("field-new_password")).to_have_value("a-brand-new-passphrase")
    expect(page.get_by_test_id("field-current_password")).to_have_attribute("aria-invalid", "true")
    # the sessions table: one line per row, the same words on every button
    button = page.get_by_test_id("end-session").first
    expect(button).to_have_text("Log out")
    box = button.bounding_box()
    assert box is not None and box["height"] < 32, box  # one line
    email = page.get_by_test_id("user-menu").locator("span").first
    assert email.evaluate("span => span.scrollWidth <= span.clientWidth"), "the email is cut off"


def test_an_unknown_address_offers_the_way_back_and_trade_goes_to_a_market(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/no-such-page")
    expect(page.get_by_test_id("not-found")).to_contain_text("Page not found")
    page.get_by_test_id("not-found-trade").click()
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    page.goto(f"{app_url}/trade")
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"))
    assert httpx.get(f"{app_url}/favicon.ico", timeout=30).status_code == 200


def test_a_tall_window_leaves_no_gap_above_the_asks(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1440, "height": 1400})
    open_trade_page(page, app_url)
    expect(page.get_by_test_id("book-ask")).to_have_count(20)
    heading = page.get_by_test_id("order-book").get_by_text("Amount", exact=True).bounding_box()
    farthest_ask = page.get_by_test_id("book-ask").first.bounding_box()
    assert heading and farthest_ask
    assert farthest_ask["y"] - (heading["y"] + heading["height"]) < 12, (heading, farthest_ask)


def test_the_signup_key_disclosure_reads_as_one_left_aligned_line(anonymous_page: Page, app_url: str):
    page = anonymous_page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}/signup")
    summary = page.get_by_text("Binance Spot Testnet key (optional)")
    email = page.get_by_test_id("field-email")
    expect(summary).to_be_visible()
    box, field = summary.bounding_box(), email.bounding_box()
    assert box and field and box["height"] < 30 and abs(box["x"] - field["x"]) < 8, (box, field)
    summary.click()
    expect(page.get_by_test_id("field-api_key")).to_be_visible()
