"""Every label on the chart can be read: order labels never collide and never sit on the price axis
(orders off the visible prices are a marker at the pane's edge), price-axis labels read as the rest
of the page (97,175.50), never say 0.00 or less, and no axis label is cut by the pane's edge.

The canvas cannot be read, so the chart element offers ``chartState()`` (its ``orderLabels`` are the
boxes the order labels were drawn in), ``priceLabels()`` and ``timeLabelBoxes()`` (the axis labels
drawn last, and where)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context
from tests.e2e.test_chart import chart_state, open_chart

PRICE = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")  # 97,175.50


@pytest.fixture
def trader(context, app_url):
    """(page, API headers) of a fresh trader."""
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page, {"Authorization": f"Bearer {account['token']}"}


def next_frame(page: Page) -> None:
    """After the chart's next paint (a redraw waits for an animation frame)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def price_axis(page: Page) -> dict:
    next_frame(page)
    return page.get_by_test_id("candle-chart").evaluate("chart => chart.priceLabels()")


def place_limit(app_url: str, headers: dict, side: str, price: Decimal) -> None:
    placed = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30, json={
        "symbol": "BTCUSDT", "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.0002",
        "price": str(price.quantize(Decimal("0.01")))})
    assert placed.status_code == 201, placed.text


def overlaps(a: dict, b: dict) -> bool:
    across = a["left"] < b["right"] and b["left"] < a["right"]
    return across and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_crowded_orders_stack_or_merge_and_far_ones_are_edge_markers_clear_of_the_axis(
        trader, app_url: str, tmp_path: Path):
    page, headers = trader
    page.set_viewport_size({"width": 1440, "height": 900})
    open_chart(page, app_url)
    ticks = price_axis(page)["labels"]
    (p1, y1), (p2, y2) = [(Decimal(str(t["price"])), Decimal(str(t["y"]))) for t in (ticks[0], ticks[-1])]
    height = Decimal(chart_state(page)["paneHeight"])

    def price_at(y: Decimal) -> Decimal:  # the price drawn at this height of the pane
        return (p1 + (y - y1) * (p2 - p1) / (y2 - y1)).quantize(Decimal("0.01"))

    last = Decimal(page.get_by_test_id("last-price").inner_text().replace(",", ""))
    orders: dict[str, list[Decimal]] = {}
    for name, at, count in (("pair", Decimal("0.35"), 2), ("crowd", Decimal("0.7"), 5)):
        prices = [price_at(height * at) - step for step in range(count)]  # a dollar apart: under a pixel
        if min(prices) <= last <= max(prices):
            prices = [price - 10 for price in prices]
        orders[name] = prices
        for price in prices:
            place_limit(app_url, headers, "BUY" if price < last else "SELL", price)
    pair, crowd = orders["pair"], orders["crowd"]
    cent = Decimal("0.01")
    far_above, far_below = (last * Decimal("1.5")).quantize(cent), (last / 2).quantize(cent)
    place_limit(app_url, headers, "SELL", far_above)  # far above what the pane shows
    place_limit(app_url, headers, "BUY", far_below)
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-price-lines", "9")

    def drawn() -> dict:
        next_frame(page)
        return chart_state(page)

    state = drawn()
    for _ in range(40):  # the labels follow the orders on the chart's next redraw
        layout = state["orderLabels"]
        if layout["above"] and sum(label["count"] for label in layout["labels"]) == 7:
            break
        page.wait_for_timeout(250)
        state = drawn()
    page.screenshot(path=tmp_path / "order-labels.png", clip=chart.bounding_box())
    layout = state["orderLabels"]
    assert state["priceLinesOnAxis"] == 0 and state["priceLineTitles"] == 0, state  # nothing on the axis

    singles = sorted(label["text"] for label in layout["labels"] if label["count"] == 1)
    side = "Buy" if pair[0] < last else "Sell"
    assert singles == sorted(f"{side} Limit {price:,.2f}" for price in pair), layout  # the pair: stacked
    [merged] = [label for label in layout["labels"] if label["count"] > 1]
    assert merged["count"] == 5, layout  # the crowd: one label that says so
    assert merged["text"] == f"5 orders {min(crowd):,.2f} – {max(crowd):,.2f}", merged
    above, below = layout["above"], layout["below"]
    assert above["count"] == 1 and above["text"] == f"▲ Sell Limit {far_above:,.2f}", above
    assert below["count"] == 1 and below["text"] == f"▼ Buy Limit {far_below:,.2f}", below

    boxes = layout["labels"] + [above, below]
    for box in boxes:  # inside the pane: never over the price axis, nothing cut
        assert 0 <= box["left"] < box["right"] <= layout["width"], box
        assert 0 <= box["top"] < box["bottom"] <= layout["height"], box
        assert box["right"] <= state["paneWidth"], (box, state["paneWidth"])
    for i, box in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert not overlaps(box, other), (box, other)
    assert above["top"] <= 4 and below["bottom"] >= layout["height"] - 4, layout  # at the pane's edges
    for label in layout["labels"]:  # each label near its order's line
        assert abs((label["top"] + label["bottom"]) / 2 - label["lineY"]) <= 40, label


