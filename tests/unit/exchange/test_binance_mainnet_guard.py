"""Real-money hosts are refused unless the operator opted in with NUMATIX_ALLOW_MAINNET."""

from __future__ import annotations

from pathlib import Path

import pytest

from numatix.config import load_settings
from numatix.domain.errors import ConfigurationError
from numatix.exchange.binance import BinanceVenue
from numatix.exchange.binance.options import is_mainnet

TESTNET = ("https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3")


@pytest.mark.parametrize("url", ["https://api.binance.com", "https://api3.binance.com/api", "https://api-gcp.binance.com",
                                 "wss://ws-api.binance.com:443/ws-api/v3", "wss://stream.binance.com:9443/ws",
                                 "https://API.BINANCE.COM", "https://api.binance.us"])
def test_real_money_hosts(url: str) -> None:
    assert is_mainnet(url)


@pytest.mark.parametrize("url", ["https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                                 "https://demo-api.binance.com/api", "wss://demo-ws-api.binance.com/ws-api/v3",
                                 "http://127.0.0.1:8765", "https://notbinance.com", "https://binance.com.example.org"])
def test_play_money_and_local_hosts(url: str) -> None:
    assert not is_mainnet(url)


@pytest.mark.parametrize("urls", [("https://api.binance.com", TESTNET[1]), (TESTNET[0], "wss://ws-api.binance.com/ws-api/v3")])
async def test_the_venue_refuses_mainnet_without_opt_in(urls: tuple[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="NUMATIX_ALLOW_MAINNET"):
        BinanceVenue(*urls, ["BTCUSDT"])


async def test_the_venue_accepts_mainnet_when_opted_in() -> None:
    venue = BinanceVenue("https://api.binance.com", "wss://ws-api.binance.com/ws-api/v3", ["BTCUSDT"],
                         allow_mainnet=True)
    await venue.close()


async def test_settings_default_to_the_testnet_and_carry_the_opt_in(tmp_path: Path) -> None:
    no_dotenv = tmp_path / "absent.env"
    settings = load_settings({}, no_dotenv)
    venue = BinanceVenue.from_settings(settings)
    assert venue.symbols == settings.symbols
    await venue.close()
    mainnet = {"NUMATIX_BINANCE_REST_URL": "https://api.binance.com",
               "NUMATIX_BINANCE_WS_API_URL": "wss://ws-api.binance.com/ws-api/v3"}
    with pytest.raises(ConfigurationError):
        BinanceVenue.from_settings(load_settings(mainnet, no_dotenv))
    opted_in = load_settings({**mainnet, "NUMATIX_ALLOW_MAINNET": "true"}, no_dotenv)
    assert opted_in.allow_mainnet
    await BinanceVenue.from_settings(opted_in).close()
