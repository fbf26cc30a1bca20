"""Accounts: sign-up, log-in, sessions, password changes, venue choice and exchange keys.

A token is only as good as its server-side session: log-out, "log out everywhere" and a
password change revoke sessions, and ``authenticate`` checks the session on every use.
Log-in answers the same words, after the same work, whether or not the email exists.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from numatix.domain.credentials import ExchangeCredentials, SignatureKind, VenueChoice
from numatix.security import passwords
from numatix.security.rate_limits import (
    API_REQUESTS,
    LOGIN_BY_ADDRESS,
    LOGIN_BY_EMAIL,
    RateLimiter,
    RateLimitExceeded,
)
from numatix.security.tokens import InvalidToken, TokenService, new_session_id
from numatix.security.vault import Vault
from numatix.services.errors import AuthenticationRequired, Conflict, ValidationFailed, limited
from numatix.store.db import session_scope
from numatix.store.tables.accounts import ExchangeKeyRow, SessionRow, UserRow

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CREDENTIALS = "Email or password is incorrect."
SESSION_ENDED = "Your session has ended; please log in again."
KeyChecker = Callable[[ExchangeCredentials], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    venue: VenueChoice


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    user: UserView
    session_id: str


@dataclass(frozen=True, slots=True)
class ExchangeKeyView:
    venue: VenueChoice
    signature: SignatureKind
    api_key_hint: str
    checked_time_ms: int


def normalise_email(email: str) -> str:
    normalised = (email or "").strip().lower()
    if len(normalised) > 254 or not EMAIL_PATTERN.match(normalised):
        raise ValidationFailed("Enter a valid email address, like name@example.com.", field="email")
    return normalised


class AccountService:
    def __init__(
        self,
        database: Engine,
        tokens: TokenService,
        vault: Vault,
        limiter: RateLimiter,
        check_key: KeyChecker,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self._tokens = tokens
        self._vault = vault
        self._limiter = limiter
        self._check_key = check_key
        self._clock = clock
        self._revocation_listeners: list[Callable[[int, str | None, str | None], None]] = []
        self._venue_listeners: list[Callable[[int], None]] = []

    # ------------------------------------------------------------ sign-up, log-in
    async def register(
        self, email: str, password: str, user_agent: str = "",
        api_key: str | None = None, secret: str | None = None,
        signature: SignatureKind | str = SignatureKind.HMAC_SHA256,
    ) -> SignedIn:
        """An exchange key given at sign-up is checked before the account is created."""
        email = normalise_email(email)
        try:
            passwords.check_password_strength(password, email)
        except passwords.WeakPassword as weak:
            raise ValidationFailed(weak.message, field="password") from None
        with_key = bool(api_key or secret)
        if with_key:
            await self._check_key(_credentials(0, api_key or "", secret or "", signature))
        password_hash = await asyncio.to_thread(passwords.hash_password, password)
        now = self._now_ms()
        try:
            with session_scope(self._database) as session:
                user = UserRow(email=email, password_hash=password_hash, created_time_ms=now,
                               password_changed_ms=now)
                session.add(user)
                session.flush()
                user_id = user.id
        except IntegrityError:
            raise Conflict("An account with this email already exists; log in instead.", field="email") from None
        if with_key:
            self._store_key(_credentials(user_id, api_key or "", secret or "", signature))
        return self._start_session(_view(user_id, email, VenueChoice.PAPER.value), user_agent)

    async def log_in(self, email: str, password: str, address: str, user_agent: str = "") -> SignedIn:
        normalised = (email or "").strip().lower()
        self._refuse_when_over_limit(normalised, address)
        with session_scope(self._database) as session:
            user = session.exec(select(UserRow).where(UserRow.email == normalised)).first()
        if user is None:
            await asyncio.to_thread(passwords.verify_against_nothing, password or "")
            self._count_failure(normalised, address)
            raise AuthenticationRequired(WRONG_CREDENTIALS)
        matches, replacement = await asyncio.to_thread(passwords.verify_password, password or "", user.password_hash)
        if not matches:
            self._count_failure(normalised, address)
            raise AuthenticationRequired(WRONG_CREDENTIALS)
        if replacement is not None:  # an older hash (bcrypt, weaker argon2) is upgraded on log-in
            with session_scope(self._database) as session:
                session.execute(update(UserRow).where(UserRow.id == user.id).values(password_hash=replacement))
        return self._start_session(_view(user.id, user.email, user.venue), user_agent)

    def _refuse_when_over_limit(self, email: str, address: str) -> None:
        """Five failed attempts per email and per address in 15 minutes; then even the right
        password waits. Successes do not count, so people behind one address are not locked out."""
        with limited("Too many log-in attempts"):
            self._limiter.check(LOGIN_BY_EMAIL, email)
            self._limiter.check(LOGIN_BY_ADDRESS, address)

    def _count_failure(self, email: str, address: str) -> None:
        for rule, identifier in ((LOGIN_BY_EMAIL, email), (LOGIN_BY_ADDRESS, address)):
            try:
                self._limiter.hit(rule, identifier)
            except RateLimitExceeded:
                pass  # already at the limit (a concurrent attempt): the next try is refused anyway

    def _start_session(self, user: UserView, user_agent: str) -> SignedIn:
        session_id = new_session_id()
        token = self._tokens.issue(user.id, session_id)
        expires_ms = self._tokens.decode(token).expires_at * 1000
        with session_scope(self._database) as session:
            session.add(SessionRow(id=session_id, user_id=user.id, created_time_ms=self._now_ms(),
                                   expires_time_ms=expires_ms, user_agent=user_agent[:255]))
        return SignedIn(token, user, session_id)

    # --------------------------------------------------------------- sessions
    def authenticate(self, token: str | None) -> UserView:
        """The user behind a token whose session is still live; AuthenticationRequired if not."""
        if not token:
            raise AuthenticationRequired("Please log in.")
        try:
            claims = self._tokens.decode(token)
        except InvalidToken:
            raise AuthenticationRequired(SESSION_ENDED) from None
        with session_scope(self._database) as session:
            row = session.exec(
                select(SessionRow, UserRow).join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.id == claims.session_id, SessionRow.user_id == claims.user_id)
            ).first()
        if row is None:
            raise AuthenticationRequired(SESSION_ENDED)
        live_session, user = row
        if live_session.revoked_time_ms is not None or live_session.expires_time_ms <= self._now_ms():
            raise AuthenticationRequired(SESSION_ENDED)
        return _view(user.id, user.email, user.venue)

    def count_api_request(self, token: str | None, address: str) -> None:
        """100 API requests a minute per user (per address when anonymous). The token's
        signature is enough to pick the bucket; whether its session lives is checked later."""
        try:
            bucket = f"user:{self._tokens.decode(token).user_id}" if token else f"address:{address}"
        except InvalidToken:
            bucket = f"address:{address}"
        with limited("Too many API requests this minute"):
            self._limiter.hit(API_REQUESTS, bucket)

    def on_revoke(self, listener: Callable[[int, str | None, str | None], None]) -> None:
        """``listener(user_id, session_id, keep_session_id)`` when sessions end: one session,
        or (session_id None) all of the user's but ``keep_session_id``. Open event sockets
        close at once instead of waiting for their token to expire."""
        self._revocation_listeners.append(listener)

    def log_out(self, token: str | None) -> None:
        """Ends this token's session; an already dead token is fine (log-out is idempotent)."""
        try:
            claims = self._tokens.decode(token or "")
        except InvalidToken:
            return
        self._revoke(SessionRow.id == claims.session_id)
        self._announce(claims.user_id, claims.session_id, None)

    def log_out_everywhere(self, user_id: int, keep_session_id: str | None = None) -> None:
        condition = SessionRow.user_id == user_id
        if keep_session_id is not None:
            condition = condition & (SessionRow.id != keep_session_id)
        self._revoke(condition)
        self._announce(user_id, None, keep_session_id)

    def _announce(self, user_id: int, session_id: str | None, keep_session_id: str | None) -> None:
        for listener in self._revocation_listeners:
            listener(user_id, session_id, keep_session_id)

    def token_claims(self, token: str):
        """The token's claims without touching the database (its session is checked apart)."""
        try:
            return self._tokens.decode(token)
        except InvalidToken:
            raise AuthenticationRequired(SESSION_ENDED) from None

    def _revoke(self, condition) -> None:
        with session_scope(self._database) as session:
            session.execute(
                update(SessionRow).where(condition, SessionRow.revoked_time_ms.is_(None))
                .values(revoked_time_ms=self._now_ms())
            )

    async def change_password(self, token: str, current: str, new: str) -> SignedIn:
        """Every session ends, this one included; the caller gets a fresh token."""
        user = self.authenticate(token)
        with session_scope(self._database) as session:
            stored_hash = session.get(UserRow, user.id).password_hash
        matches, _ = await asyncio.to_thread(passwords.verify_password, current or "", stored_hash)
        if not matches:
            raise ValidationFailed("The current password is not right.", field="current_password")
        try:
            passwords.check_password_strength(new, user.email)
        except passwords.WeakPassword as weak:
            raise ValidationFailed(weak.message, field="new_password") from None
        new_hash = await asyncio.to_thread(passwords.hash_password, new)
        with session_scope(self._database) as session:
            session.execute(update(UserRow).where(UserRow.id == user.id)
                            .values(password_hash=new_hash, password_changed_ms=self._now_ms()))
        self.log_out_everywhere(user.id)
        return self._start_session(user, "")

    # ------------------------------------------------------ venue and keys
    def user(self, user_id: int) -> UserView:
        with session_scope(self._database) as session:
            row = session.get(UserRow, user_id)
        if row is None:
            raise AuthenticationRequired(SESSION_ENDED)
        return _view(row.id, row.email, row.venue)

    def on_venue_change(self, listener: Callable[[int], None]) -> None:
        """``listener(user_id)`` after a user's venue or key changed, so routing looks again."""
        self._venue_listeners.append(listener)

    def _venue_changed(self, user_id: int) -> None:
        for listener in self._venue_listeners:
            listener(user_id)

    def venue_choice(self, user_id: int) -> tuple[VenueChoice, ExchangeCredentials | None]:
        """Where the user's orders go, with the key to sign them when that is Binance."""
        choice = self.user(user_id).venue
        return choice, self.credentials(user_id) if choice is VenueChoice.BINANCE_TESTNET else None

    def set_venue(self, user_id: int, venue: VenueChoice | str) -> UserView:
        try:
            choice = VenueChoice(venue)
        except ValueError:
            raise ValidationFailed("Choose paper or binance-testnet.", field="venue") from None
        if choice is VenueChoice.BINANCE_TESTNET and self.exchange_key(user_id) is None:
            raise ValidationFailed("Add a Binance Spot Testnet key first.", field="venue")
        with session_scope(self._database) as session:
            user = session.get(UserRow, user_id)
            user.venue = choice.value
            session.add(user)
        self._venue_changed(user_id)
        return _view(user.id, user.email, user.venue)

    async def save_exchange_key(
        self, user_id: int, api_key: str, secret: str, signature: SignatureKind | str = SignatureKind.HMAC_SHA256
    ) -> ExchangeKeyView:
        """Checked against the venue before it is stored; replaces any earlier key."""
        credentials = _credentials(user_id, api_key, secret, signature)
        await self._check_key(credentials)
        return self._store_key(credentials)

    def _store_key(self, credentials: ExchangeCredentials) -> ExchangeKeyView:
        user_id = credentials.user_id
        now = self._now_ms()
        row = ExchangeKeyRow(
            user_id=user_id, venue=VenueChoice.BINANCE_TESTNET.value, signature=credentials.signature.value,
            api_key_sealed=self._vault.encrypt(credentials.api_key, user_id, "api_key"),
            secret_sealed=self._vault.encrypt(credentials.secret, user_id, "secret"),
            api_key_hint=credentials.hint, vault_key_id=self._vault.current_key_id,
            created_time_ms=now, checked_time_ms=now,
        )
        with session_scope(self._database) as session:
            session.merge(row)
        self._venue_changed(user_id)
        return _key_view(row)

    def exchange_key(self, user_id: int) -> ExchangeKeyView | None:
        with session_scope(self._database) as session:
            row = session.get(ExchangeKeyRow, user_id)
        return None if row is None else _key_view(row)

    def delete_exchange_key(self, user_id: int) -> None:
        """Also moves the user back to the paper venue, which needs no key."""
        with session_scope(self._database) as session:
            row = session.get(ExchangeKeyRow, user_id)
            if row is not None:
                session.delete(row)
            user = session.get(UserRow, user_id)
            if user is not None and user.venue != VenueChoice.PAPER.value:
                user.venue = VenueChoice.PAPER.value
                session.add(user)
        self._venue_changed(user_id)

    def credentials(self, user_id: int) -> ExchangeCredentials | None:
        """The decrypted key pair, for the Binance venue only; never shown to anyone."""
        with session_scope(self._database) as session:
            row = session.get(ExchangeKeyRow, user_id)
        if row is None:
            return None
        return ExchangeCredentials(
            user_id, self._vault.decrypt(row.api_key_sealed, user_id, "api_key"),
            self._vault.decrypt(row.secret_sealed, user_id, "secret"), SignatureKind(row.signature),
        )

    def reseal_exchange_keys(self) -> int:
        """Re-encrypt every key sealed under an older master key; one row per transaction, so an
        interrupted run loses nothing and the next run carries on. Returns how many it moved."""
        moved = 0
        current = self._vault.current_key_id
        while True:
            with session_scope(self._database) as session:
                row = session.exec(select(ExchangeKeyRow).where(ExchangeKeyRow.vault_key_id != current)).first()
                if row is None:
                    return moved
                row.api_key_sealed = self._vault.reseal(row.api_key_sealed, row.user_id, "api_key")
                row.secret_sealed = self._vault.reseal(row.secret_sealed, row.user_id, "secret")
                row.vault_key_id = current
                session.add(row)
            moved += 1

    def keys_to_reseal(self) -> int:
        with session_scope(self._database) as session:
            rows = session.exec(select(ExchangeKeyRow.user_id)
                                .where(ExchangeKeyRow.vault_key_id != self._vault.current_key_id)).all()
        return len(rows)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _view(user_id: int, email: str, venue: str) -> UserView:
    return UserView(user_id, email, VenueChoice(venue))


