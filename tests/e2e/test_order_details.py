"""One click on an order (open orders, order history, trade history) opens its details: fills,
average price, fees, timeline and, on the paper venue, fill quality. A click on a row does
nothing else: it neither cancels nor places anything."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context


def _headers(page: Page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "numatix_session")
    return {"Authorization": f"Bearer {token}"}


def _place(app_url: str, headers: dict, **order) -> dict:
    response = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30,
                          json={"symbol": "BTCUSDT", **order})
    response.raise_for_status()
    return response.json()


def _details(app_url: str, headers: dict, order_id: int) -> dict:
    response = httpx.get(f"{app_url}/api/trading/orders/{order_id}/details", headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()


def _open_trade_page(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    expect(page.get_by_test_id("last-price")).to_have_text(re.compile(r"\d"))


def _grouped(value: str, decimals: int) -> str:
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-decimals)):,.{decimals}f}"


def test_a_filled_order_shows_its_fills_fees_timeline_and_fill_quality(page: Page, app_url: str):
    _open_trade_page(page, app_url)
    headers = _headers(page)
    order_id = _place(app_url, headers, side="BUY", type="MARKET", quantity="0.002")["orderId"]
    expected = _details(app_url, headers, order_id)

    page.get_by_test_id("tab-history").click()
    row = page.locator(f"[data-testid=order-history-row][data-order-id='{order_id}']")
    row.get_by_test_id("history-status").click()  # a click anywhere on the row
    dialog = page.get_by_test_id("order-details")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-order-id", str(order_id))
    expect(page.get_by_test_id("details-title")).to_have_text(f"Order #{order_id} · Buy Market BTCUSDT")
    expect(page.get_by_test_id("details-summary-status")).to_have_text("FILLED")
    expect(page.get_by_test_id("details-fill")).to_have_count(len(expected["fills"]))
    average = expected["execution"]["averagePrice"]
    expect(page.get_by_test_id("details-summary-average-price")).to_have_text(_grouped(average, 2))
    fee = expected["fees"][0]
    expect(page.get_by_test_id("details-summary-fees")).to_have_text(
        f"{Decimal(fee['amount']).normalize():f} {fee['asset']}")
    steps = ["Placed", *["Fill"] * len(expected["fills"]), "Filled"]
    expect(page.get_by_test_id("timeline-step")).to_have_text(steps)
    # fill quality: the paper venue recorded the arrival price, so slippage is measured
    arrival = expected["execution"]["arrivalPrice"]
    assert arrival is not None
    expect(page.get_by_test_id("details-quality-arrival-price")).to_have_text(_grouped(arrival, 2))
    expect(page.get_by_test_id("details-quality-slippage")).to_have_text(
        f"{expected['execution']['slippageBps']} bps")
    expect(page.get_by_test_id("details-quality-fill-ratio")).to_have_text("100.00%")
    expect(page.get_by_test_id("details-quality-maker-share")).to_have_text("0.00%")  # a market order takes
    expect(page.get_by_test_id("details-no-arrival")).to_have_count(0)

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # the trade history row of that fill opens the same order
    page.get_by_test_id("tab-trades").click()
    page.locator(f"[data-testid=trade-history-row][data-order-id='{order_id}']").first \
        .get_by_test_id("fill-quantity").click()
    expect(dialog).to_have_attribute("data-order-id", str(order_id))
    expect(page.get_by_test_id("details-fill")).to_have_count(len(expected["fills"]))
    page.get_by_test_id("details-close").click()
    expect(dialog).to_have_count(0)


def test_an_open_order_opens_by_row_or_keyboard_and_a_row_click_never_cancels(page: Page, app_url: str):
    _open_trade_page(page, app_url)
    headers = _headers(page)
    price = Decimal(page.get_by_test_id("last-price").inner_text().replace(",", "")) * Decimal("0.7")
    order_id = _place(app_url, headers, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                      price=str(price.quantize(Decimal("0.01"))))["orderId"]
    row = page.locator(f"[data-testid=open-orders-row][data-order-id='{order_id}']")
    expect(row).to_have_count(1)

    row.get_by_test_id("open-order-type").click()
    dialog = page.get_by_test_id("order-details")
    expect(dialog).to_have_attribute("data-order-id", str(order_id))
    expect(page.get_by_test_id("details-summary-status")).to_have_text("NEW")
    expect(page.get_by_test_id("timeline-step")).to_have_text(["Placed"])
    expect(page.get_by_test_id("details-no-fills")).to_be_visible()
    expect(page.get_by_test_id("details-quality-slippage")).to_have_text("—")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # by keyboard: the row's named button
    button = page.get_by_role("button", name=f"Details of order {order_id}")
    button.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_have_attribute("data-order-id", str(order_id))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert _details(app_url, headers, order_id)["order"]["status"] == "NEW"  # looking cancels nothing

    # Cancel in the row cancels, and does not open the details
    row.get_by_test_id("cancel-order").click()
    expect(row).to_have_count(0)
    expect(dialog).to_have_count(0)
    page.get_by_test_id("tab-history").click()
    page.locator(f"[data-testid=order-history-row][data-order-id='{order_id}']").get_by_role(
        "button", name=f"Details of order {order_id}").click()
    expect(page.get_by_test_id("timeline-step")).to_have_text(["Placed", "Canceled"])
    orders = httpx.get(f"{app_url}/api/trading/orders", headers=headers, timeout=30)
    orders.raise_for_status()
    assert [o["orderId"] for o in orders.json()] == [order_id]  # no click placed anything


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_details_fit_a_laptop_and_a_phone(browser, app_url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        sign_in_context(context, app_url, register(app_url)["token"])
        page = context.new_page()
        _open_trade_page(page, app_url)
        headers = _headers(page)
        order_id = _place(app_url, headers, side="BUY", type="MARKET", quantity="0.003")["orderId"]
        page.get_by_test_id("tab-history").click()
        page.get_by_role("button", name=f"Details of order {order_id}").click()
        dialog = page.get_by_test_id("order-details")
        expect(page.get_by_test_id("timeline-step").last).to_have_text("Filled")
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        folder = Path(os.environ.get("NUMATIX_SCREENSHOT_DIR", "test-results/screenshots"))
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"order-details-{width}.png")
    finally:
        context.close()
