"""A failing browser test explains itself: its pages (screenshot and HTML) and the tail of
each server's log land in test-results/<test>/, and the failure report names that folder.

Runs a failing browser test in a pytest of its own, with the browser tests' conftest, and
looks at what it left behind.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from tests.support.app_server import ROOT

pytest_plugins = ["pytester"]

FAILING_TEST = """
from pathlib import Path

from tests.e2e.conftest import OWN_APPS


class FakeServer:
    log_path = Path(__file__).parent / "server.log"

    def log_tail(self, characters, since=0):
        return self.log_path.read_text()[since:][-characters:]


def test_{name}(context, request):
    FakeServer.log_path.write_text("started\\nthe last thing the server said\\n")
    request.node.stash[OWN_APPS] = [FakeServer()]
    page = context.new_page()
    page.set_content("<h1 data-testid='greeting'>Hello from the page</h1>")
    assert page.get_by_test_id("greeting").inner_text() == "Goodbye"
"""


def test_a_failing_browser_test_leaves_its_pages_and_the_server_log_and_says_where(pytester):
    name = f"failing_{uuid.uuid4().hex[:8]}"
    pytester.makeconftest(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                          "from tests.e2e.conftest import *  # noqa\n"
                          "from tests.e2e.conftest import pytest_runtest_makereport  # noqa\n")
    pytester.makepyfile(**{f"test_{name}": FAILING_TEST.format(name=name)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    named = re.search(r"screenshots and app logs: (\S+)", output)
    assert named, output
    folder = Path(named.group(1))
    try:
        assert folder.parent == ROOT / "test-results" and name in folder.name
        assert (folder / "page0.png").stat().st_size > 0
        assert "Hello from the page" in (folder / "page0.html").read_text()
        assert (folder / "own-app0.log").read_text().endswith("the last thing the server said\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
