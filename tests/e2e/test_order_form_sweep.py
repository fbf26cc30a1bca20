"""No control but the submit button (and Enter in a field) places an order.

For each order type: fill the form validly, then click every other control on the trade
page and press every shortcut key; the API must show no new order and the page no error
toast. Then the submit button places exactly one order, and so does Enter. All eight types
run on one page, one after the other: a page of its own for each would cost eight sign-ups
and page loads for no more coverage (the orders of the types before stay open, so each
type is swept with more on the page, not less).
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from numatix.domain.type_names import type_label
from tests.e2e.test_trading import RECORD_TOASTS, choose_type, last_price, open_trade_page

TICK = Decimal("0.01")


def _price(value: Decimal) -> str:
    return str(value.quantize(TICK))


def fill_validly(page: Page, order_type: str) -> None:
    """A BUY of each type that the venue would accept and that would not trade at once
    (MARKET trades at once by nature): limits 5 % under the market, stops 5 % over."""
    market = last_price(page)
    below, above = _price(market * Decimal("0.95")), _price(market * Decimal("1.05"))
    fields = {
        "LIMIT": {"field-price": below},
        "MARKET": {},
        "LIMIT_MAKER": {"field-price": below},
        "STOP_LOSS": {"field-stop-price": above},
        "STOP_LOSS_LIMIT": {"field-stop-price": above, "field-price": _price(market * Decimal("1.06"))},
        "TAKE_PROFIT": {"field-stop-price": below},
        "TAKE_PROFIT_LIMIT": {"field-stop-price": below, "field-price": below},
        "OCO": {"field-price": below, "field-stop-price": above},
    }[order_type]
    if page.get_by_test_id("order-side").get_attribute("data-side") != "BUY":
        page.get_by_test_id("side-buy").click()
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "BUY")
    if page.get_by_test_id("order-type").inner_text() != type_label(order_type):  # the page's words
        choose_type(page, order_type)
    expect(page.get_by_test_id("order-type")).to_have_text(type_label(order_type))
    for test_id, value in {**fields, "field-quantity": "0.001"}.items():
        page.get_by_test_id(test_id).fill(value)
    expect(page.get_by_test_id("order-check")).to_have_count(0)


def _api(page: Page, app_url: str, method: str, path: str, **params) -> list | dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "numatix_session")
    response = httpx.request(method, f"{app_url}/api/trading{path}", params=params, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def orders_placed(page: Page, app_url: str) -> list[dict]:
    """Every order of the user, open or not."""
    return _api(page, app_url, "GET", "/orders")


def error_toasts(page: Page) -> list[str]:
    return [t["text"] for t in page.evaluate("window.numatixToasts || []") if t["type"] == "error"]


def open_and_close(page: Page, test_id: str, popup: str = "listbox") -> None:
    """Open a select (its list) or the symbol picker (a dialog) and close it with Escape."""
    page.get_by_test_id(test_id).click()
    expect(page.get_by_role(popup)).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.get_by_role(popup)).to_have_count(0)


def all_events_handled(page: Page) -> None:
    """The page sends its events to the server one at a time, in order: once the Sell side
    (pressed last) shows, every event a click before it started has been handled, an order
    it placed by mistake included."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("s")
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "SELL")


TIMEFRAMES = ("5m", "15m", "1h", "4h", "1d", "1w", "1m")
TABS = ("history", "trades", "positions", "balances", "alerts")
FILTERS = ("filter-symbol", "filter-side", "filter-period")


