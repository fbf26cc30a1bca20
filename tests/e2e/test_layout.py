"""The trade page at four widths: a screenshot of each (kept with the test's files, to look at) and
assertions on element boxes: the chart fills its card, the order tabs start in the first screen of
a laptop, the order form comes right after the chart on a tablet and a phone, no tab is out of
reach, and nothing is wider than the screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register, sign_in_context

SCREENS = {"1440": (1440, 900), "1024": (1024, 768), "768": (768, 1024), "390": (390, 844)}
TABS = ["open", "history", "trades", "positions", "balances", "alerts"]

# Boxes of the page's parts, and every visible element that reaches past the right edge of the
# screen without a scrolling or clipping ancestor to hold it (those are what a person sees cut off).
MEASURE = """() => {
  const box = (id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height, right: r.right,
             bottom: r.bottom + window.scrollY };
  };
  const held = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      const clips = style.contain.includes("paint") || style.contain === "strict";
      if (style.overflowX !== "visible" || clips) return true;
    }
    return false;
  };
  const poking = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    const name = `${el.tagName}.${el.className}`.slice(0, 80);
    if (r.right > window.innerWidth + 1 && !held(el)) poking.push(name);
  }
  const ids = ["top-bar", "price-header", "market-grid", "chart-card", "candle-chart", "order-form",
               "form-card", "book-card", "trades-card", "account-card", "account-tab-list"];
  return { boxes: Object.fromEntries(ids.map((id) => [id, box(id)])), poking: poking.slice(0, 10),
           scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
           topBarOverflow: (() => { const t = document.querySelector('[data-testid="top-bar"]');
                                     return t.scrollWidth - t.clientWidth; })() };
}"""


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """NUMATIX_SCREENSHOT_DIR keeps them somewhere to look at; else pytest's temporary folder."""
    chosen = os.environ.get("NUMATIX_SCREENSHOT_DIR")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("screenshots")


def open_at(browser, app_url: str, width: int, height: int, dark: bool = False) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme="dark" if dark else "light")
    sign_in_context(context, app_url, register(app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("candle-chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]\d+$"))
    expect(page.get_by_test_id("book-bid")).to_have_count(20)
    expect(page.get_by_test_id("trade-row").first).to_be_visible()
    return page


@pytest.mark.parametrize("screen", SCREENS)
def test_trade_page_fits_the_screen(browser, app_url: str, screenshots: Path, screen: str):
    width, height = SCREENS[screen]
    page = open_at(browser, app_url, width, height)
    try:
        page.screenshot(path=screenshots / f"trade-{screen}.png", timeout=120_000)
        page.screenshot(path=screenshots / f"trade-{screen}-full.png", full_page=True, timeout=120_000)
        measured = page.evaluate(MEASURE)
        boxes = measured["boxes"]
        assert measured["scrollWidth"] <= width, measured
        assert measured["poking"] == [], measured["poking"]
        assert measured["topBarOverflow"] <= 0, measured

        chart, card = boxes["candle-chart"], boxes["chart-card"]
        assert chart["height"] >= card["height"] - 60, boxes  # the chart fills its card (less the timeframes)
        assert chart["height"] >= (480 if width >= 1024 else 320), boxes
        if screen == "1440":
            tabs = boxes["account-tab-list"]
            assert tabs["bottom"] <= height, boxes  # the order tabs are in the first screen
            assert chart["height"] >= 560, boxes
        if width < 1024:  # the form right after the chart, before the book and the trades
            form = boxes["form-card"]
            assert form["y"] <= chart["bottom"] + 48, boxes
            assert form["y"] <= boxes["book-card"]["y"] and form["y"] < boxes["trades-card"]["y"], boxes
        for tab in TABS:  # every tab can be reached and chosen, however narrow the screen
            page.get_by_test_id(f"tab-{tab}").click()
            expect(page.get_by_test_id(f"tab-{tab}")).to_have_attribute("aria-selected", "true")
            tab_box = page.get_by_test_id(f"tab-{tab}").bounding_box()
            assert tab_box["x"] >= 0 and tab_box["x"] + tab_box["width"] <= width + 1, (tab, tab_box)
    finally:
        page.context.close()


def test_phone_top_bar_keeps_venue_connection_and_menu_in_sight(browser, app_url: str):
    page = open_at(browser, app_url, 390, 844)
    try:
        for test_id in ("symbol-picker", "venue-badge", "connection-status", "user-menu", "theme-toggle"):
            box = page.get_by_test_id(test_id).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (test_id, box)
        status = page.get_by_test_id("connection-status")
        expect(status).to_have_attribute("aria-label", re.compile("Connected"))
        expect(page.get_by_test_id("user-menu")).to_have_attribute("aria-label", re.compile(r"^Account: .+@"))
    finally:
        page.context.close()


# The right end of each tab, as a tap would find it: the tab itself, not something over it or a clip.
TAB_REACHABLE = """(tab) => {
  const r = tab.getBoundingClientRect();
  const hit = document.elementFromPoint(r.right - 3, r.top + r.height / 2);
  return Boolean(hit) && tab.contains(hit);
}"""


def test_phone_shows_every_account_tab_whole_without_scrolling(browser, app_url: str, screenshots: Path):
    """At 390 px the tabs wrap: none is cut at the edge or hidden in a sideways scroller."""
    page = open_at(browser, app_url, 390, 844)
    try:
        tab_list = page.get_by_test_id("account-tab-list")
        tab_list.scroll_into_view_if_needed()
        assert tab_list.evaluate("list => list.scrollWidth - list.clientWidth") <= 0
        outer = tab_list.bounding_box()
        assert outer is not None
        page.screenshot(path=screenshots / "tabs-390.png", clip=outer, timeout=120_000)
        for tab in TABS:
            box = page.get_by_test_id(f"tab-{tab}").bounding_box()
            assert box is not None and box["width"] > 0, tab
            right, outer_right = box["x"] + box["width"], outer["x"] + outer["width"]
            assert outer["x"] - 0.5 <= box["x"] and right <= outer_right + 0.5, (tab, box, outer)
            assert 0 <= box["x"] and box["x"] + box["width"] <= 390, (tab, box)
            assert page.get_by_test_id(f"tab-{tab}").evaluate(TAB_REACHABLE), f"{tab} is covered or clipped"
    finally:
        page.context.close()
