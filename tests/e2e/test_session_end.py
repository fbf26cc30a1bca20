"""An ended session ends in every open page (issue 14, part 1).

Context A is the victim's other device with three tabs open: a plain /settings tab, and a
/trade and a /settings tab that ignore being sent away (``deaf_to_log_in``), as a stale or
hostile page would. The session then ends by "Log out everywhere" or a password change in
context B, or by expiring. The plain tab must land on /login; the deaf tabs must not be
able to place an order, reset the wallet, or receive a toast: the server refuses them.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PASSWORD, register, sign_in_context
from tests.support.stale_tab import DroppedRedirects, deaf_to_log_in, mint_session

NEW_PASSWORD = "a-brand-new-passphrase"
LOADED = 30_000  # ms: a page load on a busy machine
TOAST = "[data-sonner-toast]"
# When the page reached /login, by the page's own clock (the sync API sees events late).
LANDING_CLOCK = """
setInterval(() => {
  if (location.pathname.startsWith('/login') && !window.__onLogInAt) window.__onLogInAt = Date.now();
}, 20);
"""


@dataclass
class Victim:
    context: BrowserContext
    plain: Page
    trade: Page
    trade_dropped: DroppedRedirects
    settings: Page
    settings_dropped: DroppedRedirects


def api(app_url: str, token: str, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{app_url}/api{path}", headers={"Authorization": f"Bearer {token}"},
                         timeout=20, **kwargs)


def log_in_over_api(app_url: str, email: str, password: str) -> str:
    response = httpx.post(f"{app_url}/api/auth/login", json={"email": email, "password": password},
                          timeout=20)
    response.raise_for_status()
    return response.json()["token"]


def new_page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def open_victim(browser: Browser, app_url: str, token: str, email: str) -> Victim:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    sign_in_context(context, app_url, token)
    plain = new_page(context)
    plain.add_init_script(LANDING_CLOCK)
    plain.goto(f"{app_url}/settings")
    expect(plain.get_by_test_id("signed-in-email")).to_have_text(email, timeout=LOADED)
    trade = new_page(context)
    trade_dropped = deaf_to_log_in(trade)
    trade.goto(f"{app_url}/trade/BTCUSDT")
    expect(trade.get_by_test_id("last-price")).to_have_text(re.compile(r"\d"), timeout=LOADED)
    settings = new_page(context)
    settings_dropped = deaf_to_log_in(settings)
    settings.goto(f"{app_url}/settings")
    expect(settings.get_by_test_id("signed-in-email")).to_have_text(email, timeout=LOADED)
    return Victim(context, plain, trade, trade_dropped, settings, settings_dropped)


def buy_at_market(app_url: str, token: str) -> int:
    placed = api(app_url, token, "POST", "/trading/orders",
                 json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
    assert placed.status_code == 201, placed.text
    return placed.json()["orderId"]


def btc_total(app_url: str, token: str) -> Decimal:
    balances = api(app_url, token, "GET", "/trading/balance").json()["balances"]
    return next(Decimal(str(b["total"])) for b in balances if b["asset"] == "BTC")


def toasts_arrive(victim: Victim, app_url: str, token: str) -> None:
    """The control: while the session lives, the trade tab shows a fill as a toast."""
    order_id = buy_at_market(app_url, token)
    toast = victim.trade.locator(TOAST, has_text=re.compile(rf"#{order_id}\b")).first
    expect(toast).to_be_visible(timeout=LOADED)


def assert_everything_refused(victim: Victim, app_url: str, fresh_token: str, ended_at: float) -> None:
    """``ended_at``: time.time() when the session was ended (or expired)."""
    expect(victim.plain).to_have_url(re.compile(r"/login\?next="), timeout=15_000)
    landed = victim.plain.evaluate("window.__onLogInAt") / 1000 - ended_at
    print(f"plain tab on /login {landed:.2f} s after the session ended")
    assert landed < 10  # the target is 2 s (bench/bench_session_end.py); this only says "pushed, not polled"
    for dropped in (victim.trade_dropped, victim.settings_dropped):  # the deaf tabs were told to go too
        wait_until(lambda dropped=dropped: dropped.at, victim.trade)
    btc_before = btc_total(app_url, fresh_token)
    assert btc_before != Decimal("0.1")  # the control buy moved it: a reset would show

    # The stale trade tab tries to place a resting order (a valid one, 5 % under the market:
    # close enough that the form asks no confirmation, the click goes straight to placing).
    page = victim.trade
    last = Decimal(page.get_by_test_id("last-price").inner_text().replace(",", ""))
    page.get_by_test_id("field-price").fill(str((last * Decimal("0.95")).quantize(Decimal("0.01"))))
    page.get_by_test_id("field-quantity").fill("0.002")
    told = len(victim.trade_dropped.at)
    page.get_by_test_id("place-order").click()
    wait_until(lambda: len(victim.trade_dropped.at) > told, page)  # the server answered: go to log in
    assert api(app_url, fresh_token, "GET", "/trading/orders", params={"status": "open"}).json() == []

    page = victim.settings  # the stale settings tab tries to reset the wallet
    told = len(victim.settings_dropped.at)
    page.get_by_test_id("reset-wallet").click()
    page.get_by_test_id("confirm-reset").click()
    wait_until(lambda: len(victim.settings_dropped.at) > told, page)
    expect(page.get_by_test_id("settings-notice")).to_have_count(0)
    assert btc_total(app_url, fresh_token) == btc_before

    order_id = buy_at_market(app_url, fresh_token)  # news of the account no longer reaches the stale tab
    victim.trade.wait_for_timeout(3_000)
    expect(victim.trade.locator(TOAST, has_text=re.compile(rf"#{order_id}\b"))).to_have_count(0)
    expect(victim.trade.locator(TOAST, has_text="An error occurred")).to_have_count(0)


def wait_until(condition, page: Page, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server never answered the stale tab"
        page.wait_for_timeout(100)  # the sync API moves socket frames only while it waits


@contextmanager
def victim_and_other_device(browser: Browser, app_url: str, account: dict):
    """The victim's open pages (their toasts arriving) and, on another device signed in as the
    same user, its settings page: the place a session is ended from."""
    victim = open_victim(browser, app_url, account["token"], account["email"])
    other = browser.new_context()
    try:
        toasts_arrive(victim, app_url, account["token"])
        sign_in_context(other, app_url, log_in_over_api(app_url, account["email"], PASSWORD))
        page = new_page(other)
        page.goto(f"{app_url}/settings")
        yield victim, page
    finally:
        other.close()
        victim.context.close()


def test_log_out_everywhere_ends_the_pages_open_on_another_device(browser: Browser, app_url: str):
    account = register(app_url)
    with victim_and_other_device(browser, app_url, account) as (victim, page):
        expect(page.get_by_test_id("signed-in-email")).to_have_text(account["email"], timeout=LOADED)
        started = time.time()
        page.get_by_test_id("log-out-everywhere").click()
        expect(page).to_have_url(re.compile(r"/login"), timeout=LOADED)
        fresh = log_in_over_api(app_url, account["email"], PASSWORD)
        assert_everything_refused(victim, app_url, fresh, started)


def test_a_password_change_ends_the_pages_open_on_another_device(browser: Browser, app_url: str):
    account = register(app_url)
    with victim_and_other_device(browser, app_url, account) as (victim, page):
        page.get_by_test_id("field-current_password").fill(PASSWORD)
        page.get_by_test_id("field-new_password").fill(NEW_PASSWORD)
        page.get_by_test_id("field-confirm_password").fill(NEW_PASSWORD)
        started = time.time()
        page.get_by_test_id("change-password").click()
        expect(page.get_by_test_id("settings-notice")).to_contain_text("Password changed", timeout=LOADED)
        fresh = log_in_over_api(app_url, account["email"], NEW_PASSWORD)
        assert_everything_refused(victim, app_url, fresh, started)
        page.reload()  # the tab that changed it carries on in its new session
        expect(page.get_by_test_id("signed-in-email")).to_have_text(account["email"], timeout=LOADED)


@pytest.mark.timeout(240)
def test_an_expired_session_ends_its_open_pages(browser: Browser, app_server):
    app_url, data_dir = app_server
    account = register(app_url)
    lifetime = 45
    token = mint_session(data_dir, account["user"]["id"], lifetime)
    expires_at = time.time() + lifetime
    victim = open_victim(browser, app_url, token, account["email"])
    try:
        toasts_arrive(victim, app_url, token)
        assert time.time() < expires_at - 3, "the set-up took longer than the session lives"
        victim.plain.wait_for_timeout((expires_at - time.time()) * 1000)
        assert api(app_url, token, "GET", "/auth/me").status_code == 401
        fresh = log_in_over_api(app_url, account["email"], PASSWORD)
        assert_everything_refused(victim, app_url, fresh, expires_at)
    finally:
        victim.context.close()


def test_ending_one_session_in_settings_logs_out_that_device_only(browser: Browser, app_url: str):
    account = register(app_url)
    with victim_and_other_device(browser, app_url, account) as (victim, page):
        rows = page.get_by_test_id("session-row")
        expect(rows).to_have_count(2, timeout=LOADED)
        expect(rows.filter(has_text="This device")).to_have_count(1)
        started = time.time()
        rows.filter(has_not_text="This device").get_by_test_id("end-session").click()
        expect(page.get_by_test_id("sessions-notice")).to_contain_text("Session ended")
        expect(rows).to_have_count(1)
        fresh = log_in_over_api(app_url, account["email"], PASSWORD)
        assert_everything_refused(victim, app_url, fresh, started)
        page.reload()
        expect(page.get_by_test_id("signed-in-email")).to_have_text(account["email"], timeout=LOADED)
