"""Settings from the environment and ``.env``, with defaults that run offline.

Every variable is listed in ``.env.example`` and the README. A bad value stops start-up
with one line that names the variable and what it accepts.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from numatix.domain.symbols import DEFAULT_SYMBOLS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MARKET_SOURCES = ("auto", "synthetic", "replay", "binance")


class SettingsError(ValueError):
    """A configuration value is unusable; the message is meant for the operator, verbatim."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    market_data: str
    replay_path: Path | None
    replay_speed: float
    market_rest_url: str
    market_stream_url: str
    binance_rest_url: str
    binance_ws_api_url: str
    binance_stream_url: str
    allow_mainnet: bool
    symbols: tuple[str, ...]
    seed: int
    log_level: str
    log_format: str = "json"
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)  # whose X-Forwarded-For/-Proto the app believes
    allowed_origins: tuple[str, ...] = ()  # other sites whose pages may use the API with the cookie
    paper_latency_ms: int = 120
    session_ttl_seconds: int = 7 * 24 * 3600
    orders_per_minute: int = 20
    api_requests_per_minute: int = 100
    previous_secret_keys: tuple[str, ...] = ()
    secret_key_file: Path | None = None  # where the generated key lives; None when set in the environment
    cluster_name: str = "numatix"  # with Redis: the prefix of the workers' shared keys and channels
    engine_lease_seconds: float = 5.0  # with Redis: how long the paper engine's leader lease lasts
    value_sample_seconds: float = 3600.0  # how often every wallet's value is sampled for its curve


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; the real environment wins over the file."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _env(values: dict[str, str], name: str, default: str = "") -> str:
    return values.get(name, default).strip() or default


