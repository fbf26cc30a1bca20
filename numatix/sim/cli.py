"""``python -m numatix.sim``: serve the simulator, or make an API key for it.

    python -m numatix.sim [serve] [--port 9100] [--keys-file F] [--market quiet|synthetic] [fault flags]
    python -m numatix.sim create-key [--kind hmac|ed25519] [--keys-file F]

Keys live in a JSON file the server re-reads when it changes, so ``create-key`` works
while the server runs. Fault flags set the faults the server starts with; change them
later with ``POST /sim/admin/faults``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from numatix.domain.credentials import SignatureKind
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.sim.keys import KeyStore
from numatix.sim.simulator import MARKETS, SimOptions, Simulator, parse_kind

DEFAULT_PORT = 9100
DEFAULT_KEYS_FILE = Path(os.environ.get("NUMATIX_SIM_KEYS_FILE", "data/sim-keys.json"))
COMMANDS = ("serve", "create-key")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m numatix.sim", description="Binance Spot simulator")
    commands = root.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the simulator (the default)")
    add_serve_arguments(serve)
    create = commands.add_parser("create-key", help="make an API key with a funded account")
    create.add_argument("--kind", choices=("hmac", "ed25519"), default="hmac")
    create.add_argument("--keys-file", type=Path, default=DEFAULT_KEYS_FILE)
    return root


def add_serve_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=DEFAULT_PORT)
    command.add_argument("--keys-file", type=Path, default=DEFAULT_KEYS_FILE)
    command.add_argument("--market", choices=MARKETS, default="synthetic",
                         help="synthetic: a live offline market; "
                              "quiet: prices move only on /sim/admin/trades")
    command.add_argument("--symbols", default=",".join(DEFAULT_SYMBOLS))
    command.add_argument("--seed", type=int, default=7)
    command.add_argument("--history-days", type=int, default=7)
    command.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    faults = command.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=int, default=0, help="added before every REST and WS API reply")
    faults.add_argument("--fail-next", type=int, default=0, help="the first N REST requests answer 5xx")
    faults.add_argument("--fail-status", type=int, default=503)
    faults.add_argument("--throttle-next", type=int, default=0, help="the first N REST requests answer 429")
    faults.add_argument("--throttle-status", type=int, default=429, choices=(429, 418))
    faults.add_argument("--retry-after", type=int, default=1)
    faults.add_argument("--skew-ms", type=int, default=0, help="server clock offset")
    faults.add_argument("--lose-next-order-reply", choices=("error", "hang"))


def create_key(arguments: argparse.Namespace) -> int:
    kind = parse_kind(arguments.kind)
    made = KeyStore(arguments.keys_file).create(kind)
    print(f"API key:     {made.key.api_key}")
    if kind is SignatureKind.ED25519:
        print("Private key (paste it into Numatix as the secret; it is not stored):")
        print(made.secret.strip())
    else:
        print(f"Secret key:  {made.secret}")
    print(f"Account:     {made.key.account} (keys file {arguments.keys_file})")
    return 0


async def serve(arguments: argparse.Namespace) -> None:
    from numatix.sim.server import serving

    options = SimOptions(symbols=tuple(s.strip().upper() for s in arguments.symbols.split(",") if s.strip()),
                         market=arguments.market, seed=arguments.seed, history_days=arguments.history_days,
                         keys_file=arguments.keys_file)
    simulator = Simulator(options)
    faults = simulator.faults
    faults.set_latency(arguments.latency_ms)
    faults.skew_clock(arguments.skew_ms)
    if arguments.fail_next:
        faults.fail_next(arguments.fail_next, arguments.fail_status)
    if arguments.throttle_next:
        faults.throttle_next(arguments.throttle_next, arguments.retry_after, arguments.throttle_status)
    if arguments.lose_next_order_reply:
        faults.lose_next_order_reply(arguments.lose_next_order_reply)
    await simulator.start()
    try:
        async with serving(simulator, arguments.host, arguments.port, arguments.log_level) as served:
            endpoints = served.endpoints
            print(f"Binance simulator on {endpoints.rest_url} (WS API {endpoints.ws_api_url}, "
                  f"streams {endpoints.stream_url}/ws), keys in {arguments.keys_file}", flush=True)
            await asyncio.shield(served.server_task)
    finally:
        await simulator.stop()


def with_command(argv: list[str]) -> list[str]:
    """``python -m numatix.sim --port 9100`` means ``serve --port 9100``."""
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        return ["serve", *argv]
    return list(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(with_command(list(sys.argv[1:] if argv is None else argv)))
    if arguments.command == "create-key":
        return create_key(arguments)
    logging.basicConfig(level=arguments.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(serve(arguments))
    except KeyboardInterrupt:
        pass
    return 0
