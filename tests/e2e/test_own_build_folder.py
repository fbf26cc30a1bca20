"""Tests and benchmarks never touch a running app: they build into a folder of their own and
serve that one build from as many servers as they start, each page talking to its own server.

(`make bench` once rebuilt the .web that `make run` was serving, for another port: the open
page then tried ws://localhost:49301/_event, a port that no longer existed.)
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import register, sign_in_context
from tests.support.app_server import BUILDS, ROOT, shared_build


def test_every_server_serves_the_tests_own_build_and_each_page_talks_to_its_own_server(
    app_process, own_app, context
):
    build = shared_build()
    assert build.is_relative_to(BUILDS) and not build.is_relative_to(ROOT / ".web")
    for app in (app_process, own_app):
        assert app.env["REFLEX_WEB_WORKDIR"] == str(build)  # one build, never the checkout's .web
        states = Path(app.env["REFLEX_STATES_WORKDIR"])  # (a start empties it: never the checkout's .states)
        assert states.is_relative_to(app.data_dir) and not states.is_relative_to(ROOT / ".states")
        assert Path(app.env["NUMATIX_ENV_FILE"]).is_relative_to(app.data_dir)  # nor the checkout's .env

    for app in (app_process, own_app):
        sign_in_context(context, app.base_url, register(app.base_url)["token"])
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda socket, seen=sockets: seen.append(socket.url))
        page.goto(f"{app.base_url}/trade/BTCUSDT")
        expect(page.get_by_test_id("connection-status")).to_have_text("Live")
        events = [url for url in sockets if "/_event" in url]
        assert events and all(url.startswith(f"ws://127.0.0.1:{app.port}/") for url in events), events
        page.close()
