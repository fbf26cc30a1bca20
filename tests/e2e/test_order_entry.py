"""The order form and the account tables as a trader uses them: words that name the number,
the Total field, a confirmation far from the market, prices kept per order type, an OCO
shown as one pair, history and positions that agree with the fills, names for every control."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_order_form_sweep import orders_placed
from tests.e2e.test_trading import choose_type, last_price, open_trade_page

CENT = Decimal("0.01")


@pytest.fixture
def trade_page(page: Page, app_url: str) -> Page:
    page.set_default_timeout(60_000)
    open_trade_page(page, app_url)
    return page


def api(page: Page, app_url: str, path: str):
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "numatix_session")
    response = httpx.get(f"{app_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    response.raise_for_status()
    return response.json()


def grouped(value: Decimal, decimals: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):,.{decimals}f}"


def near_market(page: Page, factor: str) -> str:
    return str((last_price(page) * Decimal(factor)).quantize(CENT))


def test_the_form_names_the_number_and_what_is_available(trade_page: Page):
    page = trade_page
    expect(page.get_by_test_id("available")).to_have_text("10,000.00 USDT")
    page.get_by_test_id("field-price").fill(near_market(page, "1"))
    check = page.get_by_test_id("order-check")
    for quantity, words in (("0.000001", "Amount must be at least 0.00001 BTC"),
                            ("0.000015", "Amount must be a multiple of 0.00001 BTC"),
                            ("0.00001", "Minimum order is 5 USDT")):
        page.get_by_test_id("field-quantity").fill(quantity)
        expect(check).to_have_text(words)
    page.get_by_test_id("field-quantity").fill("1")
    expect(check).to_have_text(re.compile(r"^Not enough USDT: this order needs [\d,.]+ USDT, 10,000 USDT available$"))
    page.get_by_test_id("field-price").fill("100.001")
    expect(check).to_have_text("Price must be a multiple of 0.01 USDT")
    page.get_by_test_id("side-sell").click()
    expect(page.get_by_test_id("available")).to_have_text("0.10000 BTC")
    page.get_by_test_id("field-price").fill(near_market(page, "1"))
    page.get_by_test_id("field-quantity").fill("0.2")
    expect(check).to_have_text("Not enough BTC: this order needs 0.2 BTC, 0.1 BTC available")
    page.get_by_test_id("field-quantity").fill("0.01")
    expect(check).to_have_count(0)
    expect(page.get_by_test_id("estimate-fee")).to_have_text(re.compile(r"^[\d.]+ USDT$"))


def test_a_limit_orders_total_is_price_times_amount_either_way(trade_page: Page):
    page = trade_page
    page.get_by_test_id("field-price").fill("50000")
    page.get_by_test_id("field-quantity").fill("0.01")
    expect(page.get_by_test_id("field-total")).to_have_value("500.00")  # at USDT's cents
    page.get_by_test_id("field-total").fill("1234.56")
    expect(page.get_by_test_id("field-quantity")).to_have_value("0.02469")  # down to the 0.00001 step
    page.get_by_test_id("field-price").fill("40000")
    expect(page.get_by_test_id("field-total")).to_have_value("987.60")  # 0.02469 × 40,000


def test_a_price_far_from_the_market_asks_before_placing(trade_page: Page, app_url: str):
    page = trade_page
    far = near_market(page, "0.75")  # 25 % under: "2x %" even after the market moves a little
    page.get_by_test_id("field-price").fill(far)
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("confirm-text")).to_have_text(
        re.compile(rf"^Your price {re.escape(f'{Decimal(far).normalize():,f}')} is 2\d\.\d% below the market"))
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("confirm-text")).to_have_count(0)
    page.wait_for_timeout(1000)
    assert orders_placed(page, app_url) == []
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("confirm-place").click()
    expect(page.get_by_text(re.compile(r"Buy Limit BTCUSDT #\d+ placed"))).to_be_visible()
    assert [Decimal(o["price"]) for o in orders_placed(page, app_url)] == [Decimal(far)]


def test_each_order_type_keeps_the_prices_typed_for_it(trade_page: Page):
    page = trade_page
    choose_type(page, "STOP_LOSS_LIMIT")
    page.get_by_test_id("field-stop-price").fill("12345.67")
    page.get_by_test_id("field-price").fill("12340")
    choose_type(page, "OCO")
    expect(page.get_by_test_id("field-stop-price")).to_have_value("")
    expect(page.get_by_test_id("field-price")).to_have_value("")
    choose_type(page, "STOP_LOSS_LIMIT")
    expect(page.get_by_test_id("field-stop-price")).to_have_value("12345.67")
    expect(page.get_by_test_id("field-price")).to_have_value("12340")


def test_an_oco_shows_as_one_pair_with_one_cancel(trade_page: Page, app_url: str):
    page = trade_page
    page.get_by_test_id("side-sell").click()
    choose_type(page, "OCO")
    page.get_by_test_id("field-price").fill(near_market(page, "1.05"))
    page.get_by_test_id("field-stop-price").fill(near_market(page, "0.95"))
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("tab-open").click()
    types = page.get_by_test_id("open-order-type")
    expect(types).to_have_count(2)
    assert types.all_inner_texts() == ["OCO · Post-only (Limit maker)", "OCO · Stop-Market"]
    rows = page.get_by_test_id("open-orders-row")
    assert rows.nth(0).get_attribute("data-pair") == rows.nth(1).get_attribute("data-pair") != ""
    cancel = page.get_by_test_id("cancel-order")
    expect(cancel).to_have_count(1)
    expect(cancel).to_have_text("Cancel pair")
    cancel.click()
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible()
    assert {o["status"] for o in orders_placed(page, app_url)} == {"CANCELED"}


def test_history_and_positions_agree_with_the_fills_number_by_number(trade_page: Page, app_url: str):
    page = trade_page
    limit = near_market(page, "1.003")  # above the asks: fills at once, at better prices than the limit
    page.get_by_test_id("field-price").fill(limit)
    page.get_by_test_id("field-quantity").fill("0.002")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_text(re.compile(r"Buy Limit BTCUSDT #\d+ filled: 0\.00200 BTC at [\d,]+\.\d{2}"))).to_be_visible()
    [order] = orders_placed(page, app_url)
    fills = [f for f in api(page, app_url, "/api/trading/trades") if f["orderId"] == order["orderId"]]
    quantity = sum(Decimal(f["quantity"]) for f in fills)
    total = sum(Decimal(f["quoteQuantity"]) for f in fills)
    fee = sum(Decimal(f["commission"]) for f in fills)
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history-status")).to_have_text("FILLED")
    expect(page.get_by_test_id("history-price")).to_have_text(grouped(Decimal(limit), 2))
    expect(page.get_by_test_id("history-average")).to_have_text(grouped(total / quantity, 2))
    expect(page.get_by_test_id("history-filled")).to_have_text(grouped(quantity, 5))
    expect(page.get_by_test_id("history-total")).to_have_text(grouped(total, 2))
    needed = -int(fee.normalize().as_tuple().exponent)  # BTC's 5 decimals, more where the fee needs them
    expect(page.get_by_test_id("history-fee")).to_have_text(f"{grouped(fee, min(8, max(5, needed)))} BTC")
    assert total / quantity < Decimal(limit)

    page.get_by_test_id("tab-positions").click()
    btc = next(b for b in api(page, app_url, "/api/trading/balance")["balances"] if b["asset"] == "BTC")
    position = next(p for p in api(page, app_url, "/api/trading/positions") if p["symbol"] == "BTCUSDT")
    row = page.get_by_test_id("positions-row").filter(has=page.get_by_text("BTCUSDT", exact=True))
    expect(row.get_by_test_id("position-quantity")).to_have_text(grouped(Decimal(btc["total"]), 5))
    assert Decimal(position["quantity"]) == Decimal(btc["total"])  # the wallet's coins, started ones too
    # entry: the starting 0.1 BTC at the price when the account opened, plus the fills at theirs
    starting_entry = (Decimal(position["entryPrice"]) * Decimal(position["quantity"])
                      - sum((Decimal(f["quantity"]) - Decimal(f["commission"])) * Decimal(f["price"]) for f in fills)
                      ) / Decimal("0.1")
    assert starting_entry > 0
    expect(row.get_by_test_id("position-entry")).to_have_text(grouped(Decimal(position["entryPrice"]), 2))
    expect(row.get_by_test_id("position-fees")).to_have_text(grouped(Decimal(position["feesInQuote"]), 2))
    assert Decimal(position["feesInQuote"]) == sum(Decimal(f["commission"]) * Decimal(f["price"]) for f in fills)
    expect(row.get_by_test_id("position-realized")).to_have_text("0.00")


UNNAMED = re.compile(r"^\s*- (textbox|combobox|slider|button|spinbutton|checkbox|radio|switch)\s*(:.*)?$")


def test_every_control_of_the_form_and_the_tables_has_a_name(trade_page: Page):
    page = trade_page
    for name in ("Price", "Amount", "Total"):
        expect(page.get_by_role("textbox", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Order type")).to_be_visible()
    expect(page.get_by_role("combobox", name="Time in force")).to_be_visible()
    expect(page.get_by_role("slider", name="Share of available balance")).to_be_visible()
    for tab in ("open", "history", "trades", "positions", "balances", "alerts"):
        page.get_by_test_id(f"tab-{tab}").click()
        unnamed = [line for line in page.get_by_test_id("order-form").aria_snapshot().splitlines()
                   + page.locator(".rt-TabsRoot").first.aria_snapshot().splitlines() if UNNAMED.match(line)]
        assert unnamed == [], f"controls without a name on the {tab} tab: {unnamed}"
    expect(page.get_by_role("textbox", name="Alert price")).to_be_visible()
    expect(page.get_by_role("combobox", name="Alert when the price goes")).to_be_visible()


def test_a_market_order_fills_and_the_toast_says_how_much_at_what(trade_page: Page):
    page = trade_page
    choose_type(page, "MARKET")
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    toast = page.get_by_text(re.compile(r"Buy Market BTCUSDT #\d+ filled: 0\.00100 BTC at ([\d,]+\.\d{2})$"))
    expect(toast).to_be_visible()
    price = Decimal(re.search(r"at ([\d,]+\.\d{2})$", toast.inner_text()).group(1).replace(",", ""))
    assert abs(price - last_price(page)) / price < Decimal("0.05")
    free_usdt = page.get_by_test_id("available").inner_text()
    assert Decimal(free_usdt.split()[0].replace(",", "")) < 10_000


def test_the_slider_sizes_a_share_of_what_is_free(trade_page: Page):
    page = trade_page
    page.get_by_test_id("side-sell").click()
    # The side switch draws the slider anew (at 0): focus it once that has happened, as a person
    # would look at the new side before using it, or the key presses go to the old one.
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "SELL")
    slider = page.get_by_role("slider", name="Share of available balance")
    slider.focus()
    for held in ("0.001", "0.002"):  # 1 % steps of the 0.1 BTC held, each from where the last left it
        slider.press("ArrowRight")
        expect(page.get_by_test_id("field-quantity")).to_have_value(held)
    page.get_by_test_id("percent-50").click()  # a quick pick
    expect(page.get_by_test_id("field-quantity")).to_have_value("0.05")
    page.get_by_test_id("side-buy").click()
    price = Decimal("50000")
    page.get_by_test_id("field-price").fill(str(price))
    page.get_by_test_id("percent-75").click()
    expected = (Decimal("10000") * Decimal("0.75") / price).quantize(Decimal("0.00001"), ROUND_DOWN)
    expect(page.get_by_test_id("field-quantity")).to_have_value(format(expected.normalize(), "f"))
