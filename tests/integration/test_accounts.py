"""Accounts over a real, migrated database: sign-up, log-in, sessions, keys, isolation."""

from __future__ import annotations

import pytest

from numatix.domain.credentials import SignatureKind, VenueChoice
from numatix.domain.errors import AuthenticationFailed, OutcomeUnknown, TransientVenueError
from numatix.security.rate_limits import RateLimiter
from numatix.security.tokens import TokenService
from numatix.security.vault import Vault
from numatix.store.accounts_repository import SqlAccountStore
from numatix.services.accounts import AccountService, token_from_cookie_header
from numatix.services.errors import (
    AuthenticationRequired,
    Conflict,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
    VenueUnreachable,
)
from numatix.store.db import make_engine
from numatix.store.tables.accounts import ExchangeKeyRow

PASSWORD = "violet-harbour-42"
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class KeyCheck:
    """Stands in for the venue: refuses the keys it is told to, like Binance's -2015."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.checked: list[str] = []
        self.failure: Exception | None = None  # the venue cannot answer at all

    async def __call__(self, credentials) -> None:
        self.checked.append(credentials.api_key)
        if self.failure is not None:
            raise self.failure
        if credentials.api_key in self.refused:
            raise AuthenticationFailed("Invalid API-key, IP, or permissions for action.", -2015)


@pytest.fixture
def world(database_url):
    engine = make_engine(database_url)
    clock, check = Clock(), KeyCheck()
    vault = Vault.from_secrets("a" * 48)
    service = AccountService(SqlAccountStore(engine), TokenService("t" * 64, ttl_seconds=3600, clock=clock), vault,
                             RateLimiter(), check, clock=clock)
    yield service, clock, check, engine, vault
    engine.dispose()


async def test_sign_up_normalises_the_email_and_refuses_a_second_account(world):
    service, *_ = world
    signed_in = await service.register("  Alice@Example.COM ", PASSWORD)
    assert signed_in.user.email == "alice@example.com" and signed_in.user.venue is VenueChoice.PAPER
    assert await service.authenticate(signed_in.token) == signed_in.user
    with pytest.raises(Conflict):
        await service.register("alice@example.com", PASSWORD)


@pytest.mark.parametrize("email, password, field", [
    ("not-an-email", PASSWORD, "email"),
    ("bob@example.com", "short-1", "password"),
    ("bob@example.com", "password123", "password"),  # too common
])
async def test_sign_up_rejects_bad_input_naming_the_field(world, email, password, field):
    service, *_ = world
    with pytest.raises(ValidationFailed) as rejected:
        await service.register(email, password)
    assert rejected.value.field == field


async def test_log_in_never_tells_whether_the_email_exists(world):
    service, *_ = world
    await service.register("alice@example.com", PASSWORD)
    with pytest.raises(AuthenticationRequired) as wrong_password:
        await service.log_in("alice@example.com", "wrong-password-1", "10.0.0.1")
    with pytest.raises(AuthenticationRequired) as no_such_user:
        await service.log_in("nobody@example.com", "wrong-password-1", "10.0.0.2")
    assert wrong_password.value.message == no_such_user.value.message
    assert (await service.log_in("ALICE@example.com", PASSWORD, "10.0.0.3")).user.email == "alice@example.com"


async def test_the_sixth_log_in_attempt_within_15_minutes_is_refused(world):
    service, *_ = world
    await service.register("alice@example.com", PASSWORD)
    for attempt in range(5):
        with pytest.raises(AuthenticationRequired):
            await service.log_in("alice@example.com", f"wrong-password-{attempt}", f"10.0.0.{attempt}")
    with pytest.raises(RateLimited) as limited:
        await service.log_in("alice@example.com", PASSWORD, "10.0.0.99")  # even the right password
    assert 60 < limited.value.retry_after_seconds <= 900
    for attempt in range(30):  # and per address, whatever the email: a budget of its own, larger
        with pytest.raises(AuthenticationRequired):
            await service.log_in(f"user{attempt}@example.com", PASSWORD, "192.168.1.1")
    with pytest.raises(RateLimited):
        await service.log_in("someone@example.com", PASSWORD, "192.168.1.1")


async def test_an_old_bcrypt_hash_still_logs_in_and_is_upgraded_to_argon2id(world):
    from passlib.hash import bcrypt
    from sqlalchemy import select, update

    from numatix.store.tables.accounts import UserRow

    service, _, _, engine, _ = world
    user = (await service.register("old@example.com", PASSWORD)).user
    with engine.begin() as connection:
        connection.execute(update(UserRow).where(UserRow.id == user.id).values(password_hash=bcrypt.hash(PASSWORD)))
    await service.log_in("old@example.com", PASSWORD, "10.1.1.1")
    with engine.connect() as connection:
        stored = connection.execute(select(UserRow.password_hash).where(UserRow.id == user.id)).scalar_one()
    assert stored.startswith("$argon2id$")
    await service.log_in("old@example.com", PASSWORD, "10.1.1.1")


async def test_successful_log_ins_do_not_count_against_the_limit(world):
    service, *_ = world
    await service.register("alice@example.com", PASSWORD)
    for _ in range(8):  # a shared office address logging in all day
        await service.log_in("alice@example.com", PASSWORD, "10.9.9.9")


async def test_log_out_revokes_at_once_and_everywhere_revokes_every_session(world):
    service, clock, *_ = world
    first = await service.register("alice@example.com", PASSWORD)
    second = await service.log_in("alice@example.com", PASSWORD, "10.0.0.1")
    third = await service.log_in("alice@example.com", PASSWORD, "10.0.0.2")
    await service.log_out(first.token)
    with pytest.raises(AuthenticationRequired):
        await service.authenticate(first.token)
    assert (await service.authenticate(second.token)).email == "alice@example.com"
    await service.log_out_everywhere(second.user.id)
    for token in (second.token, third.token):
        with pytest.raises(AuthenticationRequired):
            await service.authenticate(token)


async def test_tokens_expire_and_tampered_tokens_fail(world):
    service, clock, *_ = world
    signed_in = await service.register("alice@example.com", PASSWORD)
    head, payload, signature = signed_in.token.split(".")
    for broken in (f"{head}.{payload}.{signature[:-2]}xx", "garbage", ""):
        with pytest.raises(AuthenticationRequired):
            await service.authenticate(broken)
    clock.now += 3601
    with pytest.raises(AuthenticationRequired):
        await service.authenticate(signed_in.token)


async def test_a_password_change_ends_every_session_and_the_new_password_works(world):
    service, *_ = world
    first = await service.register("alice@example.com", PASSWORD)
    other = await service.log_in("alice@example.com", PASSWORD, "10.0.0.1")
    with pytest.raises(ValidationFailed):
        await service.change_password(first.token, "not-the-password", "a-new-long-passphrase")
    renewed = await service.change_password(first.token, PASSWORD, "a-new-long-passphrase")
    for token in (first.token, other.token):
        with pytest.raises(AuthenticationRequired):
            await service.authenticate(token)
    assert (await service.authenticate(renewed.token)).email == "alice@example.com"
    with pytest.raises(AuthenticationRequired):
        await service.log_in("alice@example.com", PASSWORD, "10.0.0.5")
    await service.log_in("alice@example.com", "a-new-long-passphrase", "10.0.0.6")


async def test_keys_are_checked_sealed_masked_and_only_their_owner_can_open_them(world):
    service, _, check, engine, vault = world
    alice = (await service.register("alice@example.com", PASSWORD)).user
    bob = (await service.register("bob@example.com", PASSWORD)).user
    check.refused.add("X" * 64)
    with pytest.raises(AuthenticationFailed):
        await service.save_exchange_key(alice.id, "X" * 64, SECRET)
    assert await service.exchange_key(alice.id) is None
    view = await service.save_exchange_key(alice.id, API_KEY, SECRET)
    assert view.api_key_hint == "vmPU…Eh8A" and view.signature is SignatureKind.HMAC_SHA256
    assert (await service.credentials(alice.id)).secret == SECRET and await service.credentials(bob.id) is None
    with engine.connect() as connection:
        stored = connection.execute(ExchangeKeyRow.__table__.select()).mappings().one()
    assert SECRET not in stored["secret_sealed"] and API_KEY not in stored["api_key_sealed"]
    with pytest.raises(Exception):
        vault.decrypt(stored["secret_sealed"], bob.id, "secret")  # bound to Alice
    assert (await service.set_venue(alice.id, "binance-testnet")).venue is VenueChoice.BINANCE_TESTNET
    with pytest.raises(ValidationFailed):
        await service.set_venue(bob.id, "binance-testnet")  # Bob has no key
    await service.delete_exchange_key(alice.id)
    assert await service.exchange_key(alice.id) is None and (await service.user(alice.id)).venue is VenueChoice.PAPER


async def test_a_key_given_at_sign_up_is_checked_before_the_account_exists(world):
    service, _, check, *_ = world
    check.refused.add("Y" * 64)
    with pytest.raises(AuthenticationFailed):
        await service.register("carol@example.com", PASSWORD, api_key="Y" * 64, secret=SECRET)
    signed_in = await service.register("carol@example.com", PASSWORD, api_key=API_KEY, secret=SECRET)
    assert (await service.exchange_key(signed_in.user.id)).api_key_hint == "vmPU…Eh8A"
    # As on the original platform, an account opened with a key that passed trades on that exchange.
    assert signed_in.user.venue is VenueChoice.BINANCE_TESTNET
    assert service.venue_choice(signed_in.user.id)[0] is VenueChoice.BINANCE_TESTNET
    assert (await service.register("dave@example.com", PASSWORD)).user.venue is VenueChoice.PAPER


def test_the_session_cookie_is_read_from_a_raw_header():
    assert token_from_cookie_header("theme=dark; numatix_session=abc.def.ghi; x=1") == "abc.def.ghi"
    assert token_from_cookie_header("theme=dark") is None and token_from_cookie_header("") is None


async def test_routing_hears_of_every_venue_or_key_change_and_gets_the_key_only_for_binance(world):
    service, *_ = world
    alice = (await service.register("dora@example.com", PASSWORD)).user
    changed: list[int] = []
    service.on_venue_change(changed.append)
    assert service.venue_choice(alice.id) == (VenueChoice.PAPER, None)
    await service.save_exchange_key(alice.id, API_KEY, SECRET)
    assert service.venue_choice(alice.id) == (VenueChoice.PAPER, None)  # a key alone does not move orders
    await service.set_venue(alice.id, VenueChoice.BINANCE_TESTNET)
    choice, credentials = service.venue_choice(alice.id)
    assert choice is VenueChoice.BINANCE_TESTNET and (credentials.api_key, credentials.secret) == (API_KEY, SECRET)
    await service.delete_exchange_key(alice.id)
    assert service.venue_choice(alice.id) == (VenueChoice.PAPER, None)
    assert changed == [alice.id] * 3


@pytest.mark.parametrize("failure", [
    TransientVenueError("Could not reach Binance: ConnectError [Errno 111] Connection refused"),
    OutcomeUnknown("No reply from Binance: ReadTimeout"),
])
async def test_an_unreachable_binance_is_never_blamed_on_the_key_and_nothing_is_saved(world, failure):
    service, _, check, engine, _ = world
    alice = (await service.register("alice@example.com", PASSWORD)).user
    check.failure = failure
    with pytest.raises(VenueUnreachable) as raised:
        await service.save_exchange_key(alice.id, API_KEY, SECRET)
    assert raised.value.message.startswith("Binance could not be reached")
    assert "nothing was saved" in raised.value.message and "Errno" not in raised.value.message
    assert isinstance(raised.value, ServiceUnavailable)  # the API answers 503: try again later
    assert await service.exchange_key(alice.id) is None
    with pytest.raises(VenueUnreachable):
        await service.register("bob@example.com", PASSWORD, api_key=API_KEY, secret=SECRET)
    with pytest.raises(AuthenticationRequired):  # no account was created with the unchecked key
        await service.log_in("bob@example.com", PASSWORD, "10.0.0.9")
    check.failure = None
    bob = (await service.register("bob@example.com", PASSWORD)).user  # without the key it succeeds
    assert await service.exchange_key(bob.id) is None
    with engine.connect() as connection:
        assert connection.execute(ExchangeKeyRow.__table__.select()).first() is None


async def test_a_busy_binance_says_how_long_to_wait(world):
    service, _, check, *_ = world
    alice = (await service.register("alice@example.com", PASSWORD)).user
    check.failure = TransientVenueError("Too many requests", -1003, retry_after=42)
    with pytest.raises(VenueUnreachable, match=r"^Binance is busy .*nothing was saved. Try again in 42 s.$"):
        await service.save_exchange_key(alice.id, API_KEY, SECRET)


@pytest.mark.parametrize(("api_key", "secret", "message", "field"), [
    ("", "", "Enter the API key and the secret key.", "api_key"),
    ("  ", SECRET, "Enter the API key.", "api_key"),
    (API_KEY, "", "Enter the secret key.", "secret"),
])
async def test_missing_key_fields_are_named_before_binance_is_asked(world, api_key, secret, message, field):
    service, _, check, *_ = world
    alice = (await service.register("alice@example.com", PASSWORD)).user
    with pytest.raises(ValidationFailed) as raised:
        await service.save_exchange_key(alice.id, api_key, secret)
    assert (raised.value.message, raised.value.field) == (message, field)
    assert check.checked == []
