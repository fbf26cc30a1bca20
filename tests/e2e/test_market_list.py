"""The market list (the symbol picker): last price, 24h change and volume per symbol, sortable by
any column, and favourites kept for the user (another browser of theirs shows the same)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context


def _open_picker(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "live")
    page.get_by_test_id("symbol-picker").click()
    expect(page.get_by_test_id("symbol-option").first).to_be_visible()


def _order(page: Page) -> list[str]:
    return page.get_by_test_id("symbol-option").evaluate_all("(rows) => rows.map((r) => r.dataset.symbol)")


def test_every_market_shows_volume_and_sorts_by_any_column(page: Page, app_url: str):
    _open_picker(page, app_url)
    expect(page.get_by_test_id("symbol-volume").first).to_have_text(re.compile(r"^\d+(\.\d{2})?[KMB]?$"))
    # as Binance opens it: by volume, the most traded first
    expect(page.get_by_test_id("sort-volume")).to_have_attribute("data-active", "descending")
    expect(page.get_by_test_id("symbol-list")).not_to_contain_text("—")  # every market has printed
    symbols = sorted(_order(page))
    assert len(symbols) >= 20  # Binance's 20 most traded USDT pairs

    page.get_by_role("button", name="Sort by price").click()
    expect(page.get_by_test_id("sort-price")).to_have_attribute("data-active", "descending")
    expect(page.get_by_test_id("sort-price")).to_have_accessible_name("Sort by price (now descending)")
    prices = page.get_by_test_id("symbol-option").evaluate_all(
        "(rows) => rows.map((r) => parseFloat(r.children[1].innerText.replaceAll(',', '')))")
    assert prices == sorted(prices, reverse=True), prices
    assert _order(page)[0] == "BTCUSDT"

    page.get_by_test_id("sort-price").click()  # again: the other way round
    expect(page.get_by_test_id("sort-price")).to_have_attribute("data-active", "ascending")
    expect(page.get_by_test_id("symbol-option").last).to_have_attribute("data-symbol", "BTCUSDT")

    page.get_by_test_id("sort-symbol").click()
    expect(page.get_by_test_id("sort-symbol")).to_have_attribute("data-active", "ascending")
    expect(page.get_by_test_id("symbol-option").first).to_have_attribute("data-symbol", symbols[0])
    assert _order(page) == symbols

    page.get_by_test_id("sort-change").click()
    expect(page.get_by_test_id("sort-change")).to_have_attribute("data-active", "descending")
    changes = page.get_by_test_id("symbol-option").evaluate_all(
        "(rows) => rows.map((r) => parseFloat(r.children[2].innerText))")
    assert changes == sorted(changes, reverse=True), changes

    page.locator("[data-testid=symbol-option][data-symbol=ETHUSDT]").click()  # a row still opens its market
    expect(page).to_have_url(re.compile(r"/trade/ETHUSDT$"))


def test_favourites_are_kept_for_the_user_in_every_browser(browser, app_url: str):
    token = register(app_url)["token"]

    def new_browser() -> Page:  # one at a time: two live trade pages at once starve a busy machine
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        sign_in_context(context, app_url, token)
        page = context.new_page()
        _open_picker(page, app_url)
        return page

    page = new_browser()
    try:
        page.get_by_test_id("favourites-tab").click()
        expect(page.get_by_test_id("favourites-tab")).to_have_attribute("aria-pressed", "true")
        expect(page.get_by_text("No favourites yet: star a market to keep it here.")).to_be_visible()
        page.get_by_test_id("all-markets-tab").click()
        page.get_by_role("button", name="Add ETHUSDT to favourites").click()
        expect(page.get_by_role("button", name="Remove ETHUSDT from favourites")).to_have_attribute(
            "aria-pressed", "true")
        expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"))  # the star only stars
        page.get_by_test_id("favourites-tab").click()
        expect(page.get_by_test_id("symbol-option")).to_have_count(1)
        expect(page.get_by_test_id("symbol-option")).to_have_attribute("data-symbol", "ETHUSDT")
    finally:
        page.context.close()

    other = new_browser()  # the same user, another browser
    try:
        unstar = other.get_by_role("button", name="Remove ETHUSDT from favourites")
        expect(unstar).to_have_attribute("aria-pressed", "true")
        unstar.click()
        expect(other.get_by_role("button", name="Add ETHUSDT to favourites")).to_have_attribute(
            "aria-pressed", "false")
    finally:
        other.context.close()

    again = new_browser()
    try:
        expect(again.get_by_role("button", name="Add ETHUSDT to favourites")).to_have_attribute(
            "aria-pressed", "false")
    finally:
        again.context.close()


def test_a_new_user_starts_without_favourites(page: Page, app_url: str):
    _open_picker(page, app_url)
    expect(page.locator("[data-testid=favourite-toggle][aria-pressed=true]")).to_have_count(0)


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_the_list_fits_a_laptop_and_a_phone(browser, app_url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        sign_in_context(context, app_url, register(app_url)["token"])
        page = context.new_page()
        _open_picker(page, app_url)
        page.get_by_role("button", name="Add BTCUSDT to favourites").click()
        expect(page.get_by_role("button", name="Remove BTCUSDT from favourites")).to_be_visible()
        listing = page.get_by_test_id("symbol-list").bounding_box()
        assert listing["x"] >= 0 and listing["x"] + listing["width"] <= width, listing
        for row in page.get_by_test_id("symbol-volume").all():
            box = row.bounding_box()
            assert box["x"] + box["width"] <= width, box
        folder = Path(os.environ.get("NUMATIX_SCREENSHOT_DIR", "test-results/screenshots"))
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"market-list-{width}.png")
    finally:
        context.close()
