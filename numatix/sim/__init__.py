"""A Binance-Spot-compatible exchange server over the paper engine (``python -m numatix.sim``)."""