def _choice(values: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _env(values, name, default).lower()
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not valid; use one of: {', '.join(allowed)}")
    return value


def _integer(values: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    text = _env(values, name, str(default))
    try:
        number = int(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not valid; use a whole number") from None
    if number < minimum:
        raise SettingsError(f"{name}={text!r} is not valid; use a whole number >= {minimum}")
    return number


def _positive_float(values: dict[str, str], name: str, default: float) -> float:
    text = _env(values, name, str(default))
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise SettingsError(f"{name}={text!r} is not valid; use a number above 0")
    return number


def _boolean(values: dict[str, str], name: str) -> bool:
    text = _env(values, name, "false").lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={text!r} is not valid; use true or false")


def _url(values: dict[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = _env(values, name, default)
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        starts = " or ".join(scheme + "://" for scheme in schemes)
        raise SettingsError(f"{name}={value!r} is not valid; use a URL starting with {starts}")
    return value.rstrip("/")


def _symbols(values: dict[str, str]) -> tuple[str, ...]:
    text = _env(values, "NUMATIX_SYMBOLS", ",".join(DEFAULT_SYMBOLS))
    symbols = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    unknown = [s for s in symbols if s not in DEFAULT_SYMBOLS]
    if not symbols or unknown:
        raise SettingsError(
            f"NUMATIX_SYMBOLS={text!r} is not valid; "
            f"use a comma-separated list of {', '.join(DEFAULT_SYMBOLS)}"
        )
    return symbols


def _secret_key(values: dict[str, str], data_dir: Path) -> str:
    """The master secret; generated once into ``data/secret.key`` (mode 0600) for a local run."""
    given = _env(values, "NUMATIX_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise SettingsError("NUMATIX_SECRET_KEY is not valid; use at least 32 characters")
        return given
    key_file = data_dir / "secret.key"
    if key_file.is_file():
        return key_file.read_text().strip()
    if not data_dir.exists():
        data_dir.mkdir(mode=0o700, parents=True)  # the secret, the database: the owner's alone
    key = secrets.token_urlsafe(48)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def _previous_secret_keys(values: dict[str, str], data_dir: Path) -> tuple[str, ...]:
    """Keys that sealed stored secrets before a rotation: still able to decrypt, never to seal."""
    given = [key.strip() for key in _env(values, "NUMATIX_PREVIOUS_SECRET_KEYS").split(",") if key.strip()]
    previous_file = data_dir / PREVIOUS_KEYS_FILE
    if previous_file.is_file():
        given += [line.strip() for line in previous_file.read_text().splitlines() if line.strip()]
    return tuple(dict.fromkeys(given))


PREVIOUS_KEYS_FILE = "secret.previous"


def load_settings(environ: dict[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    if dotenv is None:  # the tests name a file that does not exist: a checkout's .env never reaches them
        source = os.environ if environ is None else environ
        dotenv = Path(source.get("NUMATIX_ENV_FILE") or PROJECT_ROOT / ".env")
    values = read_dotenv(dotenv)
    values.update(os.environ if environ is None else environ)
    data_dir = Path(_env(values, "NUMATIX_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()
    database_url = _url(
        values, "NUMATIX_DATABASE_URL", f"sqlite:///{data_dir / 'numatix.db'}",
        ("sqlite", "postgresql", "postgresql+psycopg"),
    )
    redis_url = _env(values, "NUMATIX_REDIS_URL") or None
    if redis_url:
        redis_url = _url(values, "NUMATIX_REDIS_URL", "", ("redis", "rediss"))
    replay_text = _env(values, "NUMATIX_REPLAY_PATH")
    market_data = _choice(values, "NUMATIX_MARKET_DATA", "auto", MARKET_SOURCES)
    if market_data == "replay" and not replay_text:
        raise SettingsError("NUMATIX_REPLAY_PATH is not set; replay needs a Binance kline CSV file or folder")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=_secret_key(values, data_dir),
        market_data=market_data,
        replay_path=Path(replay_text) if replay_text else None,
        replay_speed=_positive_float(values, "NUMATIX_REPLAY_SPEED", 1.0),
        market_rest_url=_url(values, "NUMATIX_MARKET_REST_URL", "https://data-api.binance.vision",
                             ("http", "https")),
        market_stream_url=_url(values, "NUMATIX_MARKET_STREAM_URL", "wss://data-stream.binance.vision",
                               ("ws", "wss")),
        binance_rest_url=_url(values, "NUMATIX_BINANCE_REST_URL", "https://testnet.binance.vision",
                              ("http", "https")),
        binance_ws_api_url=_url(
            values, "NUMATIX_BINANCE_WS_API_URL", "wss://ws-api.testnet.binance.vision/ws-api/v3",
            ("ws", "wss")
        ),
        binance_stream_url=_url(values, "NUMATIX_BINANCE_STREAM_URL", "wss://stream.testnet.binance.vision",
                                ("ws", "wss")),
        allow_mainnet=_boolean(values, "NUMATIX_ALLOW_MAINNET"),
        symbols=_symbols(values),
        seed=_integer(values, "NUMATIX_SEED", 7),
        paper_latency_ms=_integer(values, "NUMATIX_PAPER_LATENCY_MS", 120),
        orders_per_minute=_integer(values, "NUMATIX_ORDERS_PER_MINUTE", 20, minimum=1),
        api_requests_per_minute=_integer(values, "NUMATIX_API_REQUESTS_PER_MINUTE", 100, minimum=1),
        session_ttl_seconds=_integer(values, "NUMATIX_SESSION_TTL_SECONDS", 7 * 24 * 3600, minimum=60),
        previous_secret_keys=_previous_secret_keys(values, data_dir),
        secret_key_file=None if _env(values, "NUMATIX_SECRET_KEY") else data_dir / "secret.key",
        log_level=_choice(values, "NUMATIX_LOG_LEVEL", "info", ("debug", "info", "warning", "error")),
        log_format=_choice(values, "NUMATIX_LOG_FORMAT", "json", ("json", "text")),
        trusted_proxies=tuple(
            address.strip() for address in _env(values, "NUMATIX_TRUSTED_PROXIES", "127.0.0.1").split(",")
            if address.strip()
        ),
        allowed_origins=_origins(values),
        cluster_name=_cluster_name(values),
        engine_lease_seconds=_positive_float(values, "NUMATIX_ENGINE_LEASE_SECONDS", 5.0),
        value_sample_seconds=_sample_seconds(values),
    )


def _sample_seconds(values: dict[str, str]) -> float:
    seconds = _positive_float(values, "NUMATIX_VALUE_SAMPLE_SECONDS", 3600.0)
    if seconds > 3600:
        raise SettingsError(f"NUMATIX_VALUE_SAMPLE_SECONDS={seconds:g} is too long; the account-value curve "
                            "is sampled at least hourly, so use at most 3600")
    return seconds


def _origins(values: dict[str, str]) -> tuple[str, ...]:
    """``scheme://host[:port]`` each, as a browser writes the Origin header (no path, no ``*``)."""
    text = _env(values, "NUMATIX_ALLOWED_ORIGINS")
    origins = []
    for given in (part.strip() for part in text.split(",") if part.strip()):
        parsed = urlparse(given)
        if parsed.scheme not in ("http", "https") or not parsed.hostname or given.rstrip("/") != (
                f"{parsed.scheme}://{parsed.netloc}") or "*" in given or "@" in given:
            raise SettingsError(f"NUMATIX_ALLOWED_ORIGINS={text!r} is not valid; use a comma-separated "
                                "list of origins like https://app.example.com (scheme, host and port only)")
        origins.append(f"{parsed.scheme}://{parsed.netloc}".lower())
    return tuple(dict.fromkeys(origins))


def _cluster_name(values: dict[str, str]) -> str:
    name = _env(values, "NUMATIX_CLUSTER_NAME", "numatix")
    if not all(character.isalnum() or character in "-_." for character in name):
        raise SettingsError(
            f"NUMATIX_CLUSTER_NAME={name!r} is not valid; use letters, digits, '-', '_' and '.'")
    return name


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
