"""Browser tests: one production build of the app for the session, a fresh browser context per test."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, running_app


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app")) as url:
        yield url


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
def page(context, app_url):
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
