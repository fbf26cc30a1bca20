"""The synthetic market feed (see ../shared/paper-realism.md, "The synthetic market")."""

from numatix.market.synthetic.feed import SyntheticFeed
from numatix.market.synthetic.history import simulate_minute_returns

__all__ = ["SyntheticFeed", "simulate_minute_returns"]
