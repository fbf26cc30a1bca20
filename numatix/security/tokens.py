"""Session tokens: HS256 JWTs that name a server-side session (revocation lives there)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt

ISSUER = "numatix"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """Why a token was refused: the client may refresh an expired one, never an invalid one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" | "invalid"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str
    expires_at: int


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class TokenService:
    """Issues and checks session tokens; the clock is injected so expiry is testable."""

    def __init__(self, secret: str, ttl_seconds: int = 7 * 24 * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, user_id: int, session_id: str) -> str:
        now = int(self._clock())
        claims = {"sub": str(user_id), "sid": session_id, "iat": now, "exp": now + self._ttl, "iss": ISSUER}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["sub", "sid", "exp", "iat", "iss"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False},
            )
            user_id, session_id, expires_at = int(claims["sub"]), claims["sid"], int(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            raise InvalidToken("invalid") from None
        if str(user_id) != claims["sub"] or not isinstance(session_id, str) or not session_id:
            raise InvalidToken("invalid")  # only the exact forms issue() writes
        if expires_at <= self._clock():  # our clock, not PyJWT's, so tests can move time
            raise InvalidToken("expired")
        return TokenClaims(user_id, session_id, expires_at)
