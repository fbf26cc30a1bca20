"""The realism report at full length: 60 days of minutes and 30 live minutes of the default seed.

``make test`` runs the same report on 30 days and 10 minutes (tests/unit/market/test_realism_report.py);
this is the run the README quotes. Exit status 1 if any statistic is outside Binance's range.
"""

from __future__ import annotations

import sys

from numatix.market import report

if __name__ == "__main__":
    sys.exit(report.main([]))
