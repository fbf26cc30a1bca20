"""Accounts: sign-up, log-in, sessions, password changes, venue choice and exchange keys.

A token is only as good as its server-side session: log-out, "log out everywhere" and a
password change revoke sessions, and ``authenticate`` checks the session on every use.
Log-in answers the same words, after the same work, whether or not the email exists.

Storage is the ``AccountStore`` port (``store.accounts_repository`` implements it); its calls
block, so every one runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeVar

from numatix.domain.credentials import ExchangeCredentials, SignatureKind, VenueChoice
from numatix.domain.errors import OutcomeUnknown, TransientVenueError
from numatix.security import passwords
from numatix.security.devices import DeviceCookies
from numatix.security.rate_limits import (
    API_REQUESTS,
    LOGIN_BY_ADDRESS,
    LOGIN_BY_DEVICE,
    LOGIN_BY_EMAIL,
    RateLimiter,
    RateLimitExceeded,
    Rule,
)
from numatix.security.tokens import InvalidToken, TokenService
from numatix.security.vault import Vault
from numatix.services.account_store import AccountStore
from numatix.services.errors import (
    AuthenticationRequired,
    Conflict,
    ValidationFailed,
    VenueUnreachable,
    limited,
    wait_words,
)
from numatix.services.events import UserEventBus
from numatix.services.sessions import SESSION_ENDED, SessionService
from numatix.store.accounts_repository import EmailTaken, StoredKey, StoredUser

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CREDENTIALS = "Email or password is incorrect."
KEY_UNREACHABLE = ("Binance could not be reached, so the key was not checked; nothing was saved. "
                   "Try again later.")
KEY_BUSY = ("Binance is busy (too many requests), so the key was not checked; nothing was saved. "
            "Try again in {}.")
KeyChecker = Callable[[ExchangeCredentials], Awaitable[None]]
Args = ParamSpec("Args")
Result = TypeVar("Result")



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
    expires_ms: int
    device_cookie: str = ""  # the browser keeps it (HttpOnly): this device has logged in to this account


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
        store: AccountStore,
        tokens: TokenService,
        vault: Vault,
        limiter: RateLimiter,
        check_key: KeyChecker,
        clock: Callable[[], float] = time.time,
        events: UserEventBus | None = None,
        devices: DeviceCookies | None = None,
    ) -> None:
        self._store = store
        self._devices = devices or DeviceCookies(secrets.token_hex(32))  # the runtime's survives restarts
        self.sessions = SessionService(store, tokens, events, clock)
        self._tokens = tokens
        self._vault = vault
        self._limiter = limiter
        self._check_key = check_key
        self._clock = clock
        self._venue_listeners: list[Callable[[int], None]] = []
        self._created: dict[int, int] = {}

    # ------------------------------------------------------------ sign-up, log-in
    async def register(
        self, email: str, password: str, user_agent: str = "",
        api_key: str | None = None, secret: str | None = None,
        signature: SignatureKind | str = SignatureKind.HMAC_SHA256, address: str = "",
    ) -> SignedIn:
        """An exchange key given at sign-up is checked before the account is created, and the
        account then trades on that exchange (as on the original platform); without one, on paper."""
        email = normalise_email(email)
        try:
            passwords.check_password_strength(password, email)
        except passwords.WeakPassword as weak:
            raise ValidationFailed(weak.message, field="password") from None
        with_key = bool(api_key or secret)
        if with_key:
            await self._checked(_credentials(0, api_key or "", secret or "", signature))
        venue = (VenueChoice.BINANCE_TESTNET if with_key else VenueChoice.PAPER).value
        password_hash = await asyncio.to_thread(passwords.hash_password, password)
        try:
            user = await self._stored(self._store.add_user, email, password_hash, venue, self._now_ms())
        except EmailTaken:
            raise Conflict("An account with this email already exists; log in instead.",
                           field="email") from None
        if with_key:
            await self._store_key(_credentials(user.id, api_key or "", secret or "", signature))
        signed_in = await self._start_session(_view(user), user_agent, address)
        return replace(signed_in, device_cookie=self.remembered_device(email, None))

    async def _stored(self, call: Callable[Args, Result], *args: Args.args, **kwargs: Args.kwargs) -> Result:
        """One call to the store, in a worker thread: the event loop never waits on the database."""
        return await asyncio.to_thread(call, *args, **kwargs)

    async def log_in(self, email: str, password: str, address: str, user_agent: str = "",
                     device_cookie: str | None = None) -> SignedIn:
        """``device_cookie``: what the browser sent of DEVICE_COOKIE; a device that logged in to
        this account before is judged on its own budget, not the email's or the address's."""
        normalised = (email or "").strip().lower()
        device = self._devices.device_for(normalised, device_cookie)
        taken = await self._take_attempt(normalised, address, device)
        try:
            user = await self._stored(self._store.user_by_email, normalised)
            if user is None:
                await asyncio.to_thread(passwords.verify_against_nothing, password or "")
                raise AuthenticationRequired(WRONG_CREDENTIALS)
            matches, replacement = await asyncio.to_thread(passwords.verify_password, password or "",
                                                           user.password_hash)
            if not matches:
                raise AuthenticationRequired(WRONG_CREDENTIALS)
        except AuthenticationRequired:
            raise  # a failed attempt keeps its place in the budget
        except BaseException:
            await self._give_back(taken)  # the database failed us, not the caller
            raise
        await self._give_back(taken)  # successes do not count: people behind one address are not locked out
        if replacement is not None:  # an older hash (bcrypt, weaker argon2) is upgraded on log-in
            await self._stored(self._store.set_password, user.id, replacement)
        signed_in = await self._start_session(_view(user), user_agent, address)
        return replace(signed_in, device_cookie=self.remembered_device(normalised, device_cookie))

    def remembered_device(self, email: str, device_cookie: str | None) -> str:
        """The device cookie after a log-in to ``email`` on this browser."""
        return self._devices.issue(email, device_cookie)

    async def _take_attempt(self, email: str, address: str, device: str | None) -> list[tuple[Rule, str]]:
        """The attempt's unit, taken before the password is checked and atomically (in Redis
        with several workers), so attempts sent at once cannot all pass a check before the
        first failure counts. A known device spends its own budget (five per 15 minutes); any
        other attempt spends the email's (five) and the address's across emails (larger)."""
        if device is not None:
            try:
                await self._limiter.take(LOGIN_BY_DEVICE, device)
                return [(LOGIN_BY_DEVICE, device)]
            except RateLimitExceeded:
                pass  # this device failed too often itself: it is judged like any other
        taken: list[tuple[Rule, str]] = []
        with limited("Too many log-in attempts"):
            try:
                for rule, identifier in ((LOGIN_BY_EMAIL, email), (LOGIN_BY_ADDRESS, address)):
                    await self._limiter.take(rule, identifier)
                    taken.append((rule, identifier))
            except RateLimitExceeded:
                await self._give_back(taken)
                raise
        return taken

    async def _give_back(self, taken: list[tuple[Rule, str]]) -> None:
        for rule, identifier in taken:
            await self._limiter.hand_back(rule, identifier)

    async def _start_session(self, user: UserView, user_agent: str, address: str = "") -> SignedIn:
        token, claims = await self.sessions.start(user.id, user_agent, address)
        return SignedIn(token, user, claims.session_id, claims.expires_at * 1000)

    # --------------------------------------------------------------- sessions
    async def authenticate(self, token: str | None) -> UserView:
        """The user behind a token whose session is still live; AuthenticationRequired if not."""
        return await self.user((await self.sessions.authenticate(token)).user_id)

    async def count_api_request(self, token: str | None, address: str) -> None:
        """100 API requests a minute per user (per address when anonymous). The token's
        signature is enough to pick the bucket; whether its session lives is checked later."""
        try:
            bucket = f"user:{self._tokens.decode(token).user_id}" if token else f"address:{address}"
        except InvalidToken:
            bucket = f"address:{address}"
        with limited("Too many API requests this minute"):
            await self._limiter.take(API_REQUESTS, bucket)

    async def log_out(self, token: str | None) -> None:
        """Ends this token's session; an already dead token is fine (log-out is idempotent)."""
        await self.sessions.end_token(token)

    async def log_out_everywhere(self, user_id: int, keep_session_id: str | None = None) -> None:
        await self.sessions.end_all(user_id, keep_session_id)

    async def change_password(self, token: str, current: str, new: str, user_agent: str = "",
                              address: str = "") -> SignedIn:
        """Every session ends, this one included; the caller gets a fresh token (its session
        starts first, so the news of the others' end does not cover it)."""
        user = await self.authenticate(token)
        stored = await self._stored(self._store.user, user.id)
        if stored is None:
            raise AuthenticationRequired(SESSION_ENDED)
        matches, _ = await asyncio.to_thread(passwords.verify_password, current or "", stored.password_hash)
        if not matches:
            raise ValidationFailed("The current password is not right.", field="current_password")
        try:
            passwords.check_password_strength(new, user.email)
        except passwords.WeakPassword as weak:
            raise ValidationFailed(weak.message, field="new_password") from None
        new_hash = await asyncio.to_thread(passwords.hash_password, new)
        await self._stored(self._store.set_password, user.id, new_hash, self._now_ms())
        successor = await self._start_session(user, user_agent, address)
        await self.log_out_everywhere(user.id, keep_session_id=successor.session_id)  # this one included
        return successor

    # ------------------------------------------------------ venue and keys
    async def user(self, user_id: int) -> UserView:
        stored = await self._stored(self._store.user, user_id)
        if stored is None:
            raise AuthenticationRequired(SESSION_ENDED)
        return _view(stored)

    async def created_time_ms(self, user_id: int) -> int:
        """When the account (and its paper wallet) started; it never changes, so it is kept."""
        if user_id not in self._created:
            stored = await self._stored(self._store.user, user_id)
            if stored is None:
                raise AuthenticationRequired(SESSION_ENDED)
            self._created[user_id] = stored.created_time_ms
        return self._created[user_id]

    def on_venue_change(self, listener: Callable[[int], None]) -> None:
        """``listener(user_id)`` after a user's venue or key changed, so routing looks again."""
        self._venue_listeners.append(listener)

    def _venue_changed(self, user_id: int) -> None:
        for listener in self._venue_listeners:
            listener(user_id)

    def venue_choice(self, user_id: int) -> tuple[VenueChoice, ExchangeCredentials | None]:
        """Where the user's orders go, with the key to sign them when that is Binance. Blocks:
        ``UserVenues`` calls it in a worker thread and keeps the answer for a moment."""
        stored = self._store.user(user_id)
        if stored is None:
            raise AuthenticationRequired(SESSION_ENDED)
        choice = VenueChoice(stored.venue)
        if choice is not VenueChoice.BINANCE_TESTNET:
            return choice, None
        key = self._store.key(user_id)
        return choice, None if key is None else self._unsealed(key)

    async def set_venue(self, user_id: int, venue: VenueChoice | str) -> UserView:
        try:
            choice = VenueChoice(venue)
        except ValueError:
            raise ValidationFailed("Choose paper or binance-testnet.", field="venue") from None
        if choice is VenueChoice.BINANCE_TESTNET and await self.exchange_key(user_id) is None:
            raise ValidationFailed("Add a Binance Spot Testnet key first.", field="venue")
        stored = await self._stored(self._store.set_venue, user_id, choice.value)
        if stored is None:
            raise AuthenticationRequired(SESSION_ENDED)
        self._venue_changed(user_id)
        return _view(stored)

    async def save_exchange_key(
        self, user_id: int, api_key: str, secret: str,
        signature: SignatureKind | str = SignatureKind.HMAC_SHA256
    ) -> ExchangeKeyView:
        """Checked against the venue before it is stored; replaces any earlier key."""
        credentials = _credentials(user_id, api_key, secret, signature)
        await self._checked(credentials)
        return await self._store_key(credentials)

    async def _checked(self, credentials: ExchangeCredentials) -> None:
        """A venue that does not answer says nothing about the key: say so, never blame the key."""
        try:
            await self._check_key(credentials)
        except TransientVenueError as error:
            if error.retry_after:
                raise VenueUnreachable(KEY_BUSY.format(wait_words(int(error.retry_after + 0.999)))) from error
            raise VenueUnreachable(KEY_UNREACHABLE) from error
        except OutcomeUnknown as error:  # a read that got no reply: it changed nothing
            raise VenueUnreachable(KEY_UNREACHABLE) from error

    async def _store_key(self, credentials: ExchangeCredentials) -> ExchangeKeyView:
        user_id = credentials.user_id
        now = self._now_ms()
        key = StoredKey(
            user_id=user_id, venue=VenueChoice.BINANCE_TESTNET.value, signature=credentials.signature.value,
            api_key_sealed=self._vault.encrypt(credentials.api_key, user_id, "api_key"),
            secret_sealed=self._vault.encrypt(credentials.secret, user_id, "secret"),
            api_key_hint=credentials.hint, vault_key_id=self._vault.current_key_id,
            created_time_ms=now, checked_time_ms=now,
        )
        await self._stored(self._store.save_key, key)
        self._venue_changed(user_id)
        return _key_view(key)

    async def exchange_key(self, user_id: int) -> ExchangeKeyView | None:
        key = await self._stored(self._store.key, user_id)
        return None if key is None else _key_view(key)

    async def delete_exchange_key(self, user_id: int) -> None:
        """Also moves the user back to the paper venue, which needs no key."""
        await self._stored(self._store.delete_key, user_id)
        self._venue_changed(user_id)

    async def credentials(self, user_id: int) -> ExchangeCredentials | None:
        """The decrypted key pair, for the Binance venue only; never shown to anyone."""
        key = await self._stored(self._store.key, user_id)
        return None if key is None else self._unsealed(key)

    def _unsealed(self, key: StoredKey) -> ExchangeCredentials:
        user_id = key.user_id
        return ExchangeCredentials(
            user_id, self._vault.decrypt(key.api_key_sealed, user_id, "api_key"),
            self._vault.decrypt(key.secret_sealed, user_id, "secret"), SignatureKind(key.signature),
        )

    def reseal_exchange_keys(self) -> int:
        """Re-encrypt every key sealed under an older master key; one key per transaction, so an
        interrupted run loses nothing and the next run carries on. Returns how many it moved.
        For the command line (it blocks)."""
        moved = 0
        while self._store.reseal_one(self._vault.current_key_id, self._resealed):
            moved += 1
        return moved

    def _resealed(self, key: StoredKey) -> tuple[str, str]:
        return (self._vault.reseal(key.api_key_sealed, key.user_id, "api_key"),
                self._vault.reseal(key.secret_sealed, key.user_id, "secret"))

    def keys_to_reseal(self) -> int:
        return self._store.keys_not_sealed_under(self._vault.current_key_id)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _view(user: StoredUser) -> UserView:
    return UserView(user.id, user.email, VenueChoice(user.venue))


