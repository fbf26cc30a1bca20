"""What a person sees on the trade page: a live market, a chart, timeframes, theme."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from numatix.domain.symbols import DEFAULT_SYMBOLS
from tests.e2e.conftest import RESULTS, register, sign_in_context

SCREENSHOTS = RESULTS / "screenshots"


def open_trade_page(page: Page, app_url: str, symbol: str = "BTCUSDT") -> None:
    page.goto(f"{app_url}/trade/{symbol}")
    expect(page.get_by_test_id("symbol-name")).to_have_text(symbol)
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]\d+$"))


def test_root_redirects_to_btcusdt_with_live_synthetic_feed(page: Page, app_url: str):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(app_url + "/")
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"))
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    expect(page.get_by_test_id("feed-badge")).to_have_text("Synthetic")
    expect(page.get_by_test_id("connection-status")).to_have_text("Live")
    expect(page.get_by_test_id("last-price")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$"))
    expect(page.get_by_test_id("high-24h")).to_have_text(re.compile(r"\d"))
    expect(page.get_by_test_id("book-bid")).to_have_count(20)
    expect(page.get_by_test_id("book-ask")).to_have_count(20)
    expect(page.get_by_test_id("trade-row").first).to_be_visible()
    assert blocked == []  # the page works under its Content-Security-Policy


def test_price_and_last_candle_move_without_reload(page: Page, app_url: str):
    open_trade_page(page, app_url)
    price = page.get_by_test_id("last-price")
    first_price = price.inner_text()
    expect(price).not_to_have_text(first_price)
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-last-close", re.compile(r"\d"))
    first_close = chart.get_attribute("data-last-close")
    expect(chart).not_to_have_attribute("data-last-close", first_close)


def test_chart_draws_candles_and_switching_to_1h_redraws(page: Page, app_url: str):
    open_trade_page(page, app_url)
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-series-key", re.compile(r"^BTCUSDT:1m:"))
    assert int(chart.get_attribute("data-bars")) >= 300
    assert page.locator("[data-testid=candle-chart] canvas").count() > 0
    page.get_by_test_id("timeframe-1h").click()
    expect(chart).to_have_attribute("data-series-key", re.compile(r"^BTCUSDT:1h:"))
    expect(page.get_by_test_id("timeframes")).to_have_attribute("data-active", "1h")
    assert int(chart.get_attribute("data-bars")) >= 300


def test_scrolling_left_loads_older_candles(page: Page, app_url: str):
    open_trade_page(page, app_url)
    chart = page.get_by_test_id("candle-chart")
    bars_before = int(chart.get_attribute("data-bars"))
    box = chart.bounding_box()
    y = box["y"] + box["height"] / 2
    for _ in range(6):
        page.mouse.move(box["x"] + 50, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 50, y, steps=8)
        page.mouse.up()
        if int(chart.get_attribute("data-bars")) > bars_before:
            break
    expect(chart).not_to_have_attribute("data-bars", str(bars_before))
    assert int(chart.get_attribute("data-bars")) > bars_before


def test_symbol_picker_lists_prices_and_changes_and_switches_market(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("symbol-picker").click()
    options = page.get_by_test_id("symbol-option")
    expect(options).to_have_count(len(DEFAULT_SYMBOLS))  # Binance's 20 most traded USDT pairs
    eth = page.locator("[data-testid=symbol-option][data-symbol=ETHUSDT]")
    expect(eth).to_contain_text(re.compile(r"ETH/USDT\s*\d{1,3}(,\d{3})*\.\d{2}\s*[+-]?\d+\.\d{2}%"))
    eth.click()
    expect(page).to_have_url(re.compile(r"/trade/ETHUSDT$"))
    expect(page.get_by_test_id("symbol-name")).to_have_text("ETHUSDT")
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-series-key", re.compile(r"^ETHUSDT:1m:"))


def test_slash_opens_the_symbol_search_and_enter_picks_the_first_match(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.keyboard.press("/")
    search = page.get_by_test_id("symbol-search")
    expect(search).to_be_focused()
    expect(search).to_have_accessible_name("Search symbols")
    page.keyboard.type("so")
    expect(page.get_by_test_id("symbol-option")).to_have_count(1)
    expect(page.get_by_test_id("symbol-option")).to_have_attribute("data-symbol", "SOLUSDT")
    page.keyboard.type("x")
    expect(page.get_by_test_id("symbol-option")).to_have_count(0)
    expect(page.get_by_text("No symbol matches.")).to_be_visible()
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/trade/SOLUSDT$"))
    expect(page.get_by_test_id("symbol-name")).to_have_text("SOLUSDT")
    page.keyboard.press("/")
    expect(page.get_by_test_id("symbol-search")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("symbol-search")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/trade/SOLUSDT$"))


def test_unknown_symbol_shows_not_found_with_links(page: Page, app_url: str):
    page.goto(f"{app_url}/trade/NOPEUSDT")
    expect(page.get_by_test_id("symbol-not-found")).to_be_visible()
    links = page.get_by_test_id("known-symbol")
    expect(links).to_have_count(len(DEFAULT_SYMBOLS))
    links.filter(has_text="SOLUSDT").click()
    expect(page.get_by_test_id("symbol-name")).to_have_text("SOLUSDT")


def test_theme_choice_survives_reload(page: Page, app_url: str):
    open_trade_page(page, app_url)
    html = page.locator("html")
    was_dark = "dark" in (html.get_attribute("class") or "")
    page.get_by_test_id("theme-toggle").click()
    expected = re.compile(r"\blight\b") if was_dark else re.compile(r"\bdark\b")
    expect(html).to_have_class(expected)
    page.reload()
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    expect(html).to_have_class(expected)


def overlaps(first: dict, second: dict) -> bool:
    apart_x = first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
    apart_y = first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"]
    return not (apart_x or apart_y)


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}],
                         ids=["1440x900", "phone-390"])
def test_toasts_keep_clear_of_the_cancel_column_the_tabs_and_the_order_form(browser, app_url: str, viewport):
    """Toasts sit under the top bar at the chart's top right (a phone: across the top): never over
    the controls a trader acts with while they show, the top bar, the form's side toggles, type and
    button (on a wide screen the whole form and book, scrolled or not), the account tabs or the open
    orders' Cancel buttons scrolled into sight."""
    context = browser.new_context(viewport=viewport)
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_trade_page(page, app_url)
    headers = {"Authorization": f"Bearer {account['token']}"}

    def rest_a_buy(price: str) -> dict:
        """Below the market: it rests, with a "placed" toast."""
        placed = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30, json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": price,
            "timeInForce": "GTC"})
        assert placed.status_code in (200, 201), placed.text
        toast = page.locator("[data-sonner-toast]", has_text=f"#{placed.json()['orderId']}")
        expect(toast).to_be_visible()
        page.wait_for_timeout(600)  # sonner slides a new toast in: measure where it stays
        return toast.bounding_box()

    def covered(toast: dict, *test_ids: str) -> list[str]:
        return [f"{test_id}[{n}]" for test_id in test_ids
                for n, box in enumerate(b.bounding_box() for b in page.get_by_test_id(test_id).all())
                if box is not None and overlaps(toast, box)]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        below = (Decimal(page.get_by_test_id("last-price").inner_text().replace(",", "")) * Decimal("0.9"))
        toast = rest_a_buy(f"{below:.2f}")
        page.screenshot(path=str(SCREENSHOTS / f"toast-{viewport['width']}.png"))
        assert covered(toast, "top-bar", "place-order", "side-buy", "side-sell", "order-type") == [], toast
        # Beside the book and the form (a wide screen): clear of both, however far the page is scrolled.
        beside = ("form-card", "book-card") if viewport["width"] >= 1024 else ()
        assert covered(toast, *beside) == [], toast
        page.get_by_test_id("tab-open").click()
        expect(page.get_by_test_id("cancel-order")).to_have_count(1)
        page.get_by_test_id("cancel-order").scroll_into_view_if_needed()  # the Cancel column in sight
        toast = rest_a_buy(f"{below - 1:.2f}")
        expect(page.get_by_test_id("cancel-order")).to_have_count(2)
        page.get_by_test_id("cancel-order").last.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"toast-cancel-{viewport['width']}.png"))
        toasts = [t.bounding_box() for t in page.locator("[data-sonner-toast]").all()]
        hidden = [c for t in toasts if t
                  for c in covered(t, "cancel-order", "account-tab-list", "cancel-all", *beside)]
        assert hidden == [], (toasts, hidden)
    finally:
        context.close()
