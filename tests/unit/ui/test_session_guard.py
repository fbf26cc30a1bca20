"""Every page handler that touches the account learns the user from ``live_user_id``
(which checks the session) and from nowhere else: a handler reading the tab's remembered
user id directly would keep acting after the session ended (issue 14, part 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from numatix.ui.states.session import safe_next

STATES = Path(__file__).resolve().parents[3] / "numatix" / "ui" / "states"
UNCHECKED_ALLOWED = {"session.py"}  # where the checked and unchecked readers live


def direct_reads(source: str) -> list[int]:
    """Lines that read another state's ``_user_id`` (``self._user_id`` inside SessionState is its own)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "_user_id"
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")]


@pytest.mark.parametrize("module", sorted(p.name for p in STATES.glob("*.py")
                                          if p.name not in UNCHECKED_ALLOWED))
def test_no_state_reads_the_user_without_checking_the_session(module):
    assert direct_reads((STATES / module).read_text()) == [], f"{module}: use live_user_id(self)"


def test_the_guard_sees_a_direct_read():
    source = "async def f(self):\n    return (await self.get_state(SessionState))._user_id\n"
    assert direct_reads(source) == [2]


@pytest.mark.parametrize("hostile", [
    "//attacker.example", "/\\attacker.example", "\\\\attacker.example", "https:attacker.example",
    "https://attacker.example", "javascript:alert(1)", "/%2F%2Fattacker.example", "/%5Cattacker.example",
    "%2F%2Fattacker.example", "/%252F%252Fattacker.example", "/\t/attacker.example", "/\n/attacker.example",
    "/\r/attacker.example", " //attacker.example", "/\x00/attacker.example", "/%09/attacker.example",
    "／／attacker.example", "/\u3000/attacker.example", "attacker.example", "", None, "/" + "a" * 3000,
    "/login", "/login?next=//x", "/signup/",
])
def test_after_log_in_only_a_path_on_this_site_is_followed(hostile):
    assert safe_next(hostile) == "/trade/BTCUSDT"


@pytest.mark.parametrize("path", ["/trade/ETHUSDT", "/settings?done=password", "/trade/BTCUSDT#book", "/"])
def test_a_path_on_this_site_is_followed(path):
    assert safe_next(path) == path