def _key_view(key: StoredKey) -> ExchangeKeyView:
    return ExchangeKeyView(VenueChoice(key.venue), SignatureKind(key.signature), key.api_key_hint,
                           key.checked_time_ms)


def _credentials(user_id: int, api_key: str, secret: str,
                 signature: SignatureKind | str) -> ExchangeCredentials:
    api_key, secret = (api_key or "").strip(), (secret or "").strip()
    if not api_key and not secret:
        raise ValidationFailed("Enter the API key and the secret key.", field="api_key")
    if not api_key or not secret:
        raise ValidationFailed("Enter the API key." if not api_key else "Enter the secret key.",
                               field="api_key" if not api_key else "secret")
    try:
        kind = SignatureKind(signature)
    except ValueError:
        raise ValidationFailed("Choose HMAC_SHA256 or ED25519.", field="signature") from None
    if not re.fullmatch(r"[A-Za-z0-9]{16,128}", api_key):
        raise ValidationFailed("An API key is 16 to 128 letters and digits.", field="api_key")
    if kind is SignatureKind.HMAC_SHA256 and not re.fullmatch(r"[A-Za-z0-9]{16,128}", secret):
        raise ValidationFailed("An HMAC secret key is 16 to 128 letters and digits.", field="secret")
    if kind is SignatureKind.ED25519 and "PRIVATE KEY" not in secret:
        raise ValidationFailed("An Ed25519 key is a PEM private key (-----BEGIN PRIVATE KEY-----).",
                               field="secret")
    return ExchangeCredentials(user_id, api_key, secret, kind)



SESSION_COOKIE = "numatix_session"  # HttpOnly; the browser's copy of the session token


def token_from_cookie_header(cookie_header: str) -> str | None:
    """The session token in a raw ``Cookie`` header (Reflex hands pages the header only)."""
    return cookie_value(cookie_header, SESSION_COOKIE)


def cookie_value(cookie_header: str, name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None
