"""Every SQLModel table, imported so Alembic and ``create_all`` see the full metadata.

Each feature adds its module here (accounts, paper exchange, alerts).
"""

from numatix.store.tables import paper  # noqa: F401
from numatix.store.tables import accounts  # noqa: F401
from numatix.store.tables import alerts  # noqa: F401
