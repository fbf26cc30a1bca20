"""Browser tests: one production build of the app for the session, a fresh browser context per test."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import sync_playwright

from numatix.sim.testing import SimulatorProcess

from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, AppProcess, free_port

PASSWORD = "violet-harbour-42"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def binance_sim(tmp_path_factory):
    """The Binance-compatible simulator the app's "Binance Spot Testnet" venue talks to."""
    with SimulatorProcess(log_file=tmp_path_factory.mktemp("sim") / "sim.log") as sim:
        yield sim


@pytest.fixture(scope="session")
def app_process(tmp_path_factory, binance_sim):
    """The production server the browser tests share (a test may restart it)."""
    app = AppProcess(tmp_path_factory.mktemp("app"), free_port(), {
        "NUMATIX_BINANCE_REST_URL": binance_sim.rest_url,
        "NUMATIX_BINANCE_WS_API_URL": binance_sim.ws_api_url,
        "NUMATIX_BINANCE_STREAM_URL": binance_sim.stream_url,
    })
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def app_server(app_process):
    """(base URL, data folder)."""
    return app_process.base_url, app_process.data_dir


@pytest.fixture(scope="session")
def app_url(app_process):
    return app_process.base_url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context
    context.close()


@pytest.fixture
def anonymous_page(context, app_url):
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page


@pytest.fixture
def page(context, app_url):
    """A page whose browser already holds a fresh user's session cookie."""
    sign_in_context(context, app_url, register(app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page


def register(app_url: str, email: str | None = None, password: str = PASSWORD) -> dict:
    email = email or f"trader-{uuid.uuid4().hex[:10]}@example.com"
    response = httpx.post(f"{app_url}/api/auth/register", json={"email": email, "password": password}, timeout=30)
    response.raise_for_status()
    return {**response.json(), "email": email}


def sign_in_context(context, app_url: str, token: str) -> None:
    context.add_cookies([{"name": "numatix_session", "value": token, "url": app_url, "httpOnly": True,
                          "sameSite": "Lax"}])
