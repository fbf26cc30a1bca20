"""The chart reads like a trader's chart: dates and local times on the axis, the bar under the cursor
in a legend, volume and fill markers clear of the price axis.

The canvas cannot be read, so the chart element offers ``timeLabels()`` (the time-axis labels it drew
last) and ``chartState()`` (where things are drawn)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context

# A month's short name is the browser locale's: three letters, or four ("Sept" in en-GB).
MONTH = r"[A-Z][a-z]{2,3}"
DATE_LABEL = re.compile(rf"^(\d{{1,2}} {MONTH}|{MONTH} \d{{1,2}})$")  # "7 Dec" or "Dec 7"
MONTH_OR_YEAR = re.compile(rf"^({MONTH} \d{{4}}|\d{{4}})$")  # "Dec 2026", "Sept 2026", "2027"
CLOCK = re.compile(r"^\d{2}:\d{2}$")


@pytest.fixture
def india_page(browser, app_url):
    """A trader in India (UTC+5:30): whole hours in UTC are half hours on their clock."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, timezone_id="Asia/Kolkata",
                                  locale="en-GB")
    sign_in_context(context, app_url, register(app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_chart(page: Page, app_url: str, timeframe: str = "1m") -> None:
    page.goto(f"{app_url}/trade/BTCUSDT")
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-bars", re.compile(r"^[1-9]\d+$"), timeout=30_000)
    if timeframe != "1m":
        page.get_by_test_id(f"timeframe-{timeframe}").click()
        key = re.compile(rf"^BTCUSDT:{timeframe}:")
        expect(chart).to_have_attribute("data-series-key", key, timeout=30_000)


def axis_labels(page: Page, minimum: int = 3) -> list[str]:
    """The labels of the time axis once the chart has drawn a few."""
    deadline = time.monotonic() + 20
    labels: list[str] = []
    while time.monotonic() < deadline:
        labels = page.get_by_test_id("candle-chart").evaluate("chart => chart.timeLabels()")
        if len(labels) >= minimum:
            return labels
        page.wait_for_timeout(250)
    raise AssertionError(f"the time axis drew only {labels}")


def chart_state(page: Page) -> dict:
    return page.get_by_test_id("candle-chart").evaluate("chart => chart.chartState()")


def test_hourly_axis_marks_each_local_day_with_its_date(india_page: Page, app_url: str):
    open_chart(india_page, app_url, "1h")
    labels = axis_labels(india_page)
    assert any(DATE_LABEL.match(label) for label in labels), f"no date on a 1h axis: {labels}"
    kinds = (DATE_LABEL, CLOCK, MONTH_OR_YEAR)
    assert all(any(kind.match(label) for kind in kinds) for label in labels), labels
    assert len(set(labels)) == len(labels), f"labels repeat: {labels}"  # never "12:00 AM" everywhere


def test_times_are_the_traders_local_clock(india_page: Page, app_url: str):
    """The legend's time of the newest bar is its opening time on an Indian clock (UTC+5:30)."""
    open_chart(india_page, app_url, "1h")
    legend = india_page.get_by_test_id("chart-legend")
    expect(legend).to_have_attribute("data-time", re.compile(r"^\d+$"))
    opened = datetime.fromtimestamp(int(legend.get_attribute("data-time")), tz=ZoneInfo("Asia/Kolkata"))
    assert opened.minute == 30  # a whole UTC hour is half past on an Indian clock
    expect(legend).to_contain_text(opened.strftime("%H:%M"))


@pytest.mark.parametrize("timeframe", ["1d", "1w"])
def test_daily_and_weekly_axes_show_dates_not_times(india_page: Page, app_url: str, timeframe: str):
    open_chart(india_page, app_url, timeframe)
    labels = axis_labels(india_page, minimum=1)
    assert all(DATE_LABEL.match(label) or MONTH_OR_YEAR.match(label) for label in labels), labels
    assert not any(":" in label for label in labels), labels


def test_the_legend_shows_the_bar_under_the_cursor_and_else_the_newest(page: Page, app_url: str):
    open_chart(page, app_url)
    chart, legend = page.get_by_test_id("candle-chart"), page.get_by_test_id("chart-legend")
    price = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")
    for field in ("o", "h", "l", "c"):
        expect(legend.locator(f"[data-field={field}]")).to_have_text(price)
    expect(legend.locator("[data-field=change]")).to_have_text(re.compile(r"^[+-]\d+\.\d{2}%$"))
    expect(legend.locator("[data-field=vol]")).to_have_text(re.compile(r"^\d"))
    newest = legend.get_attribute("data-time")

    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    expect(legend).not_to_have_attribute("data-time", newest)
    hovered = int(legend.get_attribute("data-time"))
    assert hovered < int(newest)
    page.mouse.move(box["x"] + box["width"] * 0.3 + 40, box["y"] + box["height"] * 0.5)
    expect(legend).not_to_have_attribute("data-time", str(hovered))  # it follows the cursor
    page.mouse.move(box["x"] - 20, box["y"] - 20)  # off the chart: back to the newest bar
    expect(legend).to_have_attribute("data-time", re.compile(r"^\d+$"))
    assert int(legend.get_attribute("data-time")) >= int(newest)


def test_volume_has_no_label_on_the_price_axis_and_the_newest_bar_keeps_clear_of_it(page: Page, app_url: str):
    open_chart(page, app_url)
    state = chart_state(page)
    assert state["volumeScaleVisible"] is False and state["volumeLastValueVisible"] is False
    room = state["paneWidth"] - state["lastBarX"]
    assert room >= 4 * state["barSpacing"], state  # a marker's text over the newest bar stays in the pane


def test_several_fills_in_one_bar_make_one_marker(context, app_url: str):
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_chart(page, app_url, "1h")
    headers = {"Authorization": f"Bearer {account['token']}"}
    for _ in range(3):
        placed = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30,
                            json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
        assert placed.json()["status"] == "FILLED", placed.text
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-markers", "3")
    expect(chart).to_have_attribute("data-marker-groups", "1")
    [marker] = chart_state(page)["markers"]
    assert marker["text"] == "B 0.003 ×3", marker
