"""The paper venue: a Binance-faithful matching engine fed by the market hub."""

from numatix.domain.fees import FeeSchedule
from numatix.exchange.paper.engine import EngineDeposed, PaperExchange, PaperSubscription
from numatix.exchange.paper.store import InMemoryPaperStore, LedgerEntry, PaperOrderRecord, PaperStore
from numatix.exchange.paper.timing import FakeClock, FixedLatency, LogNormalLatency, SystemClock, ZeroLatency

__all__ = [
    "EngineDeposed",
    "FakeClock",
    "FeeSchedule",
    "FixedLatency",
    "InMemoryPaperStore",
    "LedgerEntry",
    "LogNormalLatency",
    "PaperExchange",
    "PaperOrderRecord",
    "PaperStore",
    "PaperSubscription",
    "SystemClock",
    "ZeroLatency",
]
