"""Browser tests: one production build for every server, one shared server per pytest session
(per xdist worker: `make test` runs two, each with its own server, simulator and Chromium), a
fresh browser context per test.

Which server a test uses (README, "Writing a test that behaves"):
- ``app_url`` / ``app_server`` / ``app_process``: the server the whole session (worker) shares. A test
  must leave it as it found it: never stop, restart or reconfigure it. Should one do so anyway,
  the shared server is started again right after that test (and the test is named), so the
  tests after it still run.
- ``own_app``: a server of the test's own (own port, data, log), from the same build: for a
  test that stops, kills or restarts the server. ``app_factory(extra_env)`` starts more, or
  ones with other settings. Every one is stopped when the test ends, whatever happened.

A failing test leaves screenshots of its pages and the tail of each server's log in
``test-results/<test>/``, and the failure report prints that folder.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from numatix.sim.testing import SimulatorProcess
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, ROOT, AppProcess, free_port

PASSWORD = "violet-harbour-42"
RESULTS = ROOT / "test-results"
# How long a page or an expectation may take before the test fails: a guard against hanging,
# sized for a busy 2-core machine, never a speed target (Playwright's own default is 5 s).
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(autouse=True)
def patient_expectations():
    """Every test starts with the guard, whatever a test before it in this worker set: modules
    that set Playwright's 5 s default back when they ended made every later test fail at 5 s."""
    expect.set_options(timeout=WAIT_MS)
LOG_OFFSETS = pytest.StashKey[dict]()
OWN_APPS = pytest.StashKey[list]()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def binance_sim(tmp_path_factory):
    """The Binance-compatible simulator the app's "Binance Spot Testnet" venue talks to."""
    with SimulatorProcess(log_file=tmp_path_factory.mktemp("sim") / "sim.log") as sim:
        yield sim


def simulator_settings(binance_sim) -> dict[str, str]:
    """The settings that point an app's Binance venue at the simulator."""
    return {
        "NUMATIX_BINANCE_REST_URL": binance_sim.rest_url,
        "NUMATIX_BINANCE_WS_API_URL": binance_sim.ws_api_url,
        "NUMATIX_BINANCE_STREAM_URL": binance_sim.stream_url,
    }


@pytest.fixture(scope="session")
def app_process(tmp_path_factory, binance_sim):
    """The production server the browser tests share. Do not stop or reconfigure it: use ``own_app``."""
    app = AppProcess(tmp_path_factory.mktemp("app"), free_port(), simulator_settings(binance_sim))
    app.start()
    yield app
    app.stop()


@pytest.fixture(autouse=True)
def _shared_app_survives(request):
    """Restores the shared server after a test that stopped it, so one test never fails the rest."""
    if "app_process" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app_process")
    request.node.stash[LOG_OFFSETS] = {app.log_path: app.log_size()}
    yield
    if app.ensure_running():
        print(f"\n{request.node.nodeid} stopped the shared app server; it was started again. "
              "A test that stops or restarts a server must use own_app (tests/e2e/conftest.py).")


@pytest.fixture
def app_factory(tmp_path, binance_sim, request):
    """Starts servers of this test's own from the shared build: ``app_factory(extra_env)``."""
    started: list[AppProcess] = []
    request.node.stash[OWN_APPS] = started

    def start(extra_env: dict[str, str] | None = None) -> AppProcess:
        app = AppProcess(tmp_path / f"app{len(started)}", free_port(),
                         {**simulator_settings(binance_sim), **(extra_env or {})})
        app.data_dir.mkdir()
        started.append(app)
        app.start()
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def own_app(app_factory) -> AppProcess:
    """A running server of this test's own: stop, kill or restart it as the test needs."""
    return app_factory()


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
    page.set_default_timeout(WAIT_MS)
    yield page


@pytest.fixture
def page(context, app_url):
    """A page whose browser already holds a fresh user's session cookie."""
    sign_in_context(context, app_url, register(app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page


def register(app_url: str, email: str | None = None, password: str = PASSWORD) -> dict:
    email = email or f"trader-{uuid.uuid4().hex[:10]}@example.com"
    response = httpx.post(f"{app_url}/api/auth/register", json={"email": email, "password": password},
                          timeout=30)
    response.raise_for_status()
    return {**response.json(), "email": email}


def sign_in_context(context, app_url: str, token: str) -> None:
    context.add_cookies([{"name": "numatix_session", "value": token, "url": app_url, "httpOnly": True,
                          "sameSite": "Lax"}])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure (while the test's fixtures are still alive): screenshots of every open page
    and the tail of each server's log, in test-results/<test>/, named in the report."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        folder = _save_artifacts(item)
        if folder is not None:
            report.sections.append(("browser test artifacts", f"screenshots and app logs: {folder}"))
            print(f"\nartifacts of {item.nodeid}: {folder}")
    return report


def _save_artifacts(item) -> Path | None:
    folder = RESULTS / re.sub(r"[^\w.-]+", "_", item.nodeid.removeprefix("tests/e2e/"))[:150]
    saved = []
    browser = item.funcargs.get("browser")
    pages = [page for context in (browser.contexts if browser else []) for page in context.pages]
    for number, page in enumerate(pages):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page{number}.url").write_text(page.url + "\n")
        try:  # the DOM first: it needs no frame, which a CPU-starved page may not draw for seconds
            (folder / f"page{number}.html").write_text(page.content())
            page.screenshot(path=folder / f"page{number}.png", full_page=True, timeout=WAIT_MS)
            saved.append(page)
        except Exception as error:  # noqa: BLE001 - a crashed page: say so, never hide the test's own failure
            (folder / f"page{number}.error.txt").write_text(f"{type(error).__name__}: {error}\n")
    apps = list(item.stash.get(OWN_APPS, []))
    offsets = item.stash.get(LOG_OFFSETS, {})
    shared = item.funcargs.get("app_process")
    named = [("shared-app", shared)] * bool(shared) + [(f"own-app{n}", app) for n, app in enumerate(apps)]
    for name, app in named:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.log").write_text(app.log_tail(20_000, since=offsets.get(app.log_path, 0)))
    return folder if folder.exists() else None