def click_every_other_control(page: Page, turn: int) -> None:
    """Every control on the page that is not the submit button. The form's own controls,
    the book and the tape, every time. Of the page's controls that come in sets (timeframes,
    tabs, table filters) one per turn, the next each time: every kind is clicked with every
    order type in the form, and every one of them at least once (each chart timeframe or
    table is a page of data to load: all of them for each type would double the test)."""
    for side in ("sell", "buy", "sell", "buy"):
        page.get_by_test_id(f"side-{side}").click()
    open_and_close(page, "order-type")
    if page.get_by_test_id("time-in-force").count():
        open_and_close(page, "time-in-force")
    if page.get_by_test_id("market-by").count():  # the field it shows follows, as a trader sees it
        page.get_by_test_id("market-by").get_by_role("radio", name="Total").click()
        expect(page.get_by_test_id("field-quote-amount")).to_be_visible()
        page.get_by_test_id("market-by").get_by_role("radio", name="Amount").click()
        expect(page.get_by_test_id("field-quantity")).to_be_visible()
    slider = page.get_by_test_id("percent-slider")
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
    page.get_by_role("slider").first.press("ArrowRight")
    # The book and the tape re-render several times a second: never "stable" for long
    # enough on a busy machine, so these clicks skip Playwright's wait for stillness.
    page.get_by_test_id("book-bid").first.click(force=True)
    page.get_by_test_id("book-ask").last.click(force=True)
    page.get_by_test_id("trade-row").first.click(force=True)
    page.get_by_test_id(f"timeframe-{TIMEFRAMES[turn % len(TIMEFRAMES)]}").click()
    open_and_close(page, FILTERS[turn % len(FILTERS)])
    page.get_by_test_id("cancel-all").click()
    page.get_by_role("button", name="Keep them").click()
    page.get_by_test_id(f"tab-{TABS[turn % len(TABS)]}").click()
    page.get_by_test_id("tab-open").click()
    open_and_close(page, "symbol-picker", "dialog")
    page.get_by_test_id("theme-toggle").click()  # light and dark by turns
    page.get_by_test_id("shortcuts-open").click()
    page.get_by_role("button", name="Close", exact=True).click()  # the dialog's, not a toast's "Close toast"
    page.get_by_test_id("user-menu").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)


def press_every_shortcut(page: Page) -> None:
    """Each shortcut from the page itself (nothing focused), as a trader presses them."""
    def from_the_page(key: str) -> None:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press(key)

    for key in ("s", "b"):
        from_the_page(key)
    from_the_page("?")
    expect(page.get_by_test_id("shortcuts-list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts-list")).to_have_count(0)
    from_the_page("/")  # the symbol picker opens, with its search focused; Escape closes it
    expect(page.get_by_test_id("symbol-search")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    for key in ("s", "b", "Escape"):
        from_the_page(key)
    expect(page.get_by_test_id("order-side")).to_have_attribute("data-side", "BUY")



ORDER_TYPES = ["LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",
               "OCO"]


@pytest.mark.timeout(900)  # eight order types on one page: a guard against hanging, sized for a busy machine
def test_only_the_submit_button_and_enter_place_an_order(page: Page, app_url: str):
    page.add_init_script(RECORD_TOASTS)
    page.set_default_timeout(60_000)  # a page starved of CPU on a busy machine can stall for seconds
    open_trade_page(page, app_url)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    placed = 0  # orders (an OCO is two) the API should show so far
    for turn, order_type in enumerate(ORDER_TYPES):
        legs = 2 if order_type == "OCO" else 1
        fill_validly(page, order_type)
        click_every_other_control(page, turn)
        press_every_shortcut(page)
        all_events_handled(page)
        assert len(orders_placed(page, app_url)) == placed, \
            f"{order_type}: a control other than the submit button placed an order"
        assert error_toasts(page) == [], order_type
        assert navigations == [], f"{order_type}: a control reloaded or left the page"

        fill_validly(page, order_type)
        page.get_by_test_id("place-order").click()
        placed += legs
        placed_and_cleared(page, app_url, placed, f"{order_type}: the submit button")

        fill_validly(page, order_type)
        page.get_by_test_id("field-quantity").press("Enter")
        placed += legs
        placed_and_cleared(page, app_url, placed, f"{order_type}: Enter")
        assert error_toasts(page) == [], order_type
        # The venue holds at most 5 stop orders per symbol (Binance's MAX_NUM_ALGO_ORDERS).
        _api(page, app_url, "DELETE", "/orders", symbol="BTCUSDT")


def placed_and_cleared(page: Page, app_url: str, count: int, what: str) -> None:
    """A placed order clears the form's amount; by then the API holds it. Nothing more came
    (a second submit would have been handled before the side change ``all_events_handled`` waits for)."""
    expect(page.get_by_test_id("field-quantity")).to_have_value("")
    all_events_handled(page)
    assert len(orders_placed(page, app_url)) == count, f"{what} did not place exactly one order"
