"""Operator commands: ``python -m numatix.admin rotate-key``.

rotate-key moves every stored exchange key under a new master key:
- with the generated key file (a local run), it keeps the old key in ``data/secret.previous``
  *before* writing a new ``data/secret.key``, then re-encrypts;
- with ``NUMATIX_SECRET_KEY`` set, set the new key there and the old one in
  ``NUMATIX_PREVIOUS_SECRET_KEYS`` first; the command then re-encrypts.
Each key is re-encrypted in its own transaction: if the run stops half-way, run it again
and it carries on (it does not make yet another key while old-key secrets remain).
Sessions are signed with a key derived from the master key, so everyone logs in again.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import sys
from pathlib import Path

from numatix.config import PREVIOUS_KEYS_FILE, Settings, SettingsError, load_settings
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import ConfigurationError
from numatix.security.rate_limits import RateLimiter
from numatix.services.runtime import account_service
from numatix.store.db import make_engine


async def _no_key_checks(_credentials: ExchangeCredentials) -> None:
    raise ConfigurationError("admin commands do not save keys")


def rotate_key(settings: Settings, out=print) -> Settings:
    """Returns the settings now in force (with the new key when one was generated)."""
    engine = make_engine(settings.database_url)
    try:
        accounts = account_service(settings, engine, RateLimiter(), _no_key_checks)
        pending = accounts.keys_to_reseal()
        if pending == 0:
            if settings.secret_key_file is None:
                out("Every key is already sealed under NUMATIX_SECRET_KEY: set a new one there and the old "
                    "one in NUMATIX_PREVIOUS_SECRET_KEYS, then run this again.")
                return settings
            settings = _replace_key_file(settings)
            accounts = account_service(settings, engine, RateLimiter(), _no_key_checks)
            out(f"New master key written to {settings.secret_key_file}; the old one is kept in "
                f"{settings.data_dir / PREVIOUS_KEYS_FILE}.")
        else:
            out(f"Carrying on: {pending} key(s) still sealed under an older master key.")
        moved = accounts.reseal_exchange_keys()
        out(f"Re-encrypted {moved} exchange key(s) under the current master key.")
        return settings
    finally:
        engine.dispose()


def _replace_key_file(settings: Settings) -> Settings:
    key_file = settings.secret_key_file
    assert key_file is not None
    previous_file = settings.data_dir / PREVIOUS_KEYS_FILE
    _append_private(previous_file, settings.secret_key)  # the old key is safe before the new one exists
    new_key = secrets.token_urlsafe(48)
    temporary = key_file.with_suffix(".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new_key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, key_file)
    previous = tuple(dict.fromkeys((*settings.previous_secret_keys, settings.secret_key)))
    return dataclasses.replace(settings, secret_key=new_key, previous_secret_keys=previous)


def _append_private(path: Path, line: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m numatix.admin", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("rotate-key", help="re-encrypt stored exchange keys under a new master key")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Numatix configuration error: {error}", file=sys.stderr)
        return 2
    if arguments.command == "rotate-key":
        rotate_key(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
