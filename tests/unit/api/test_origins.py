"""Which Origin is this site's own: scheme (after a trusted proxy), host and port."""

import pytest

from numatix.api.origins import is_allowed


def scope(scheme: str, host: str) -> dict:
    return {"scheme": scheme, "headers": [(b"host", host.encode())]}


@pytest.mark.parametrize("origin, request_scope, allowed", [
    ("http://127.0.0.1:3000", scope("http", "127.0.0.1:3000"), True),
    ("https://numatix.example.com", scope("wss", "numatix.example.com:443"), True),
    ("HTTPS://Numatix.Example.com:443", scope("https", "numatix.example.com"), True),
    ("http://127.0.0.1:3001", scope("http", "127.0.0.1:3000"), False),  # another port of the same host
    ("http://numatix.example.com", scope("https", "numatix.example.com"), False),  # another scheme
    ("https://evil.numatix.example.com", scope("https", "numatix.example.com"), False),  # a sibling
    ("null", scope("http", "null"), False),
    ("https://partner.example", scope("https", "numatix.example.com"), True),  # listed
])
def test_own_or_listed_origins_only(origin, request_scope, allowed):
    assert is_allowed(origin, request_scope, frozenset({"https://partner.example"})) is allowed
