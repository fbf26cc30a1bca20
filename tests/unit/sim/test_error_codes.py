"""The simulator speaks Binance's error codes verbatim and the Binance adapter reads them
through its own table (numatix/exchange/errors.py): every code the simulator can send must
be one the adapter knows, or a client of ours would misread its own test exchange."""

from __future__ import annotations

import re
from pathlib import Path

import numatix.sim
from numatix.domain import errors as domain_errors
from numatix.exchange.errors import BINANCE_ERROR_CLASSES

SENT = re.compile(r"SimError\(\s*(-\d{4})")


def codes_the_simulator_sends() -> set[int]:
    folder = Path(numatix.sim.__file__).parent
    literal = {int(code) for path in folder.glob("*.py") for code in SENT.findall(path.read_text())}
    named = {value for name, value in vars(domain_errors).items()
             if name.isupper() and isinstance(value, int) and -3000 < value < -999}
    return literal | named


def test_every_code_the_simulator_sends_is_in_the_adapters_table():
    sent = codes_the_simulator_sends()
    assert len(sent) >= 20  # the scan found the simulator's replies
    assert sorted(sent - BINANCE_ERROR_CLASSES.keys()) == []
