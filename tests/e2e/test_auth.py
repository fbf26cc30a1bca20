"""What a person does to get in and out: sign up, log in, reload, log out, settings.

The log-in rate limit counts failed attempts per address too, and every test here comes
from 127.0.0.1: only the last test makes failed attempts.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, register, sign_in_context

SLOW = 30_000  # ms: a page load or a password hash on a busy machine


def masked(api_key: str) -> str:
    return f"{api_key[:4]}…{api_key[-4:]}"


def fresh_email() -> str:
    return f"person-{uuid.uuid4().hex[:10]}@example.com"


def log_in(page: Page, email: str, password: str) -> None:
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill(password)
    page.get_by_test_id("log-in").click()


def test_pages_carry_the_security_headers(anonymous_page: Page, app_url: str):
    response = anonymous_page.goto(f"{app_url}/login")
    headers = response.all_headers()
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_a_private_page_sends_you_to_log_in_and_back(anonymous_page: Page, app_url: str):
    page = anonymous_page
    account = register(app_url)
    page.goto(f"{app_url}/trade/ETHUSDT")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Ftrade%2FETHUSDT$"))
    log_in(page, account["email"], PASSWORD)
    expect(page).to_have_url(re.compile(r"/trade/ETHUSDT$"), timeout=SLOW)
    expect(page.get_by_test_id("symbol-name")).to_have_text("ETHUSDT")
    expect(page.get_by_test_id("user-menu")).to_contain_text(account["email"], timeout=SLOW)


def test_sign_up_then_the_session_survives_a_reload_until_log_out(anonymous_page: Page, app_url: str):
    page = anonymous_page
    email = fresh_email()
    page.goto(f"{app_url}/signup")
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill("short")
    page.get_by_test_id("field-confirm").fill("short")
    page.get_by_test_id("field-password").evaluate("el => el.removeAttribute('minlength')")
    page.get_by_test_id("sign-up").click()
    expect(page.get_by_test_id("form-error")).to_have_text("Password must be at least 10 characters.")
    page.get_by_test_id("field-password").fill(PASSWORD)
    page.get_by_test_id("field-confirm").fill(PASSWORD)
    page.get_by_test_id("sign-up").click()
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"), timeout=SLOW)
    expect(page.get_by_test_id("user-menu")).to_contain_text(email, timeout=SLOW)
    assert all(cookie["httpOnly"] for cookie in page.context.cookies() if cookie["name"] == "numatix_session")
    assert page.evaluate("document.cookie").find("numatix_session") == -1  # page scripts cannot read it
    page.reload()
    expect(page.get_by_test_id("user-menu")).to_contain_text(email, timeout=SLOW)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("log-out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=SLOW)
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page).to_have_url(re.compile(r"/login/?\?next="), timeout=SLOW)


def test_signing_up_twice_with_one_email_says_so(anonymous_page: Page, app_url: str):
    page = anonymous_page
    account = register(app_url)
    page.goto(f"{app_url}/signup")
    page.get_by_test_id("field-email").fill(account["email"].upper())
    page.get_by_test_id("field-password").fill(PASSWORD)
    page.get_by_test_id("field-confirm").fill(PASSWORD)
    page.get_by_test_id("sign-up").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("already exists")


def test_settings_saves_a_key_masked_resets_the_wallet_and_changes_the_password(context, app_url: str, binance_sim):
    key = binance_sim.create_key()
    account = register(app_url)
    sign_in_context(context, app_url, account["token"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_have_text(account["email"], timeout=SLOW)
    page.get_by_test_id("field-api_key").fill(key.api_key)
    page.get_by_test_id("field-secret").fill(key.secret)
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Key checked and saved", timeout=SLOW)
    expect(page.get_by_test_id("key-hint")).to_have_text(masked(key.api_key))
    assert key.secret not in page.content() and key.api_key not in page.content()
    page.get_by_test_id("venue-binance").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Binance Spot Testnet")
    page.get_by_test_id("delete-key").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Key deleted")
    expect(page.get_by_test_id("key-hint")).to_have_count(0)

    page.get_by_test_id("reset-wallet").click()
    page.get_by_test_id("confirm-reset").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Paper wallet reset")

    page.get_by_test_id("field-current_password").fill(PASSWORD)
    page.get_by_test_id("field-new_password").fill("a-brand-new-passphrase")
    page.get_by_test_id("field-confirm_password").fill("a-brand-new-passphrase")
    page.get_by_test_id("change-password").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Password changed", timeout=SLOW)
    page.reload()  # the fresh cookie from the change keeps this tab signed in
    expect(page.get_by_test_id("signed-in-email")).to_have_text(account["email"], timeout=SLOW)
    stale = page.request.get(f"{app_url}/api/auth/me", headers={"Authorization": f"Bearer {account['token']}"})
    assert stale.status == 401  # the old session ended with the password change


def test_one_user_never_sees_another_users_key(browser, app_url: str, binance_sim):
    key = binance_sim.create_key()
    alice, bob = register(app_url), register(app_url)
    pages = {}
    for name, account in (("alice", alice), ("bob", bob)):
        context = browser.new_context()
        sign_in_context(context, app_url, account["token"])
        pages[name] = context.new_page()
        pages[name].set_default_timeout(20_000)
        pages[name].goto(f"{app_url}/settings")
    pages["alice"].get_by_test_id("field-api_key").fill(key.api_key)
    pages["alice"].get_by_test_id("field-secret").fill(key.secret)
    pages["alice"].get_by_test_id("save-key").click()
    expect(pages["alice"].get_by_test_id("key-hint")).to_have_text(masked(key.api_key))
    pages["bob"].reload()
    expect(pages["bob"].get_by_test_id("signed-in-email")).to_have_text(bob["email"], timeout=SLOW)
    expect(pages["bob"].get_by_test_id("key-hint")).to_have_count(0)
    for page in pages.values():
        page.context.close()


def test_after_log_in_a_hostile_next_lands_on_the_trade_page(anonymous_page: Page, app_url: str):
    """An open redirect would hand a phishing page the user's trust (issue 14, part 5)."""
    page = anonymous_page
    account = register(app_url)
    page.goto(f"{app_url}/login?next=%2F%5Cattacker.example")  # /\attacker.example
    log_in(page, account["email"], PASSWORD)
    expect(page).to_have_url(f"{app_url}/trade/BTCUSDT", timeout=30_000)
    for hostile in ("//attacker.example", "https:attacker.example", "/%09/attacker.example",
                    "/%2F%2Fattacker.example"):
        page.goto(f"{app_url}/login?next={quote(hostile, safe='')}")  # signed in: straight on
        expect(page).to_have_url(f"{app_url}/trade/BTCUSDT", timeout=30_000)
    page.goto(f"{app_url}/login?next=%2Fsettings")
    expect(page).to_have_url(re.compile(r"/settings/?$"), timeout=30_000)


def test_wrong_password_is_refused_and_the_sixth_attempt_waits(anonymous_page: Page, own_app):
    # A server of its own: five failures lock out the test's address (127.0.0.1) for 15 minutes,
    # which on the shared server would refuse every later log-in of every other test.
    app_url = own_app.base_url
    page = anonymous_page
    account = register(app_url)
    page.goto(f"{app_url}/login")
    for attempt in range(5):
        log_in(page, account["email"], f"wrong-password-{attempt}")
        expect(page.get_by_test_id("form-error")).to_have_text("Email or password is incorrect.")
        page.get_by_test_id("field-password").fill("")
    log_in(page, account["email"], PASSWORD)
    expect(page.get_by_test_id("form-error")).to_have_text(re.compile(r"^Too many log-in attempts. Try again in \d+ min.$"))
    expect(page).to_have_url(re.compile(r"/login/?$"))

