"""A fresh trader's second look at the order form, as a person uses it: a limit priced through
the book is estimated (and questioned) at what it will really fill at; a take-profit asks for
its trigger price; a trigger on the wrong side of the market is said as it is typed and never
sent."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from numatix.domain.guidance import plain
from tests.e2e.test_order_form_sweep import RECORD_TOASTS, error_toasts, orders_placed
from tests.e2e.test_trading import choose_type, last_price, open_trade_page

CENT = Decimal("0.01")
NEAR = Decimal("0.03")  # "about the market": within 3 % of the last price shown (a live, moving market)


@pytest.fixture
def trade_page(page: Page, app_url: str) -> Page:
    page.set_default_timeout(60_000)
    page.add_init_script(RECORD_TOASTS)
    open_trade_page(page, app_url)
    expect(page.get_by_test_id("order-form")).to_be_visible()
    return page


def number(text: str) -> Decimal:
    return Decimal(re.search(r"[\d,]+(\.\d+)?", text).group(0).replace(",", ""))


def near(value: Decimal, market: Decimal) -> bool:
    return abs(value - market) / market < NEAR


def test_a_sell_limit_far_under_the_market_is_estimated_and_confirmed_at_the_bids(trade_page: Page,
                                                                                   app_url: str):
    page = trade_page
    page.get_by_test_id("side-sell").click()
    expect(page.get_by_test_id("order-type")).to_have_text("Limit")
    market = last_price(page)
    limit = (market * Decimal("0.8")).quantize(CENT)
    page.get_by_test_id("field-price").fill(str(limit))
    page.get_by_test_id("field-quantity").fill("0.001")
    at_once = page.get_by_test_id("estimate-at-once")
    expect(at_once).to_have_text(re.compile(r"^Fills now: 0\.00100 BTC at ≈[\d,]+\.\d{2}$"))  # none rests
    fill = number(at_once.inner_text().split("≈")[1])
    assert near(fill, market) and fill > limit * Decimal("1.1"), (fill, market, limit)
    estimated = number(page.get_by_test_id("estimate-price").inner_text())
    assert near(estimated, market), (estimated, market)  # the bids', not the limit's 80 %
    total = number(page.get_by_test_id("estimate-cost").inner_text())
    assert total > limit * Decimal("0.001") * Decimal("1.1"), total
    # The question says it trades now, at about the market, naming both numbers.
    page.get_by_test_id("place-order").click()
    question = page.get_by_test_id("confirm-text")
    expect(question).to_contain_text(
        f"It will not wait for {plain(limit)}: all 0.001 BTC fills now at about ")
    expect(page.get_by_role("alertdialog")).to_contain_text("Trades at once, far from your price")
    said = re.search(r"fills now at about ([\d,]+\.\d{2}) \(the best bids\)", question.inner_text())
    assert said and near(number(said.group(1)), market), question.inner_text()
    # "Change it" places nothing.
    page.get_by_test_id("confirm-cancel").click()
    expect(question).to_have_count(0)
    page.wait_for_timeout(1_000)
    assert orders_placed(page, app_url) == []
    # Placed anyway, it fills at about what the form said, not at its limit.
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("confirm-place").click()
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    placed = orders_placed(page, app_url)
    assert len(placed) == 1 and placed[0]["status"] == "FILLED", placed
    average = Decimal(placed[0]["cummulativeQuoteQty"]) / Decimal(placed[0]["executedQty"])
    assert near(average, fill) and average > limit * Decimal("1.1"), (average, fill)


def test_a_limit_that_reaches_no_level_is_estimated_at_its_price_and_asked_about_as_before(trade_page: Page):
    """What the walk must not do: a buy far under the market rests whole, at its price."""
    page = trade_page
    market = last_price(page)
    limit = (market * Decimal("0.8")).quantize(CENT)
    page.get_by_test_id("field-price").fill(str(limit))
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("estimate-price")).to_have_text(f"{limit:,}")
    expect(page.get_by_test_id("estimate-at-once")).to_have_count(0)
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("confirm-text")).to_contain_text("below the market")
    expect(page.get_by_test_id("confirm-text")).not_to_contain_text("fills now")
    page.get_by_test_id("confirm-cancel").click()


@pytest.mark.parametrize("order_type, label", [
    ("TAKE_PROFIT", "Trigger price"), ("TAKE_PROFIT_LIMIT", "Trigger price"),
    ("STOP_LOSS", "Stop price"), ("STOP_LOSS_LIMIT", "Stop price"),
])
def test_a_take_profit_asks_for_a_trigger_price_a_stop_loss_for_a_stop_price(trade_page: Page, order_type,
                                                                              label):
    page = trade_page
    choose_type(page, order_type)
    field = page.get_by_test_id("field-stop-price")
    expect(field).to_be_visible()
    expect(page.get_by_label(label, exact=True)).to_have_attribute("data-testid", "field-stop-price")
    other = "Stop price" if label == "Trigger price" else "Trigger price"
    expect(page.get_by_label(other, exact=True)).to_have_count(0)
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("order-check")).to_have_text(f"Enter the {label.lower()}")


def test_a_trigger_on_the_wrong_side_is_said_as_typed_and_never_sent(trade_page: Page, app_url: str):
    page = trade_page
    choose_type(page, "STOP_LOSS")  # a buy stop-loss fires on a rise: its stop belongs above the market
    market = last_price(page)
    under = (market * Decimal("0.95")).quantize(CENT)
    page.get_by_test_id("field-stop-price").fill(str(under))
    check = page.get_by_test_id("order-check")  # before any amount is typed
    expect(check).to_have_text(re.compile(
        r"^For a buy stop-market order: stop price above the last price \(([\d,]+(\.\d+)?)\); "
        rf"at {re.escape(plain(under))} it would trigger at once$"))
    named = number(re.search(r"last price \(([\d,.]+)\)", check.inner_text()).group(1))
    assert near(named, market), (named, market)
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(check).to_contain_text("For a buy stop-market order")
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("field-quantity").press("Enter")
    page.wait_for_timeout(1_500)  # room for an order, were one on its way
    assert orders_placed(page, app_url) == []
    assert error_toasts(page) == []  # kept from the venue, not refused by it
    expect(check).to_contain_text("stop price above the last price")
    # A take-profit sell below the market is on the wrong side too, in its own words.
    page.get_by_test_id("side-sell").click()
    choose_type(page, "TAKE_PROFIT")
    page.get_by_test_id("field-stop-price").fill(str(under))
    expect(check).to_contain_text("For a sell take-profit order: trigger price above the last price (")
    # What the rule must not do: a trigger on its side is no problem, and the order goes.
    page.get_by_test_id("side-buy").click()
    choose_type(page, "STOP_LOSS")
    page.get_by_test_id("field-stop-price").fill(str((market * Decimal("1.05")).quantize(CENT)))
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(check).to_have_count(0)
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    assert [o["type"] for o in orders_placed(page, app_url)] == ["STOP_LOSS"]


def test_a_market_buy_by_total_says_and_spends_what_whole_steps_buy(trade_page: Page, app_url: str):
    """50 USDT buys whole 0.00001 BTC steps (about 0.97 USDT each at ~97,000): the form says it
    spends a little less than 50, and the venue spends that, never more than 50."""
    page = trade_page
    choose_type(page, "MARKET")
    page.get_by_test_id("market-by").get_by_role("radio", name="Total").click()
    page.get_by_test_id("field-quote-amount").fill("50")
    note = page.get_by_test_id("estimate-at-once")
    expect(note).to_have_text(re.compile(
        r"^Spends about 49\.\d\d of 50 USDT: BTC is bought in whole steps of 0\.00001 BTC$"))
    said = number(note.inner_text().removeprefix("Spends about "))
    step_worth = last_price(page) * Decimal("0.00001")
    assert Decimal(50) - step_worth * Decimal("1.05") < said < Decimal(50), said
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("field-quote-amount")).to_have_value("")
    placed = orders_placed(page, app_url)
    assert len(placed) == 1 and placed[0]["status"] == "FILLED", placed
    spent = Decimal(placed[0]["cummulativeQuoteQty"])
    assert Decimal(50) - step_worth * Decimal("1.05") < spent <= Decimal(50), spent