def test_price_axis_reads_like_the_page(page: Page, app_url: str):
    open_chart(page, app_url)
    axis = price_axis(page)
    labels = [label["label"] for label in axis["labels"]]
    assert len(labels) >= 3 and all(PRICE.match(label) for label in labels), labels
    assert any("," in label for label in labels), labels  # BTC is in the tens of thousands
    legend_close = page.get_by_test_id("chart-legend").locator("[data-field=c]")
    expect(legend_close).to_have_text(PRICE)


def test_zoomed_out_weekly_axis_never_says_zero_or_less(page: Page, app_url: str):
    page.set_default_timeout(60_000)
    open_chart(page, app_url, "1w")
    chart = page.get_by_test_id("candle-chart")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(20):  # zoom all the way out: years of weekly bars, the room for volume below
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(100)
    state = chart_state(page)
    axis = price_axis(page)
    assert state["barSpacing"] <= 3, state  # zoomed out as far as the chart goes
    assert any(label["price"] <= 0 for label in axis["labels"]), axis  # the scale reaches zero here...
    drawn = [label["label"] for label in axis["labels"] if label["label"]]
    assert drawn and all(PRICE.match(label) for label in drawn), axis  # ...but no label says 0.00 or less
    assert all(label["price"] > 0 for label in axis["labels"] if label["label"]), axis


def test_daily_axis_labels_are_never_cut_by_the_pane_edge(page: Page, app_url: str):
    """Scrolled and scaled a few pixels at a time, every label drawn is whole: the price labels
    within the pane's height, the time labels within its width."""
    page.set_default_timeout(60_000)
    open_chart(page, app_url, "1d")
    chart = page.get_by_test_id("candle-chart")
    box = chart.bounding_box()
    state = chart_state(page)
    pane_x, pane_y = box["x"] + state["paneWidth"] / 2, box["y"] + state["paneHeight"] / 2
    axis_x = box["x"] + state["paneWidth"] + state["priceAxisWidth"] / 2
    checked_time = checked_price = 0
    for start_x, start_y, dx, dy in ((pane_x, pane_y, 6, 0), (axis_x, pane_y, 0, 4)):
        page.mouse.move(start_x, start_y)
        page.mouse.down()
        for step in range(1, 16):  # drag the time axis sideways, then stretch the price axis
            page.mouse.move(start_x + dx * step, start_y + dy * step, steps=2)
            axis = price_axis(page)
            half = axis["fontSize"] / 2
            for label in axis["labels"]:
                if label["label"]:
                    assert half - 0.5 <= label["y"] <= axis["paneHeight"] - half + 0.5, (step, label, axis)
                    checked_price += 1
            times = chart.evaluate("chart => chart.timeLabelBoxes()")
            for label in times["labels"]:
                if label["x"] is not None:
                    assert label["x"] - label["width"] / 2 >= -0.5, (step, label)
                    assert label["x"] + label["width"] / 2 <= times["width"] + 0.5, (step, label)
                    checked_time += 1
        page.mouse.up()
    assert checked_time >= 30 and checked_price >= 30, (checked_time, checked_price)
