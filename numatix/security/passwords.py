"""Password rules and hashing: argon2id through passlib; bcrypt hashes still verify and are
replaced by argon2id on the next successful log-in."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from passlib.context import CryptContext
from passlib.exc import UnknownHashError

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
BCRYPT_MAX_BYTES = 72

# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): tens of ms on a small server.
_CONTEXT = CryptContext(
    schemes=["argon2", "bcrypt"],
    deprecated=["bcrypt"],
    argon2__type="ID",
    argon2__memory_cost=19_456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)


class WeakPassword(ValueError):
    """A password refused at sign-up; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_strength(password: str, email: str | None = None) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Password must be at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Password must be at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _common_passwords():
        raise WeakPassword("This password is too common; choose another.")
    if email and lowered in {email.lower(), email.lower().partition("@")[0]}:
        raise WeakPassword("Password must not be your email address.")


def hash_password(password: str) -> str:
    return _CONTEXT.hash(password)


def verify_password(password: str, stored_hash: str) -> tuple[bool, str | None]:
    """(matches, replacement): a replacement hash when the stored one is outdated."""
    try:
        if _CONTEXT.identify(stored_hash, required=False) == "bcrypt":
            return _verify_legacy_bcrypt(password, stored_hash)
        return _CONTEXT.verify_and_update(password, stored_hash)
    except (UnknownHashError, ValueError, TypeError):
        return False, None


def _verify_legacy_bcrypt(password: str, stored_hash: str) -> tuple[bool, str | None]:
    """bcrypt 5 refuses secrets over 72 bytes, which older bcrypt (that made the stored hashes)
    silently truncated: truncate the same way so long legacy passwords still log in."""
    if not _CONTEXT.verify(password.encode()[:BCRYPT_MAX_BYTES], stored_hash):
        return False, None
    return True, hash_password(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("numatix-dummy-password-never-matches")


def verify_against_nothing(password: str) -> None:
    """Spend a real verification's time, so an unknown email answers as slowly as a known one."""
    _CONTEXT.verify(password, _dummy_hash())
