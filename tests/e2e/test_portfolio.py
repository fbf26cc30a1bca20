"""The portfolio page (/portfolio, linked in the top bar): account-value curve, daily P&L bars,
per-symbol performance, execution quality with its aggregate, CSV downloads; the same numbers
as the API's /api/portfolio/*, and an execution row opens its order's details."""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import WAIT_MS, register, sign_in_context


def _headers(page: Page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "numatix_session")
    return {"Authorization": f"Bearer {token}"}


def _get(app_url: str, headers: dict, path: str, **params) -> dict:
    response = httpx.get(f"{app_url}{path}", headers=headers, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def _trade_twice(app_url: str, headers: dict) -> list[int]:
    ids = []
    for side, quantity in (("BUY", "0.002"), ("SELL", "0.001")):
        response = httpx.post(f"{app_url}/api/trading/orders", headers=headers, timeout=30,
                              json={"symbol": "BTCUSDT", "side": side, "type": "MARKET",
                                    "quantity": quantity})
        response.raise_for_status()
        ids.append(response.json()["orderId"])
    # the fills' value points are stored a moment after the fills (they wait for the balances)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        points = _get(app_url, headers, "/api/portfolio/value")["points"]
        if sum(p["kind"] == "fill" for p in points) >= 2:
            return ids
        time.sleep(0.2)
    raise AssertionError(f"no value point after the fills: {points}")


def _money(value: str, sign: bool = False) -> str:
    amount = Decimal(value).quantize(Decimal("0.01")) + 0  # + 0: the page never shows "-0.00"
    return ("+" if sign and amount > 0 else "") + f"{amount:,.2f}"


def test_the_page_shows_what_the_api_answers_and_opens_an_order(page: Page, app_url: str):
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    headers = _headers(page)
    buy_id, sell_id = _trade_twice(app_url, headers)

    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "live")  # hydrated
    page.get_by_test_id("nav-portfolio").click()  # the top bar's link
    expect(page).to_have_url(re.compile(r"/portfolio$"))
    expect(page.get_by_test_id("portfolio-page")).to_have_attribute("data-loaded", "true")

    series = _get(app_url, headers, "/api/portfolio/value")["points"]
    points = int(page.get_by_test_id("value-chart").get_attribute("data-points"))
    # two fills and now (an hourly sample may join)
    assert points >= len(series) - 1 and points >= 3, (points, series)
    expect(page.locator("[data-testid=value-chart] .recharts-area-curve")).to_have_count(1)
    expect(page.get_by_test_id("daily-chart")).to_have_attribute("data-bars", "1")
    expect(page.locator("[data-testid=daily-chart] .recharts-bar-rectangle")).not_to_have_count(0)

    performance = _get(app_url, headers, "/api/portfolio/performance")
    row = page.get_by_test_id("performance-row").filter(has=page.get_by_text("BTCUSDT", exact=True))
    btc = next(s for s in performance["symbols"] if s["symbol"] == "BTCUSDT")
    expect(row.get_by_test_id("performance-fills")).to_have_text(str(btc["fills"]))
    expect(row.get_by_test_id("performance-round-trips")).to_have_text(str(btc["roundTrips"]))
    expect(row.get_by_test_id("performance-fees")).to_have_text(_money(btc["feesInQuote"]))
    expect(row.get_by_test_id("performance-realized")).to_have_text(_money(btc["realizedPnl"], sign=True))
    total = page.get_by_test_id("performance-total")
    expect(total.get_by_test_id("performance-symbol")).to_have_text("ALL")
    expect(total.get_by_test_id("performance-fills")).to_have_text(str(performance["total"]["fills"]))

    executions = _get(app_url, headers, "/api/portfolio/executions")
    expect(page.get_by_test_id("execution-row")).to_have_count(2)
    newest = executions["orders"][0]
    assert newest["orderId"] == sell_id
    shown = page.get_by_test_id("execution-slippage").first.inner_text()
    assert shown == newest["slippageBps"] and shown != "-0.00", (shown, newest)  # to the cent, as the API
    summary = executions["summary"]
    expect(page.get_by_test_id("execution-summary-orders")).to_have_text("2")
    expect(page.get_by_test_id("execution-summary-fills")).to_have_text(str(summary["fills"]))
    expect(page.get_by_test_id("execution-summary-slippage")).to_have_text(
        f"{summary['averageSlippageBps']} bps")
    expect(page.get_by_test_id("execution-summary-maker-share")).to_have_text(
        f"{summary['makerSharePercent']}%")

    # each CSV link downloads the API's CSV with the page's cookie
    for name, header in (("account-value", "time_utc,value_usdt,kind"), ("daily-pnl", "day_utc,pnl_usdt"),
                         ("performance", "symbol,fills,buys"), ("executions", "order_id,symbol,side")):
        href = page.get_by_test_id(f"csv-{name}").get_attribute("href")
        answer = page.request.get(app_url + href)
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv"), (name, answer)
        assert answer.text().startswith(header), (name, answer.text()[:200])
    executions_csv = page.request.get(app_url + page.get_by_test_id("csv-executions").get_attribute("href"))
    assert len(executions_csv.text().strip().splitlines()) == 3

    # a row opens its order
    page.locator(f"[data-testid=execution-row][data-order-id='{buy_id}']").get_by_text("BUY").click()
    expect(page.get_by_test_id("order-details")).to_have_attribute("data-order-id", str(buy_id))
    expect(page.get_by_test_id("details-summary-status")).to_have_text("FILLED")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("order-details")).to_have_count(0)