def _key_view(row: ExchangeKeyRow) -> ExchangeKeyView:
    return ExchangeKeyView(VenueChoice(row.venue), SignatureKind(row.signature), row.api_key_hint, row.checked_time_ms)


def _credentials(user_id: int, api_key: str, secret: str, signature: SignatureKind | str) -> ExchangeCredentials:
    api_key, secret = (api_key or "").strip(), (secret or "").strip()
    try:
        kind = SignatureKind(signature)
    except ValueError:
        raise ValidationFailed("Choose HMAC_SHA256 or ED25519.", field="signature") from None
    if not re.fullmatch(r"[A-Za-z0-9]{16,128}", api_key):
        raise ValidationFailed("An API key is 16 to 128 letters and digits.", field="api_key")
    if kind is SignatureKind.HMAC_SHA256 and not re.fullmatch(r"[A-Za-z0-9]{16,128}", secret):
        raise ValidationFailed("An HMAC secret key is 16 to 128 letters and digits.", field="secret")
    if kind is SignatureKind.ED25519 and "PRIVATE KEY" not in secret:
        raise ValidationFailed("An Ed25519 key is a PEM private key (-----BEGIN PRIVATE KEY-----).", field="secret")
    return ExchangeCredentials(user_id, api_key, secret, kind)



SESSION_COOKIE = "numatix_session"  # HttpOnly; the browser's copy of the session token


def token_from_cookie_header(cookie_header: str) -> str | None:
    """The session token in a raw ``Cookie`` header (Reflex hands pages the header only)."""
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None
