"""examples/trade.py, run as a newcomer would, against a live API."""

from __future__ import annotations

import subprocess
import sys

from numatix.config import PROJECT_ROOT
from tests.support.live_api import live_api, settings_for


def test_the_example_logs_in_places_an_order_and_sees_it_fill(tmp_path):
    with live_api(settings_for(tmp_path)) as base_url:
        result = subprocess.run(
            [sys.executable, "examples/trade.py", "--url", base_url, "--email", "example@example.com",
             "--password", "violet-harbour-42"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert "connected as example@example.com" in result.stdout
    assert "FILLED: 0.001 of 0.001" in result.stdout and "  BTC free" in result.stdout
