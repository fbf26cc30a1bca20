"""Settings: offline defaults, the generated secret, and one clear line per bad value."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from numatix.config import SettingsError, load_settings

NO_DOTENV = Path("/nonexistent/.env")


def settings_for(tmp_path: Path, **values: str):
    return load_settings({"NUMATIX_DATA_DIR": str(tmp_path), **values}, NO_DOTENV)


def test_defaults_run_offline_on_sqlite_paper_and_auto(tmp_path):
    settings = settings_for(tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'numatix.db'}"
    assert settings.market_data == "auto"
    assert settings.redis_url is None
    assert settings.symbols[:4] == ("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT")
    assert len(settings.symbols) >= 20 and all(s.endswith("USDT") for s in settings.symbols)
    assert settings.binance_rest_url == "https://testnet.binance.vision"
    assert settings.allow_mainnet is False
    assert settings.value_sample_seconds == 3600  # the account-value curve: at least hourly


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    first = settings_for(tmp_path).secret_key
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert settings_for(tmp_path).secret_key == first


def test_environment_secret_wins_and_no_file_is_written(tmp_path):
    settings = settings_for(tmp_path, NUMATIX_SECRET_KEY="x" * 40)
    assert settings.secret_key == "x" * 40
    assert not (tmp_path / "secret.key").exists()


def test_dotenv_is_read_and_environment_overrides_it(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("NUMATIX_SEED=11\nNUMATIX_MARKET_DATA=synthetic\n# comment\n")
    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_SEED": "12"}, dotenv)
    assert settings.seed == 12
    assert settings.market_data == "synthetic"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NUMATIX_MARKET_DATA", "bogus", "NUMATIX_MARKET_DATA='bogus' is not valid; use one of: auto, synthetic, replay, binance"),
        ("NUMATIX_SEED", "abc", "NUMATIX_SEED='abc' is not valid; use a whole number"),
        ("NUMATIX_SYMBOLS", "BTCUSDT,DOGEUSDT", "NUMATIX_SYMBOLS='BTCUSDT,DOGEUSDT' is not valid"),
        ("NUMATIX_DATABASE_URL", "mysql://x", "NUMATIX_DATABASE_URL='mysql://x' is not valid"),
        ("NUMATIX_REDIS_URL", "http://x", "NUMATIX_REDIS_URL='http://x' is not valid"),
        ("NUMATIX_ALLOW_MAINNET", "maybe", "NUMATIX_ALLOW_MAINNET='maybe' is not valid; use true or false"),
        ("NUMATIX_REPLAY_SPEED", "0", "NUMATIX_REPLAY_SPEED='0' is not valid; use a number above 0"),
        ("NUMATIX_SECRET_KEY", "short", "NUMATIX_SECRET_KEY is not valid; use at least 32 characters"),
        ("NUMATIX_BINANCE_WS_API_URL", "https://x", "NUMATIX_BINANCE_WS_API_URL='https://x' is not valid"),
        ("NUMATIX_BINANCE_STREAM_URL", "https://x", "NUMATIX_BINANCE_STREAM_URL='https://x' is not valid"),
        ("NUMATIX_VALUE_SAMPLE_SECONDS", "0", "NUMATIX_VALUE_SAMPLE_SECONDS='0' is not valid; use a number above 0"),
        ("NUMATIX_ALLOWED_ORIGINS", "*", "NUMATIX_ALLOWED_ORIGINS='*' is not valid"),
        ("NUMATIX_ALLOWED_ORIGINS", "https://x.example/path", "NUMATIX_ALLOWED_ORIGINS='https://x.example/path' is not"),
        ("NUMATIX_ALLOWED_ORIGINS", "x.example", "NUMATIX_ALLOWED_ORIGINS='x.example' is not valid"),
        ("NUMATIX_VALUE_SAMPLE_SECONDS", "7200", "NUMATIX_VALUE_SAMPLE_SECONDS=7200 is too long; the account-value"),
    ],
)
def test_bad_values_name_the_variable_and_what_it_accepts(tmp_path, name, value, expected):
    with pytest.raises(SettingsError) as raised:
        settings_for(tmp_path, **{name: value})
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_replay_needs_a_path(tmp_path):
    with pytest.raises(SettingsError, match="NUMATIX_REPLAY_PATH"):
        settings_for(tmp_path, NUMATIX_MARKET_DATA="replay")


def test_allowed_origins_are_listed_as_browsers_write_them(tmp_path):
    settings = settings_for(tmp_path, NUMATIX_ALLOWED_ORIGINS=" https://App.Example.com, http://localhost:3000/ ")
    assert settings.allowed_origins == ("https://app.example.com", "http://localhost:3000")
    assert settings_for(tmp_path).allowed_origins == ()


def test_the_data_folder_and_the_database_are_the_owners_alone(tmp_path):
    """Issue 14 part 11: another user of the machine reads neither the secret nor the database."""
    from numatix.store.migrations import upgrade_to_head

    data = tmp_path / "fresh" / "data"
    settings = settings_for(data)
    upgrade_to_head(settings.database_url)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    database = data / "numatix.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    database.chmod(0o644)  # an older install's file is tightened on the next start
    upgrade_to_head(settings.database_url)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
