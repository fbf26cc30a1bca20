"""The original platform's walkthrough, in a real browser: trade, see it live, cancel, alerts, limits."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register


def open_trade_page(page: Page, app_url: str, symbol: str = "BTCUSDT") -> None:
    page.goto(f"{app_url}/trade/{symbol}")
    expect(page.get_by_test_id("symbol-name")).to_have_text(symbol)
    expect(page.get_by_test_id("last-price")).to_have_text(re.compile(r"\d"))


def last_price(page: Page) -> Decimal:
    return Decimal(page.get_by_test_id("last-price").inner_text().replace(",", ""))


def test_market_buy_fills_live_and_the_position_shows_its_entry(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("side-buy").click()
    page.get_by_test_id("order-type").click()
    page.get_by_role("option", name="MARKET", exact=True).click()
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("estimate-cost")).to_have_text(re.compile(r"^\d[\d,]*\.\d{2} USDT$"))
    expect(page.get_by_test_id("estimate-fee")).to_have_text("0.000001 BTC")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_text(re.compile(r"BUY MARKET BTCUSDT #\d+ filled"))).to_be_visible()
    page.get_by_test_id("tab-positions").click()
    expect(page.get_by_test_id("position-symbol")).to_have_text("BTCUSDT")
    expect(page.get_by_test_id("position-entry")).to_have_text(re.compile(r"^\d[\d,]*\.\d{2}$"))
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("fill-quantity").first).to_have_text(re.compile(r"^0\.00\d+$"))
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history-status").first).to_have_text("FILLED")


def test_a_limit_far_below_rests_shows_as_open_and_cancels(page: Page, app_url: str):
    open_trade_page(page, app_url)
    far_below = (last_price(page) * Decimal("0.7")).quantize(Decimal("0.01"))
    page.get_by_test_id("side-buy").click()
    page.get_by_test_id("field-price").fill(str(far_below))
    page.get_by_test_id("field-quantity").fill("0.002")
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("tab-open").click()
    expect(page.get_by_test_id("open-orders-row")).to_have_count(1)
    expect(page.get_by_test_id("open-order-status")).to_have_text("NEW")
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-price-lines", "1")
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible()
    expect(page.get_by_text(re.compile(r"BUY LIMIT BTCUSDT #\d+ canceled"))).to_be_visible()


def test_the_form_speaks_the_venues_words_as_you_type(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("field-price").fill(str(last_price(page).quantize(Decimal("0.01"))))
    page.get_by_test_id("field-quantity").fill("0.0000001")
    expect(page.get_by_test_id("order-check")).to_have_text("Filter failure: LOT_SIZE")
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("order-check")).to_have_count(0)
    page.get_by_test_id("book-bid").first.click()  # a price from the book fills the field
    expect(page.get_by_test_id("field-price")).to_have_value(re.compile(r"^\d+(\.\d+)?$"))


def test_the_21st_order_in_a_minute_is_refused_clearly(page: Page, app_url: str):
    open_trade_page(page, app_url)
    token = page.context.cookies()[0]["value"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=10,
                   json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.0001"}).raise_for_status()
    page.get_by_test_id("order-type").click()
    page.get_by_role("option", name="MARKET", exact=True).click()
    page.get_by_test_id("field-quantity").fill("0.0001")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-check")).to_have_text(re.compile(r"^Too many orders this minute. Try again in \d+ s.$"))


def test_an_alert_fires_as_a_toast(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("tab-alerts").click()
    page.get_by_test_id("alert-direction").click()
    page.get_by_role("option", name="above", exact=True).click()
    page.get_by_test_id("alert-price").fill(str((last_price(page) * 2).quantize(Decimal("0.01"))))
    page.get_by_test_id("create-alert").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("active")
    page.get_by_test_id("alert-direction").click()
    page.get_by_role("option", name="below", exact=True).click()
    page.get_by_test_id("alert-price").fill(str((last_price(page) * Decimal("1.5")).quantize(Decimal("0.01"))))
    page.get_by_test_id("create-alert").click()
    expect(page.get_by_test_id("alert-error")).to_contain_text("already below")
    # Two levels a few ticks either side of the market: whichever way it walks, one fires soon.
    for direction, offset in (("above", Decimal("0.05")), ("below", Decimal("-0.05"))):
        page.get_by_test_id("alert-direction").click()
        page.get_by_role("option", name=direction, exact=True).click()
        page.get_by_test_id("alert-price").fill(str((last_price(page) + offset).quantize(Decimal("0.01"))))
        page.get_by_test_id("create-alert").click()
    expect(page.get_by_text(re.compile(r"^Alert: BTCUSDT traded (above|below)")).first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("alert-state").filter(has_text="fired").first).to_be_visible()


def test_question_mark_lists_the_shortcuts_and_b_s_switch_sides(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.locator("body").click()
    page.keyboard.press("s")
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "SELL")
    page.keyboard.press("b")
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "BUY")
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcuts-list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts-list")).to_have_count(0)


def choose_type(page: Page, order_type: str) -> None:
    page.get_by_test_id("order-type").click()
    page.get_by_role("option", name=order_type, exact=True).click()


TICK = Decimal("0.01")


def best_prices(page: Page) -> tuple[Decimal, Decimal]:
    """(best bid, best ask) as the page's order book shows them (asks are drawn best-last)."""
    bid = page.get_by_test_id("book-bid").first.get_attribute("data-price")
    ask = page.get_by_test_id("book-ask").last.get_attribute("data-price")
    return Decimal(bid), Decimal(ask)


