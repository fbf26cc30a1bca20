"""``python -m numatix.admin rotate-key``: new master key, nothing lost, resumable."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from numatix.admin import rotate_key
from numatix.config import load_settings
from numatix.security.rate_limits import RateLimiter
from numatix.security.vault import Vault
from numatix.services.runtime import account_service, token_secret
from numatix.store.db import make_engine
from numatix.store.migrations import upgrade_to_head
from numatix.config import PROJECT_ROOT

PASSWORD = "violet-harbour-42"
SECRETS = {n: (f"Key{n:02d}" + "k" * 40, f"Sec{n:02d}" + "s" * 40) for n in range(4)}
# Only against hanging: a niced test process beside the browser tests may wait long for a core.
HANG_GUARD = 240


async def accept(_credentials) -> None:
    return None


def settings_in(tmp_path):
    return load_settings({"NUMATIX_DATA_DIR": str(tmp_path)}, tmp_path / "no.env")


async def users_with_keys(settings) -> dict[int, tuple[str, str]]:
    engine = make_engine(settings.database_url)
    accounts = account_service(settings, engine, RateLimiter(), accept)
    owners = {}
    for n, (api_key, secret) in SECRETS.items():
        user = (await accounts.register(f"user{n}@example.com", PASSWORD)).user
        await accounts.save_exchange_key(user.id, api_key, secret)
        owners[user.id] = (api_key, secret)
    engine.dispose()
    return owners


async def stored_credentials(settings) -> tuple[dict[int, tuple[str, str]], int]:
    engine = make_engine(settings.database_url)
    accounts = account_service(settings, engine, RateLimiter(), accept)
    found = {}
    for user_id in range(1, len(SECRETS) + 1):
        credentials = await accounts.credentials(user_id)
        found[user_id] = (credentials.api_key, credentials.secret)
    pending = accounts.keys_to_reseal()
    engine.dispose()
    return found, pending


async def test_rotation_moves_every_key_and_keeps_the_old_key_private(tmp_path):
    settings = settings_in(tmp_path)
    upgrade_to_head(settings.database_url)
    owners = await users_with_keys(settings)
    old_key = settings.secret_key
    rotated = rotate_key(settings, out=lambda _line: None)
    assert rotated.secret_key != old_key
    reloaded = settings_in(tmp_path)  # what the next start-up reads from disk
    assert reloaded.secret_key == rotated.secret_key and old_key in reloaded.previous_secret_keys
    assert stat.S_IMODE((tmp_path / "secret.previous").stat().st_mode) == 0o600
    found, pending = await stored_credentials(reloaded)
    assert found == owners and pending == 0
    only_new = Vault.from_secrets(rotated.secret_key)  # the old key is no longer needed
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        for row in connection.exec_driver_sql("SELECT user_id, secret_sealed FROM exchange_key"):
            assert only_new.decrypt(row[1], row[0], "secret") == owners[row[0]][1]
    engine.dispose()


async def test_an_interrupted_rotation_resumes_without_a_new_key(tmp_path, monkeypatch):
    settings = settings_in(tmp_path)
    upgrade_to_head(settings.database_url)
    owners = await users_with_keys(settings)
    calls = {"n": 0}
    original = Vault.reseal

    def crash_on_the_fifth(self, sealed, user_id, field):
        calls["n"] += 1
        if calls["n"] == 5:  # two keys moved (2 fields each), then the power goes
            raise KeyboardInterrupt
        return original(self, sealed, user_id, field)

    monkeypatch.setattr(Vault, "reseal", crash_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        rotate_key(settings, out=lambda _line: None)
    monkeypatch.setattr(Vault, "reseal", original)
    after_crash = settings_in(tmp_path)
    found, pending = await stored_credentials(after_crash)
    assert found == owners and pending == 2  # nothing lost: half under each key
    lines = []
    resumed = rotate_key(after_crash, out=lines.append)
    assert resumed.secret_key == after_crash.secret_key  # carried on, no third key
    assert any("Carrying on: 2" in line for line in lines)
    assert await stored_credentials(settings_in(tmp_path)) == (owners, 0)


def test_the_command_runs(tmp_path):
    env = {"NUMATIX_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    upgrade_to_head(settings_in(tmp_path).database_url)
    result = subprocess.run([sys.executable, "-m", "numatix.admin", "rotate-key"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=HANG_GUARD)
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted 0 exchange key(s)" in result.stdout


def test_sessions_are_signed_with_a_key_of_their_own():
    assert token_secret("m" * 48) != "m" * 48 and token_secret("m" * 48) == token_secret("m" * 48)
