"""Issue 14 parts 11 and 4 in Chromium: the tight Content-Security-Policy (no 'unsafe-inline'
script, connections only to this origin) blocks nothing the app does, on every page and
through a whole log-in; and the device cookie the page's log-in leaves lets its owner back in
after someone locked the account's email out."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, register
from tests.e2e.test_auth import log_in

SLOW = 60_000
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`));
"""


def watch(page: Page) -> list[str]:
    """CSP reports from the console and from the page's own violation events."""
    reports: list[str] = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return reports


def violations(page: Page, reports: list[str]) -> list[str]:
    return reports + page.evaluate("window.__cspViolations || []")


def test_every_page_and_a_whole_log_in_run_under_the_policy(anonymous_page: Page, app_url: str):
    page = anonymous_page
    page.set_default_timeout(SLOW)
    reports = watch(page)
    policy = page.goto(f"{app_url}/signup").all_headers()["content-security-policy"]
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    assert "connect-src 'self'" in policy and "ws:" not in policy
    expect(page.get_by_test_id("sign-up")).to_be_visible()
    assert violations(page, reports) == []
    account = register(app_url)
    page.goto(f"{app_url}/login?next=/settings")
    log_in(page, account["email"], PASSWORD)  # call_script (eval), the fetch that sets the cookie
    expect(page).to_have_url(re.compile(r"/settings/?$"), timeout=SLOW)  # the static server adds the slash
    expect(page.get_by_test_id("user-menu")).to_contain_text(account["email"], timeout=SLOW)
    assert violations(page, reports) == []
    for path in ("/trade/BTCUSDT", "/portfolio", "/settings"):
        page.goto(f"{app_url}{path}")
        expect(page.get_by_test_id("user-menu")).to_contain_text(account["email"], timeout=SLOW)
        assert violations(page, reports) == [], path
    page.goto(f"{app_url}/trade/BTCUSDT")
    price = page.get_by_test_id("last-price")
    expect(price).to_have_text(re.compile(r"\d"))
    expect(price).not_to_have_text(price.inner_text(), timeout=SLOW)  # the socket delivers: connect-src holds
    page.goto(f"{app_url}/api/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/trading/orders").first).to_be_visible()
    assert violations(page, reports) == []


def test_the_owners_browser_logs_in_past_a_lock_out_of_its_email(anonymous_page: Page, app_url: str):
    page = anonymous_page
    page.set_default_timeout(SLOW)
    account = register(app_url)
    page.goto(f"{app_url}/login")
    log_in(page, account["email"], PASSWORD)
    expect(page.get_by_test_id("user-menu")).to_contain_text(account["email"], timeout=SLOW)
    assert "numatix_device" in {cookie["name"] for cookie in page.context.cookies()}
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("log-out").click()
    expect(page.get_by_test_id("log-in")).to_be_visible()
    with httpx.Client(base_url=app_url, timeout=60) as attacker:  # five guesses lock the email out
        for _ in range(5):
            assert attacker.post("/api/auth/login", json={"email": account["email"],
                                                          "password": "wrong-guess-99"}).status_code == 401
        assert attacker.post("/api/auth/login", json={"email": account["email"],
                                                      "password": PASSWORD}).status_code == 429
    page.goto(f"{app_url}/login")
    log_in(page, account["email"], PASSWORD)
    expect(page.get_by_test_id("user-menu")).to_contain_text(account["email"], timeout=SLOW)