def place_near_the_market(page: Page, fill_in, placed_type: str, attempts: int = 5) -> None:
    """Place an order priced a tick outside the spread; if the market moved through it before
    it arrived (the venue refuses it, with a toast), try again."""
    placed = page.get_by_text(re.compile(rf"SELL {placed_type} BTCUSDT #\d+ placed"))
    refusals = page.get_by_text(re.compile(r"^Order refused: "))
    for _ in range(attempts):
        refused_before = refusals.count()
        fill_in(*best_prices(page))
        page.get_by_test_id("place-order").click()
        for _ in range(100):
            if placed.count() > 0 or refusals.count() > refused_before:
                break
            page.wait_for_timeout(100)
        if placed.count() > 0:
            return
    toasts = page.locator("[data-sonner-toast]").all_inner_texts()
    raise AssertionError(f"could not place the order near the market; toasts: {toasts}")


def test_a_stop_loss_triggers_when_the_market_crosses_it(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("side-sell").click()
    choose_type(page, "STOP_LOSS")

    def fill_in(bid: Decimal, ask: Decimal) -> None:  # a tick under the market: the next dip triggers it
        # The book panel refreshes less often than the last price: in a falling market the
        # shown bid can sit above the last print, and a stop there would trigger at once.
        page.get_by_test_id("field-stop-price").fill(str(min(bid, last_price(page)) - TICK))
        page.get_by_test_id("field-quantity").fill("0.001")

    place_near_the_market(page, fill_in, "STOP_LOSS")
    expect(page.get_by_text(re.compile(r"SELL STOP_LOSS BTCUSDT #\d+ filled"))).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible()


def test_an_oco_leg_filling_cancels_the_other(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("side-sell").click()
    choose_type(page, "OCO")

    def fill_in(bid: Decimal, ask: Decimal) -> None:
        # 1.5 bp either side of the last print: the synthetic market moves more than a tick
        # between book frames, yet crosses this band within a minute or so.
        last = last_price(page)
        band = (last * Decimal("0.00015")).quantize(TICK)
        page.get_by_test_id("field-price").fill(str(max(ask, last) + band))
        page.get_by_test_id("field-stop-price").fill(str(min(bid, last) - band))
        page.get_by_test_id("field-quantity").fill("0.001")

    place_near_the_market(page, fill_in, "LIMIT_MAKER")
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible(timeout=150_000)
    page.get_by_test_id("tab-history").click()
    statuses = page.get_by_test_id("history-status")
    expect(statuses).to_have_count(2)
    assert sorted(statuses.all_inner_texts()) in (["EXPIRED", "FILLED"], ["CANCELED", "FILLED"])


def test_a_10000_order_history_pages_smoothly(page: Page, app_server):
    from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
    from numatix.domain.orders import Order
    from numatix.exchange.paper import PaperOrderRecord
    from numatix.store.db import make_engine
    from numatix.store.paper_repository import SqlPaperStore

    app_url, data_dir = app_server
    account = register(app_url)
    user_id = httpx.get(f"{app_url}/api/auth/me", headers={"Authorization": f"Bearer {account['token']}"}).json()["id"]
    engine = make_engine(f"sqlite:///{data_dir / 'numatix.db'}")
    store = SqlPaperStore(engine)
    base_id = 50_000_000 + user_id * 100_000  # far above what the running venue will number
    with store.transaction():
        for n in range(10_000):
            order = Order(base_id + n, f"old-{n}", "BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                          Decimal("0.001"), Decimal("40000"), status=OrderStatus.CANCELED,
                          created_time_ms=1_700_000_000_000 + n * 1000, update_time_ms=1_700_000_000_000 + n * 1000)
            store.save_order(PaperOrderRecord(user_id, order, Decimal(0), "USDT", Decimal(0)))
    engine.dispose()
    page.context.clear_cookies()
    from tests.e2e.conftest import sign_in_context
    sign_in_context(page.context, app_url, account["token"])
    open_trade_page(page, app_url)
    page.get_by_test_id("tab-history").click()
    rows = page.get_by_test_id("order-history-row")
    expect(rows).to_have_count(50)
    for _ in range(5):
        first = rows.first.inner_text()
        page.get_by_test_id("history-older").click()
        expect(rows.first).not_to_have_text(first, timeout=3_000)
        expect(rows).to_have_count(50)
    page.get_by_test_id("history-newer").click()
    expect(rows).to_have_count(50)


def test_enter_right_after_typing_sends_what_is_on_screen(page: Page, app_url: str):
    open_trade_page(page, app_url)
    choose_type(page, "MARKET")
    page.get_by_test_id("field-quantity").fill("0.0003")
    page.get_by_test_id("field-quantity").press("Enter")  # before the debounced field update lands
    expect(page.get_by_text(re.compile(r"BUY MARKET BTCUSDT #\d+ filled"))).to_be_visible()
    page.get_by_test_id("tab-trades").click()
    quantities = page.get_by_test_id("fill-quantity")
    expect(quantities.first).to_be_visible()
    assert sum(Decimal(q) for q in quantities.all_inner_texts()) == Decimal("0.0003")


def test_the_layout_fits_from_1280_px_down_to_a_tablet(page: Page, app_url: str):
    for width, height in ((1280, 800), (1024, 768), (820, 1180)):
        page.set_viewport_size({"width": width, "height": height})
        open_trade_page(page, app_url)
        expect(page.get_by_test_id("place-order")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than a {width}px screen"
