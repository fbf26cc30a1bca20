"""What a person sees on the trade page: a live market, a chart, timeframes, theme."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def open_trade_page(page: Page, app_url: str, symbol: str = "BTCUSDT") -> None:
    page.goto(f"{app_url}/trade/{symbol}")
    expect(page.get_by_test_id("symbol-name")).to_have_text(symbol)
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]\d+$"))


def test_root_redirects_to_btcusdt_with_live_synthetic_feed(page: Page, app_url: str):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
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
    expect(price).not_to_have_text(first_price, timeout=20_000)
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-last-close", re.compile(r"\d"))
    first_close = chart.get_attribute("data-last-close")
    expect(chart).not_to_have_attribute("data-last-close", first_close, timeout=20_000)


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


def test_symbol_picker_switches_market(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("symbol-picker").click()
    page.get_by_role("option", name="ETHUSDT").click()
    expect(page).to_have_url(re.compile(r"/trade/ETHUSDT$"))
    expect(page.get_by_test_id("symbol-name")).to_have_text("ETHUSDT")
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-series-key", re.compile(r"^ETHUSDT:1m:"))


def test_unknown_symbol_shows_not_found_with_links(page: Page, app_url: str):
    page.goto(f"{app_url}/trade/NOPEUSDT")
    expect(page.get_by_test_id("symbol-not-found")).to_be_visible()
    links = page.get_by_test_id("known-symbol")
    expect(links).to_have_count(4)
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