def test_a_new_account_reads_clearly_and_the_period_changes_the_downloads(page: Page, app_url: str):
    page.goto(f"{app_url}/portfolio")
    expect(page.get_by_test_id("portfolio-page")).to_have_attribute("data-loaded", "true")
    expect(page.get_by_test_id("performance-empty")).to_be_visible()
    expect(page.get_by_test_id("executions-empty")).to_be_visible()
    expect(page.get_by_test_id("execution-summary-orders")).to_have_text("0")
    expect(page.get_by_test_id("execution-summary-slippage")).to_have_text("—")
    expect(page.get_by_test_id("value-now")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*\.\d{2} USDT$"))
    expect(page.get_by_test_id("csv-account-value")).to_have_attribute("href", re.compile(r"days=30$"))
    page.get_by_test_id("portfolio-period").click()
    page.get_by_role("option", name="7 days").click()
    expect(page.get_by_test_id("csv-account-value")).to_have_attribute("href", re.compile(r"days=7$"))
    expect(page.get_by_test_id("csv-daily-pnl")).to_have_attribute("href", re.compile(r"days=7$"))
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "live")
    page.get_by_test_id("nav-trade").click()
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"))


def test_the_page_needs_a_session(anonymous_page: Page, app_url: str):
    anonymous_page.goto(f"{app_url}/portfolio")
    expect(anonymous_page).to_have_url(re.compile(r"/login\?next=%2Fportfolio(%2F)?$"))
    assert httpx.get(f"{app_url}/api/portfolio/value?format=csv", timeout=30).status_code == 401


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_the_page_fits_a_laptop_and_a_phone_and_every_control_is_named(browser, app_url: str, width: int,
                                                                       height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        sign_in_context(context, app_url, register(app_url)["token"])
        page = context.new_page()
        page.goto(f"{app_url}/trade/BTCUSDT")
        expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
        _trade_twice(app_url, _headers(page))
        page.goto(f"{app_url}/portfolio")
        expect(page.get_by_test_id("portfolio-page")).to_have_attribute("data-loaded", "true")
        expect(page.get_by_test_id("execution-row")).to_have_count(2)
        if width >= 520:  # the top bar's link; on a phone the account menu's
            expect(page.get_by_test_id("nav-portfolio")).to_be_visible()
        else:
            page.get_by_test_id("user-menu").click()
            expect(page.get_by_test_id("menu-portfolio")).to_be_visible()
            page.keyboard.press("Escape")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        folder = Path(os.environ.get("NUMATIX_SCREENSHOT_DIR", "test-results/screenshots"))
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"portfolio-{width}.png", full_page=True)
        violations = Axe().run(page).response["violations"]
        blocking = [(v["id"], [n["html"][:200] for n in v["nodes"][:4]]) for v in violations
                    if v["impact"] in ("serious", "critical")]
        assert not blocking, blocking
    finally:
        context.close()
