"""The test vectors from binance-spot.md §2, and Ed25519 round trips with our own keys."""

import pytest

from numatix.domain.credentials import ExchangeCredentials, SignatureKind
from numatix.exchange.binance.signing import (
    Ed25519Signer,
    HmacSigner,
    encode_params,
    new_ed25519_key_pair,
    rest_payload,
    signer_for,
    verify_ed25519,
    verify_hmac,
    ws_payload,
)

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
ORDER = [("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"), ("price", "0.1"),
         ("recvWindow", "5000"), ("timestamp", "1499827319559")]


def test_r1_query_or_body() -> None:
    payload = encode_params([("symbol", "LTCBTC"), *ORDER])
    assert HmacSigner(SECRET).sign(payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_r2_non_ascii_symbol_is_percent_encoded_before_signing() -> None:
    payload = encode_params([("symbol", "１２３４５６"), *ORDER])
    assert payload.startswith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY")
    assert HmacSigner(SECRET).sign(payload) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"


def test_r3_query_and_body_joined_without_separator() -> None:
    query = encode_params([("symbol", "LTCBTC"), *ORDER[:3]])
    body = encode_params(ORDER[3:])
    assert HmacSigner(SECRET).sign(rest_payload(query, body)) == (
        "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
    )


@pytest.mark.parametrize(
    ("symbol", "price", "quantity", "side", "recv_window", "expected"),
    [
        ("BTCUSDT", "52000.00", "0.01000000", "SELL", "100",
         "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"),
        ("１２３４５６", "0.10000000", "1.00000000", "BUY", "5000",
         "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"),
    ],
)
def test_ws_api_vectors(symbol, price, quantity, side, recv_window, expected) -> None:
    params = {"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": quantity,
              "price": price, "recvWindow": recv_window, "timestamp": "1645423376532", "apiKey": API_KEY,
              "signature": "ignored"}
    assert HmacSigner(SECRET).sign(ws_payload(params)) == expected


def test_hmac_verification_ignores_case_and_refuses_tampering() -> None:
    signature = HmacSigner(SECRET).sign("a=1")
    assert verify_hmac(SECRET, "a=1", signature.upper())
    assert not verify_hmac(SECRET, "a=2", signature)


def test_ed25519_round_trip_and_tamper() -> None:
    private_pem, public_pem = new_ed25519_key_pair()
    signer = signer_for(ExchangeCredentials(1, "key", private_pem, SignatureKind.ED25519))
    assert isinstance(signer, Ed25519Signer)
    signature = signer.sign("symbol=BTCUSDT&timestamp=1")
    assert len(signature) == 88  # not the RSA-length example of the docs
    assert verify_ed25519(public_pem, "symbol=BTCUSDT&timestamp=1", signature)
    assert not verify_ed25519(public_pem, "symbol=BTCUSDT&timestamp=2", signature)
    assert not verify_ed25519(public_pem, "symbol=BTCUSDT&timestamp=1", "not base64!")


def test_ed25519_signature_is_percent_encoded_in_a_query() -> None:
    assert encode_params([("signature", "a+b/c=")]) == "signature=a%2Bb%2Fc%3D"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        encode_params([("quantity", 0.1)])
