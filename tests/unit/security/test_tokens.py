import base64
import json

import jwt
import pytest

from numatix.security.tokens import InvalidToken, TokenService, new_session_id

SECRET = "s" * 64


class Clock:
    now = 1_800_000_000.0

    def __call__(self):
        return self.now


def test_a_token_names_its_user_and_session():
    service = TokenService(SECRET, ttl_seconds=60, clock=Clock())
    session_id = new_session_id()
    claims = service.decode(service.issue(42, session_id))
    assert (claims.user_id, claims.session_id, claims.expires_at) == (42, session_id, 1_800_000_060)
    assert new_session_id() != new_session_id()


def test_a_token_expires():
    clock = Clock()
    service = TokenService(SECRET, ttl_seconds=60, clock=clock)
    token = service.issue(42, "sid")
    clock.now += 60
    with pytest.raises(InvalidToken) as expired:
        service.decode(token)
    assert expired.value.reason == "expired"


def _with_payload(token: str, **changes) -> str:
    head, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def test_tampered_foreign_and_unsigned_tokens_are_invalid():
    clock = Clock()
    service = TokenService(SECRET, clock=clock)
    token = service.issue(42, "sid")
    unsigned = jwt.encode({"sub": "1", "sid": "x", "iat": 1, "exp": 2_000_000_000, "iss": "numatix"}, None,
                          algorithm="none")
    missing_sid = jwt.encode({"sub": "1", "iat": 1, "exp": 2_000_000_000, "iss": "numatix"}, SECRET)
    wrong_issuer = jwt.encode({"sub": "1", "sid": "x", "iat": 1, "exp": 2_000_000_000, "iss": "other"}, SECRET)
    signed = [jwt.encode({"sub": sub, "sid": sid, "iat": 1, "exp": 2_000_000_000, "iss": "numatix"}, SECRET)
              for sub, sid in (("alice", "x"), ("4.2", "x"), (" 42", "x"), ("42", 7), ("42", ""))]
    for bad in (_with_payload(token, sub="1"), TokenService("t" * 64, clock=clock).issue(42, "sid"), unsigned,
                missing_sid, wrong_issuer, "not.a.token", "", *signed):
        with pytest.raises(InvalidToken) as invalid:
            service.decode(bad)
        assert invalid.value.reason == "invalid"
