"""A Binance key when Binance cannot be reached: say so, blame nothing on the key, save nothing,
keep what was typed, and let a sign-up go on without the key.

These tests run their own app whose Binance URLs point at a port where nothing listens.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, register, sign_in_context
from tests.support.app_server import AppProcess, free_port

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
UNREACHABLE = re.compile(r"^Binance could not be reached.*nothing was saved")


@pytest.fixture(scope="module")
def offline_app_url(tmp_path_factory):
    closed = f"127.0.0.1:{free_port()}"  # bound once, then released: nothing listens there
    app = AppProcess(tmp_path_factory.mktemp("app-binance-offline"), free_port(), {
        "NUMATIX_BINANCE_REST_URL": f"http://{closed}",
        "NUMATIX_BINANCE_WS_API_URL": f"ws://{closed}/ws-api/v3",
        "NUMATIX_BINANCE_STREAM_URL": f"ws://{closed}",
    })
    app.start()
    yield app.base_url
    app.stop()


def fill_key(page: Page) -> None:
    page.get_by_test_id("field-api_key").fill(API_KEY)
    page.get_by_test_id("field-secret").fill(SECRET)


def test_settings_says_binance_could_not_be_reached_and_keeps_the_fields(context, offline_app_url):
    sign_in_context(context, offline_app_url, register(offline_app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{offline_app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_be_visible()
    fill_key(page)
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("key-error")).to_have_text(UNREACHABLE, timeout=30_000)
    expect(page.get_by_test_id("key-error")).not_to_contain_text("did not accept")
    expect(page.get_by_test_id("field-api_key")).to_have_value(API_KEY)
    expect(page.get_by_test_id("field-secret")).to_have_value(SECRET)
    expect(page.get_by_test_id("field-api_key")).to_have_attribute("aria-invalid", "false")  # not the key's fault
    expect(page.get_by_test_id("key-hint")).to_have_count(0)
    expect(page.get_by_test_id("venue-binance")).to_be_disabled()  # nothing was saved to trade with
    page.reload()
    expect(page.get_by_test_id("signed-in-email")).to_be_visible()
    expect(page.get_by_test_id("key-hint")).to_have_count(0)


def test_sign_up_with_an_unreachable_key_keeps_it_and_can_go_on_without_it(anonymous_page: Page,
                                                                           offline_app_url: str):
    page = anonymous_page
    email = f"offline-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(f"{offline_app_url}/signup")
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill(PASSWORD)
    page.get_by_test_id("field-confirm").fill(PASSWORD)
    page.get_by_text("Binance Spot Testnet key (optional)").click()
    fill_key(page)
    page.get_by_test_id("sign-up").click()
    expect(page.get_by_test_id("form-error")).to_have_text(UNREACHABLE, timeout=30_000)
    expect(page).to_have_url(re.compile(r"/signup/?$"))
    expect(page.get_by_test_id("field-api_key")).to_have_value(API_KEY)
    expect(page.get_by_test_id("field-secret")).to_have_value(SECRET)
    login = httpx.post(f"{offline_app_url}/api/auth/login", json={"email": email, "password": PASSWORD},
                       timeout=30)
    assert login.status_code == 401  # no account was made with an unchecked key

    page.get_by_test_id("sign-up-without-key").click()
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"), timeout=30_000)
    expect(page.get_by_test_id("user-menu")).to_contain_text(email)
    page.goto(f"{offline_app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_have_text(email)
    expect(page.get_by_test_id("key-hint")).to_have_count(0)
