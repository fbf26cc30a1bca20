"""Stream names and payloads, the key file, the CLI's argument handling."""

import json
from decimal import Decimal

import pytest

from numatix.domain.credentials import SignatureKind
from numatix.domain.market import BookLevel, BookSnapshot
from numatix.sim.cli import create_key, parser, with_command
from numatix.sim.keys import KeyStore
from numatix.sim.quiet_feed import book_around
from numatix.sim.streams import (
    InvalidStream,
    book_ticker_event,
    depth_update_event,
    partial_depth_event,
    split_name,
)

SYMBOLS = ("BTCUSDT", "ETHUSDT")


@pytest.mark.parametrize("name", ["btcusdt@trade", "btcusdt@aggTrade", "ethusdt@kline_3m", "btcusdt@depth",
                                  "btcusdt@depth@100ms", "btcusdt@depth20@1000ms", "btcusdt@bookTicker",
                                  "btcusdt@ticker", "btcusdt@miniTicker"])
def test_binance_stream_names_are_understood(name: str) -> None:
    assert split_name(name, SYMBOLS)[0] in SYMBOLS


@pytest.mark.parametrize("name", ["BTCUSDT@trade", "dogeusdt@trade", "btcusdt@kline_7m", "btcusdt@depth7",
                                  "btcusdt", "btcusdt@trades"])
def test_other_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidStream):
        split_name(name, SYMBOLS)


def book(update_id: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> BookSnapshot:
    return BookSnapshot("BTCUSDT", update_id, 0, tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in bids),
                        tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in asks))


def test_depth_update_sends_changes_and_zeroes_removed_levels() -> None:
    before = book(10, [("100", "1"), ("99", "2")], [("101", "1")])
    after = book(12, [("100", "1"), ("98", "3")], [("101", "5")])
    event = depth_update_event(before, after, 7)
    assert (event["U"], event["u"]) == (11, 12)
    assert event["b"] == [["98.00000000", "3.00000000"], ["99.00000000", "0.00000000"]]
    assert event["a"] == [["101.00000000", "5.00000000"]]


def test_partial_depth_and_book_ticker_have_no_event_type() -> None:
    snapshot = book(3, [("100", "1"), ("99", "2")], [("101", "1")])
    assert partial_depth_event(snapshot, 5) == {"lastUpdateId": 3, "bids": [["100.00000000", "1.00000000"],
                                                                            ["99.00000000", "2.00000000"]],
                                                "asks": [["101.00000000", "1.00000000"]]}
    assert book_ticker_event(snapshot) == {"u": 3, "s": "BTCUSDT", "b": "100.00000000", "B": "1.00000000",
                                           "a": "101.00000000", "A": "1.00000000"}


def test_quiet_book_surrounds_the_print_on_ticks_and_steps() -> None:
    snapshot = book_around("BTCUSDT", Decimal("90000"), 1, 0)
    assert snapshot.bids[0].price == Decimal("89999.99") and snapshot.asks[0].price == Decimal("90000.01")
    assert len(snapshot.bids) == len(snapshot.asks) == 20
    assert all((level.quantity / Decimal("0.00001")) % 1 == 0 for level in snapshot.bids)


def test_keys_file_is_shared_between_stores_and_keeps_no_private_key(tmp_path) -> None:
    path = tmp_path / "keys.json"
    first, second = KeyStore(path), KeyStore(path)
    hmac_key = first.create(SignatureKind.HMAC_SHA256)
    ed_key = second.create(SignatureKind.ED25519)
    assert first.lookup(ed_key.key.api_key) == ed_key.key
    assert second.lookup(hmac_key.key.api_key).secret == hmac_key.secret
    assert {hmac_key.key.account, ed_key.key.account} == {1, 2}
    stored = path.read_text()
    assert "PRIVATE KEY" not in stored and json.loads(stored)["version"] == 1
    assert path.stat().st_mode & 0o077 == 0


def test_plain_invocation_serves() -> None:
    assert with_command(["--port", "9100"]) == ["serve", "--port", "9100"]
    assert with_command([]) == ["serve"]
    assert with_command(["create-key", "--kind", "ed25519"])[0] == "create-key"
    arguments = parser().parse_args(with_command(["--port", "9100", "--fail-next", "2"]))
    assert (arguments.command, arguments.port, arguments.fail_next) == ("serve", 9100, 2)


def test_create_key_prints_what_the_user_must_keep(tmp_path, capsys) -> None:
    path = tmp_path / "keys.json"
    create_key(parser().parse_args(["create-key", "--kind", "ed25519", "--keys-file", str(path)]))
    output = capsys.readouterr().out
    api_key = output.split("API key:")[1].split()[0]
    assert KeyStore(path).lookup(api_key).kind is SignatureKind.ED25519
    assert "-----BEGIN PRIVATE KEY-----" in output
