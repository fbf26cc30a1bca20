"""Issue 14 part 6 in the page: NaN, Infinity and 1e99999999999 typed or pasted in the order form
are not taken (a number field takes digits, one point and commas only: the field keeps what it
had), place nothing, and leave the form usable (no "An error occurred", no button stuck
disabled, before or after a reload). The server's own words for them are the API's (integration
test_extreme_numbers)."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.test_order_form_sweep import orders_placed
from tests.e2e.test_trading import last_price, open_trade_page

# The page refuses letters as they are typed (assets/numatix-keys.js); a value can still arrive
# another way (autofill, a browser extension, a script), so it is set here as those would.
SET_VALUE = """(element, value) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(element, value);
    element.dispatchEvent(new Event("input", {bubbles: true}));
}"""
WORDS = "must be a plain number like 0.001 (digits and one point, at most 20 digits before and after it)"


def test_numbers_nobody_should_type_get_words_and_the_form_stays_usable(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    backend_errors: list[str] = []
    page.on("console", lambda message: backend_errors.append(message.text)
            if "An error occurred" in message.text else None)
    open_trade_page(page, app_url)
    check, place = page.get_by_test_id("order-check"), page.get_by_test_id("place-order")
    price = str((last_price(page) * Decimal("0.99")).quantize(Decimal("0.01")))
    for field, kept in (("field-quantity", "0.001"), ("field-price", price)):
        page.get_by_test_id("field-quantity").fill("0.001")
        page.get_by_test_id("field-price").fill(price)
        for typed in ("NaN", "Infinity", "-Infinity", "1e99999999999", "1_000", "１２"):
            page.get_by_test_id(field).fill(typed)
            expect(page.get_by_test_id(field)).to_have_value(kept)
            expect(page.get_by_text(WORDS)).to_have_count(0)
            expect(place).to_be_enabled()
    assert orders_placed(page, app_url) == []
    page.reload()
    open_trade_page(page, app_url)
    expect(place).to_be_enabled()
    page.get_by_test_id("field-price").fill(price)
    page.get_by_test_id("field-quantity").fill("0.001")
    expect(check).to_have_count(0)
    place.click()
    for _ in range(600):  # until the order is placed: a guard of 60 s, not a speed target
        if orders_placed(page, app_url):
            break
        page.wait_for_timeout(100)
    assert [order["price"] for order in orders_placed(page, app_url)] == [price]
    assert backend_errors == []
    expect(page.get_by_text("An error occurred")).to_have_count(0)


def test_a_hostile_number_that_arrives_anyway_gets_words_and_places_nothing(page: Page, app_url: str):
    """Autofill, an extension or a script can put text in a field past the typing filter: the
    server's check answers it in words, and the form stays usable."""
    page.set_default_timeout(60_000)
    open_trade_page(page, app_url)
    check, place = page.get_by_test_id("order-check"), page.get_by_test_id("place-order")
    price = str((last_price(page) * Decimal("0.99")).quantize(Decimal("0.01")))
    for field, label in (("field-quantity", "Amount"), ("field-price", "Price")):
        page.get_by_test_id("field-quantity").fill("0.001")
        page.get_by_test_id("field-price").fill(price)
        for value in ("NaN", "Infinity", "1e99999999999", "１２"):
            page.get_by_test_id(field).evaluate(SET_VALUE, value)
            expect(check).to_have_text(f"{label} {WORDS}")
            place.click()
            expect(check).to_have_text(f"{label} {WORDS}")
            expect(place).to_be_enabled()
    assert orders_placed(page, app_url) == []
    expect(page.get_by_text("An error occurred")).to_have_count(0)
