import pytest

from tests.support import hypothesis_profiles
from tests.support.database import DATABASES, migrated_database_url

hypothesis_profiles.load()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A migrated database: SQLite always, PostgreSQL too when NUMATIX_TEST_POSTGRES_URL is set."""
    yield from migrated_database_url(request.param, tmp_path)
