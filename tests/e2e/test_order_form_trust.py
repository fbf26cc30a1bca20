"""A fresh trader's findings on the order form, each as what a person does in the page:
a price typed for one symbol never becomes an order on another, each side keeps its own
form, the slider sizes at a price the trader sees, Total is rounded as USDT is shown,
Price and Amount take no letters, an empty Limit form asks for its price first."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_order_form_sweep import orders_placed
from tests.e2e.test_trading import choose_type, last_price, open_trade_page

CENT = Decimal("0.01")


@pytest.fixture
def trade_page(page: Page, app_url: str) -> Page:
    page.set_default_timeout(60_000)
    open_trade_page(page, app_url)
    expect(page.get_by_test_id("order-form")).to_be_visible()
    return page


def near_market(page: Page, factor: str) -> str:
    return str((last_price(page) * Decimal(factor)).quantize(CENT))


def switch_symbol(page: Page, search: str, symbol: str) -> None:
    """As a trader does: '/' opens the market list, type, Enter."""
    page.get_by_test_id("price-header").click()  # out of any field, so '/' is a shortcut
    page.keyboard.press("/")
    expect(page.get_by_test_id("symbol-search")).to_be_focused()
    page.keyboard.type(search)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("symbol-name")).to_have_text(symbol)
    expect(page.get_by_test_id("last-price")).to_have_text(re.compile(r"\d"))


def test_nothing_typed_for_one_symbol_carries_over_to_the_next(trade_page: Page, app_url: str):
    page = trade_page
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")  # a new form's type
    page.get_by_test_id("field-price").fill(near_market(page, "0.99"))
    page.get_by_test_id("field-quantity").fill("0.0000001")
    expect(page.get_by_test_id("order-check")).to_have_text("Amount must be at least 0.00001 BTC")
    page.get_by_test_id("field-quantity").fill("0.05")
    expect(page.get_by_test_id("estimate-fee")).to_contain_text("BTC")
    switch_symbol(page, "eth", "ETHUSDT")
    for field in ("field-price", "field-quantity", "field-total"):
        expect(page.get_by_test_id(field)).to_have_value("")
    expect(page.get_by_test_id("order-check")).to_have_count(0)
    expect(page.get_by_test_id("estimate-fee")).to_have_text("—")
    expect(page.get_by_test_id("place-order")).to_have_text("Buy ETH")
    # the far-from-market question compares with ETH's market, not the symbol typed before
    eth = last_price(page)
    page.get_by_test_id("field-price").fill(str((eth * Decimal("0.8")).quantize(CENT)))
    page.get_by_test_id("field-quantity").fill("0.01")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("confirm-text")).to_contain_text("below the market")
    market = Decimal(re.search(r"the market \(([\d,.]+)\)", page.get_by_test_id("confirm-text").inner_text())
                     .group(1).replace(",", ""))
    assert abs(market - eth) / eth < Decimal("0.05"), (market, eth)
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("confirm-text")).to_have_count(0)
    assert orders_placed(page, app_url) == []


def test_an_order_shown_for_another_symbol_is_not_placed(trade_page: Page, app_url: str):
    """Enter pressed while the page still showed the old symbol: the server trades another
    one now, so nothing is placed and the form starts again."""
    page = trade_page
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")  # a new form's type
    page.get_by_test_id("field-price").fill(near_market(page, "0.98"))
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("field-total")).not_to_have_value("")
    # the page still shows ETHUSDT's form when Enter is pressed (in one go: a re-render would
    # put the hidden field back)
    page.get_by_test_id("order-form").evaluate(
        "form => { form.querySelector('input[name=symbol]').value = 'ETHUSDT'; form.requestSubmit(); }")
    expect(page.get_by_test_id("order-check")).to_have_text(
        "The market is now BTCUSDT: nothing was placed. Enter the order again.")
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    assert orders_placed(page, app_url) == []


def test_each_side_keeps_its_own_form(trade_page: Page):
    page = trade_page
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")  # a new form's type
    buy_price, sell_price = near_market(page, "0.97"), near_market(page, "1.03")
    page.get_by_test_id("field-price").fill(buy_price)
    page.get_by_test_id("field-quantity").fill("0.002")
    expect(page.get_by_test_id("field-total")).not_to_have_value("")
    buy_total = page.get_by_test_id("field-total").input_value()
    page.get_by_test_id("side-sell").click()
    for field in ("field-price", "field-quantity", "field-total"):
        expect(page.get_by_test_id(field)).to_have_value("")  # not the buy-sized amount
    page.get_by_test_id("field-price").fill(sell_price)
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("field-total")).not_to_have_value("")
    page.get_by_test_id("side-buy").click()
    expect(page.get_by_test_id("field-price")).to_have_value(buy_price)
    expect(page.get_by_test_id("field-quantity")).to_have_value("0.002")
    expect(page.get_by_test_id("field-total")).to_have_value(buy_total)
    page.get_by_test_id("side-sell").click()
    expect(page.get_by_test_id("field-price")).to_have_value(sell_price)
    expect(page.get_by_test_id("field-quantity")).to_have_value("0.001")


def test_the_slider_sizes_at_a_price_on_screen_and_total_is_in_cents(trade_page: Page):
    page = trade_page
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")  # a new form's type
    expect(page.get_by_test_id("field-price")).to_have_value("")
    page.get_by_test_id("percent-50").click()
    expect(page.get_by_test_id("field-price")).to_have_value(re.compile(r"^\d+\.\d{2}$"))  # the last price
    expect(page.get_by_test_id("field-total")).to_have_value(re.compile(r"^\d+\.\d{2}$"))
    price = Decimal(page.get_by_test_id("field-price").input_value())
    quantity = Decimal(page.get_by_test_id("field-quantity").input_value())
    total = Decimal(page.get_by_test_id("field-total").input_value())
    assert total == (price * quantity).quantize(CENT)
    assert Decimal(4900) <= total <= Decimal(5000)  # half of 10,000 USDT, down to the step
    expect(page.get_by_test_id("order-check")).to_have_count(0)  # no "Enter the price"
    thumb = page.get_by_role("slider", name="Share of available balance")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # 1 % steps, not 25 %
    expect(thumb).to_have_attribute("aria-valuenow", "51")
    choose_type(page, "STOP_LOSS")
    page.get_by_test_id("percent-25").click()
    expect(page.get_by_test_id("order-check")).to_have_text(
        "Enter the stop price first: the slider sizes the order at it")


def test_no_letters_in_price_and_amount_and_an_empty_limit_asks_for_its_price(trade_page: Page, app_url: str):
    page = trade_page
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")  # a new form's type
    page.get_by_test_id("field-price").press_sequentially("9s0b0")  # key by key, as typed
    expect(page.get_by_test_id("field-price")).to_have_value("900")
    page.get_by_test_id("field-price").fill("NaN")  # pasted at once: refused as a whole
    expect(page.get_by_test_id("field-price")).to_have_value("900")
    page.get_by_test_id("field-quantity").press_sequentially("0.0e1x")
    expect(page.get_by_test_id("field-quantity")).to_have_value("0.01")
    page.get_by_test_id("field-total").press_sequentially("1.2.3")
    expect(page.get_by_test_id("field-total")).not_to_have_value(re.compile(r"\..*\."))
    page.get_by_test_id("field-price").fill("")
    page.get_by_test_id("field-quantity").fill("")
    page.get_by_test_id("field-quantity").press("Enter")
    expect(page.get_by_test_id("order-check")).to_have_text("Enter the price")
    assert orders_placed(page, app_url) == []


def test_a_double_click_on_place_or_on_place_it_anyway_places_one_order(trade_page: Page, app_url: str):
    """The second click of a double click is sent before the page has heard of the first
    order: it places nothing (a trader who means a second order sees the emptied form first)."""
    page = trade_page
    page.get_by_test_id("field-price").fill(near_market(page, "0.99"))
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").dblclick()
    expect(page.get_by_test_id("field-quantity")).to_have_value("")  # placed: the form empties
    page.wait_for_timeout(1_500)  # room for a second order, were it coming
    assert len(orders_placed(page, app_url)) == 1
    # A price far from the market asks first; a double click on the answer places one order.
    page.get_by_test_id("field-price").fill(near_market(page, "0.7"))
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("confirm-place").dblclick()
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    page.wait_for_timeout(1_500)
    assert len(orders_placed(page, app_url)) == 2
    # What is typed again is a new order.
    page.get_by_test_id("field-price").fill(near_market(page, "0.99"))
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    assert len(orders_placed(page, app_url)) == 3


def test_a_decimal_comma_is_refused_in_words_and_places_nothing(trade_page: Page, app_url: str):
    page = trade_page
    page.get_by_test_id("field-price").fill(near_market(page, "0.99"))
    page.get_by_test_id("field-quantity").fill("0,01")
    expect(page.get_by_test_id("order-check")).to_contain_text("use a point for decimals, like 0.01")
    page.get_by_test_id("place-order").click()
    page.wait_for_timeout(1_000)
    assert orders_placed(page, app_url) == []
