"""Every SQLModel table, imported so Alembic and ``create_all`` see the full metadata.

Each feature adds its module here (accounts, paper exchange, alerts, account value).
"""

from numatix.store.tables import (
    accounts,  # noqa: F401
    alerts,  # noqa: F401
    paper,  # noqa: F401
    portfolio,  # noqa: F401
    preferences,  # noqa: F401
)
