"""The original platform's walkthrough, in a real browser: trade, see it live, cancel, alerts, limits."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
from playwright.sync_api import Page, expect

from numatix.domain.type_names import order_label
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
    page.get_by_role("option", name="Market", exact=True).click()
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(page.get_by_test_id("estimate-cost")).to_have_text(re.compile(r"^\d[\d,]*\.\d{2} USDT$"))
    expect(page.get_by_test_id("estimate-fee")).to_have_text("0.000001 BTC")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_text(re.compile(r"Buy Market BTCUSDT #\d+ filled"))).to_be_visible()
    page.get_by_test_id("tab-positions").click()
    btc = page.get_by_test_id("positions-row").filter(has=page.get_by_text("BTCUSDT", exact=True))
    expect(btc.get_by_test_id("position-entry")).to_have_text(re.compile(r"^\d[\d,]*\.\d{2}$"))
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
    expect(page.get_by_test_id("confirm-text")).to_contain_text("below the market")  # 30 % away: asked first
    page.get_by_test_id("confirm-place").click()
    page.get_by_test_id("tab-open").click()
    expect(page.get_by_test_id("open-orders-row")).to_have_count(1)
    expect(page.get_by_test_id("open-order-status")).to_have_text("NEW")
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-price-lines", "1")
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Buy Limit BTCUSDT #\d+ canceled"))).to_be_visible()


def test_the_form_names_the_number_as_you_type(page: Page, app_url: str):
    open_trade_page(page, app_url)
    page.get_by_test_id("field-price").fill(str(last_price(page).quantize(Decimal("0.01"))))
    page.get_by_test_id("field-quantity").fill("0.0000001")
    expect(page.get_by_test_id("order-check")).to_have_text("Amount must be at least 0.00001 BTC")
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
    page.get_by_role("option", name="Market", exact=True).click()
    page.get_by_test_id("field-quantity").fill("0.0001")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-check")).to_have_text(re.compile(r"^Too many orders this minute. Try again in \d+ s.$"))


def set_alert_next_to_the_market(page: Page, direction: str, offset: Decimal, tries: int = 10) -> None:
    """An alert ``offset`` from the shown price. The market may cross it before the server has
    it (the page's price is a moment old): refused as "already above/below", it is set again
    from the newer price."""
    states = page.get_by_test_id("alert-state")
    for _ in range(tries):
        before = states.count()
        price = str((last_price(page) + offset).quantize(Decimal("0.01")))
        page.get_by_test_id("alert-direction").click()
        page.get_by_role("option", name=direction, exact=True).click()
        page.get_by_test_id("alert-price").fill(price)
        page.get_by_test_id("create-alert").click()
        refused = page.get_by_test_id("alert-error").filter(has_text=f"already {direction} {price}")
        expect(states.nth(before).or_(refused)).to_be_visible()
        if states.count() > before:
            return
    raise AssertionError(f"an alert {direction} the market was refused {tries} times: it always moved first")


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
        set_alert_next_to_the_market(page, direction, offset)
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
    """By its code (the option's value): the page names it as a trader does ("Stop-Market")."""
    page.get_by_test_id("order-type").click()
    page.locator(f'[role="option"][data-value="{order_type}"]').click()


TICK = Decimal("0.01")


def best_prices(page: Page) -> tuple[Decimal, Decimal]:
    """(best bid, best ask) as the page's order book shows them (asks are drawn best-last)."""
    bid = page.get_by_test_id("book-bid").first.get_attribute("data-price")
    ask = page.get_by_test_id("book-ask").last.get_attribute("data-price")
    return Decimal(bid), Decimal(ask)


# Every toast the page shows, kept even after it fades: an answer that came and went
# between two looks still counts. Safe to run twice (as an init script and by hand).
RECORD_TOASTS = """
(() => {
  if (window.numatixToasts) return;
  window.numatixToasts = [];
  const seen = new WeakSet();
  new MutationObserver(() => {
    document.querySelectorAll('[data-sonner-toast]').forEach((toast) => {
      if (seen.has(toast)) return;
      seen.add(toast);
      setTimeout(() => window.numatixToasts.push({type: toast.getAttribute('data-type'),
                                                  text: toast.innerText}), 50);
    });
  }).observe(document, {childList: true, subtree: true});
})();
"""
ANSWER_MS = 90_000  # how long the venue's answer to a placement may take on a busy machine (a guard)
# How long a trigger order may wait for the market to cross a band a few basis points around
# it (a guard): the synthetic market leaves such a band within a minute even in its quietest
# hour (tests/unit/market/test_synthetic_crossing.py), usually within seconds.
CROSSING_MS = 150_000
BASIS_POINT = Decimal("0.0001")


def band_around(last: Decimal, attempt: int) -> Decimal:
    """How far from the market to price a trigger: 1 bp, doubled each time the market went through
    the last one before it arrived (then the market is fast for how slowly this machine answers)."""
    return max(TICK, (last * BASIS_POINT * 2**attempt).quantize(TICK))


CHECK_TEXT = "(document.querySelector('[data-testid=\"order-check\"]') || {innerText: ''}).innerText"


def place_near_the_market(page: Page, fill_in, placed_label: str, attempts: int = 6) -> int:
    """Place an order priced a band outside the spread (``fill_in(bid, ask, last, band)`` fills the
    form in); if the market moved through it before it arrived (the venue refuses it, with a
    toast), try again, a wider band each time. Each try waits for the venue's answer, however
    slow: a second click while the first order is on its way would place two. Returns the
    placed order's number."""
    page.evaluate(RECORD_TOASTS)
    placed = rf"{re.escape(placed_label)} BTCUSDT #(\d+) placed"
    answers: list[str] = []
    for attempt in range(attempts):
        seen = page.evaluate("window.numatixToasts.length")
        refused_before = page.evaluate(CHECK_TEXT)
        bid, ask = best_prices(page)
        last = last_price(page)
        fill_in(bid, ask, last, band_around(last, attempt))
        page.get_by_test_id("place-order").click()
        # The venue's answer (a toast), or the form's own refusal of a trigger the market has
        # already reached (never sent): a new one, naming this try's price, not the last try's.
        answer = page.wait_for_function(
            f"""([seen, placed, before]) => window.numatixToasts.slice(seen).map((t) => t.text)
                 .find((text) => new RegExp(placed).test(text) || text.includes('Order refused: '))
                 || ((check) => check !== before && check.includes('would trigger at once') && check)({CHECK_TEXT})""",
            arg=[seen, placed, refused_before], timeout=ANSWER_MS).json_value()
        answers.append(answer)
        number = re.search(placed, answer)
        if number:
            return int(number.group(1))
    raise AssertionError(f"could not place the order near the market; the venue said: {answers}")


def recorded_toast(page: Page, pattern: str, timeout: float = 30_000) -> str:
    """The first toast shown since RECORD_TOASTS that matches ``pattern``, even if it has faded."""
    return page.wait_for_function(
        "(pattern) => window.numatixToasts.map((t) => t.text).find((text) => new RegExp(pattern).test(text))",
        arg=pattern, timeout=timeout).json_value()


def test_a_stop_loss_or_take_profit_triggers_when_the_market_crosses_it(page: Page, app_url: str):
    """A sell stop-loss under the market and a sell take-profit over it: whichever way the market
    goes, it crosses one of them soon. (A stop under the market alone may wait for minutes: in a
    trend the market need not come back down. That failed a busy CI run after 90 s.)"""
    open_trade_page(page, app_url)
    page.get_by_test_id("side-sell").click()

    def under(bid: Decimal, ask: Decimal, last: Decimal, band: Decimal) -> None:
        # The book panel refreshes less often than the last price: in a falling market the
        # shown bid can sit above the last print, and a stop there would trigger at once.
        page.get_by_test_id("field-stop-price").fill(str(min(bid, last) - band))
        page.get_by_test_id("field-quantity").fill("0.001")

    def over(bid: Decimal, ask: Decimal, last: Decimal, band: Decimal) -> None:
        page.get_by_test_id("field-stop-price").fill(str(max(ask, last) + band))
        page.get_by_test_id("field-quantity").fill("0.001")

    choose_type(page, "STOP_LOSS")
    stop_loss = place_near_the_market(page, under, order_label("SELL", "STOP_LOSS"))
    choose_type(page, "TAKE_PROFIT")
    take_profit = place_near_the_market(page, over, order_label("SELL", "TAKE_PROFIT"))
    either = rf"Sell (Stop-Market|Take-Profit) BTCUSDT #({stop_loss}|{take_profit}) filled"
    filled = recorded_toast(page, either, CROSSING_MS)
    triggered, other = (stop_loss, take_profit) if f"#{stop_loss} " in filled else (take_profit, stop_loss)
    kind = "STOP_LOSS" if triggered == stop_loss else "TAKE_PROFIT"
    assert f"{order_label('SELL', kind)} BTCUSDT #{triggered} filled" in filled
    # The filled order has left the open orders; the other is still there, unless the market has
    # since crossed it too.
    page.wait_for_function(
        """([triggered, other]) => {
             const row = (id) => document.querySelector(`[aria-label="Cancel order ${id}"]`);
             const filled = (id) => window.numatixToasts.some((t) => t.text.includes(`#${id} filled`));
             return !row(triggered) && (row(other) || filled(other));
           }""", arg=[triggered, other])


def test_an_oco_leg_filling_cancels_the_other(page: Page, app_url: str):
    """A band either side of the market: whichever way it goes, it crosses one leg soon. The first
    fill of either leg (the limit leg may fill in parts) expires the other at once."""
    open_trade_page(page, app_url)
    page.get_by_test_id("side-sell").click()
    choose_type(page, "OCO")

    def fill_in(bid: Decimal, ask: Decimal, last: Decimal, band: Decimal) -> None:
        page.get_by_test_id("field-price").fill(str(max(ask, last) + band))
        page.get_by_test_id("field-stop-price").fill(str(min(bid, last) - band))
        page.get_by_test_id("field-quantity").fill("0.001")

    limit_label, stop_label = order_label("SELL", "LIMIT_MAKER"), order_label("SELL", "STOP_LOSS")
    limit_leg = place_near_the_market(page, fill_in, limit_label)
    stop_placed = recorded_toast(page, rf"{stop_label} BTCUSDT #\d+ placed", ANSWER_MS)
    stop_leg = int(re.findall(r"#(\d+)", stop_placed)[-1])
    assert stop_leg != limit_leg
    filled = recorded_toast(page, rf"(#{limit_leg} (partially )?filled|#{stop_leg} filled)", CROSSING_MS)
    other, other_label = (stop_leg, stop_label) if f"#{limit_leg} " in filled else (limit_leg, limit_label)
    recorded_toast(page, rf"{re.escape(other_label)} BTCUSDT #{other} expired")  # with the first fill
    page.get_by_test_id("tab-history").click()
    expired = page.locator(f'[data-testid="order-history-row"][data-order-id="{other}"]')
    expect(expired.get_by_test_id("history-status")).to_have_text("EXPIRED")


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
            store.insert_order(PaperOrderRecord(user_id, order, Decimal(0), "USDT", Decimal(0)))
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
        expect(rows.first).not_to_have_text(first)
        expect(rows).to_have_count(50)
    page.get_by_test_id("history-newer").click()
    expect(rows).to_have_count(50)


def test_enter_right_after_typing_sends_what_is_on_screen(page: Page, app_url: str):
    open_trade_page(page, app_url)
    choose_type(page, "MARKET")
    page.get_by_test_id("field-quantity").fill("0.0003")
    page.get_by_test_id("field-quantity").press("Enter")  # before the debounced field update lands
    expect(page.get_by_text(re.compile(r"Buy Market BTCUSDT #\d+ filled"))).to_be_visible()
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
