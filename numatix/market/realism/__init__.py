"""How close the synthetic market is to Binance's: statistics, fits and reference ranges."""
