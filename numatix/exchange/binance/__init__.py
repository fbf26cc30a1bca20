"""The Binance Spot venue: signed REST, the WebSocket API user data stream, error mapping."""

from numatix.exchange.binance.options import BinanceOptions
from numatix.exchange.binance.venue import BinanceVenue

__all__ = ["BinanceOptions", "BinanceVenue"]
