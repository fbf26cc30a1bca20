"""The Binance Spot venue: signed REST, the WebSocket API user data stream, error mapping."""
