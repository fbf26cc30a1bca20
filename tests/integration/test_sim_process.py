"""``python -m numatix.sim`` as a real process: the CLI's keys, the server, the admin API."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal

from numatix.domain.credentials import ExchangeCredentials, SignatureKind
from numatix.sim.testing import SignedClient, SimulatorProcess

QTY = "0.00100000"


def cli_create_key(keys_file, kind: str) -> ExchangeCredentials:
    command = [sys.executable, "-m", "numatix.sim", "create-key", "--kind", kind,
               "--keys-file", str(keys_file)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    api_key = re.search(r"API key:\s+(\S+)", output).group(1)
    if kind == "ed25519":
        secret = re.search(r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----", output, re.S).group(0)
        return ExchangeCredentials(0, api_key, secret + "\n", SignatureKind.ED25519)
    return ExchangeCredentials(0, api_key, re.search(r"Secret key:\s+(\S+)", output).group(1))


async def test_served_process_trades_with_cli_and_admin_keys(tmp_path):
    keys_file = tmp_path / "keys.json"
    before_start = cli_create_key(keys_file, "hmac")
    small = ("--symbols", "BTCUSDT", "--history-days", "1")
    with SimulatorProcess(keys_file=keys_file, extra_args=small) as sim:
        while_running = cli_create_key(keys_file, "ed25519")  # the server re-reads the keys file
        from_admin = sim.create_key("hmac")
        for credentials in (before_start, while_running, from_admin):
            async with SignedClient(sim.rest_url, credentials) as client:
                account = await client.signed("GET", "account")
                assert account.status_code == 200, account.text

        async with SignedClient(sim.rest_url, from_admin) as client:
            last = Decimal((await client.public("GET", "ticker/price", symbol="BTCUSDT")).json()["price"])
            placed = (await client.signed("POST", "order", {
                "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": QTY,
                "price": str(last - 5)})).json()
            sim.push_trade("BTCUSDT", last - 6, "1")
            state = (await client.signed("GET", "order", {"symbol": "BTCUSDT",
                                                          "orderId": placed["orderId"]})).json()
            assert state["status"] == "FILLED"
            assert sim.account(from_admin.api_key)["orders"][0]["status"] == "FILLED"

            sim.set_faults(fail_next=1)
            assert (await client.public("GET", "ping")).status_code == 503
    assert sim.process.returncode is not None
