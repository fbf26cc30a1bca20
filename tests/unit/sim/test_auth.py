"""API key, signature and timestamp checks, against Binance's published test vectors."""

import pytest

from numatix.domain.credentials import ExchangeCredentials, SignatureKind
from numatix.exchange.binance.signing import encode_params, signer_for, ws_payload
from numatix.sim.auth import Authenticator, rest_signed_payload, without_signature
from numatix.sim.errors import SimError
from numatix.sim.keys import KeyStore, SimKey
from numatix.sim.params import Params

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
R1 = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
      "&timestamp=1499827319559")
R1_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
R3_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
R3_BODY = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
R3_SIGNATURE = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
W1 = {"apiKey": API_KEY, "price": "52000.00", "quantity": "0.01000000", "recvWindow": "100", "side": "SELL",
      "symbol": "BTCUSDT", "timeInForce": "GTC", "timestamp": "1645423376532", "type": "LIMIT"}
W1_SIGNATURE = "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"


def authenticator(now_ms: int) -> tuple[Authenticator, SimKey]:
    keys = KeyStore()
    key = SimKey(API_KEY, SignatureKind.HMAC_SHA256, 1, secret=SECRET)
    keys.add(key)
    return Authenticator(keys, lambda: now_ms), key


def check(auth: Authenticator, key: SimKey, query: str, body: str = "") -> None:
    auth.check_rest(key, Params.from_wire(query, body), query, body)


@pytest.mark.parametrize("where", ["query", "body"])
def test_r1_is_accepted_in_the_query_or_the_body(where: str) -> None:
    auth, key = authenticator(1499827319559 + 100)
    signed = f"{R1}&signature={R1_SIGNATURE}"
    check(auth, key, signed if where == "query" else "", signed if where == "body" else "")


def test_r3_signs_query_and_body_joined_without_separator() -> None:
    auth, key = authenticator(1499827319559)
    check(auth, key, R3_QUERY, f"{R3_BODY}&signature={R3_SIGNATURE}")
    assert rest_signed_payload(R3_QUERY, f"{R3_BODY}&signature=x") == R3_QUERY + R3_BODY


def test_hmac_signatures_compare_case_insensitively() -> None:
    auth, key = authenticator(1499827319559)
    check(auth, key, f"{R1}&signature={R1_SIGNATURE.upper()}")


def test_a_changed_parameter_is_1022() -> None:
    auth, key = authenticator(1499827319559)
    with pytest.raises(SimError) as raised:
        check(auth, key, f"{R1.replace('price=0.1', 'price=0.2')}&signature={R1_SIGNATURE}")
    assert raised.value.body() == {"code": -1022, "msg": "Signature for this request is not valid."}


@pytest.mark.parametrize(("now_offset", "message"), [
    (5001, "Timestamp for this request is outside of the recvWindow."),
    (-1000, "Timestamp for this request was 1000ms ahead of the server's time."),
])
def test_timestamps_outside_the_window_are_1021(now_offset: int, message: str) -> None:
    auth, key = authenticator(1499827319559 + now_offset)
    with pytest.raises(SimError) as raised:
        check(auth, key, f"{R1}&signature={R1_SIGNATURE}")
    assert (raised.value.code, raised.value.message) == (-1021, message)


def test_edges_of_the_window_pass() -> None:
    for now in (1499827319559 + 5000, 1499827319559 - 999):
        auth, key = authenticator(now)
        check(auth, key, f"{R1}&signature={R1_SIGNATURE}")


def test_microsecond_timestamps_and_fractional_windows() -> None:
    auth, _ = authenticator(1499827319559)
    auth.check_timestamp(Params({"timestamp": "1499827319559000", "recvWindow": "0.5"}))
    with pytest.raises(SimError) as too_wide:
        auth.check_timestamp(Params({"timestamp": "1499827319559", "recvWindow": "60001"}))
    assert too_wide.value.code == -1130


def test_keys_missing_malformed_or_unknown_are_401() -> None:
    auth, _ = authenticator(0)
    for given, code in ((None, -2014), ("short", -2014), ("B" * 64, -2015)):
        with pytest.raises(SimError) as raised:
            auth.key(given)
        assert (raised.value.code, raised.value.status) == (code, 401)


def test_missing_signature_is_1102() -> None:
    auth, key = authenticator(1499827319559)
    with pytest.raises(SimError) as raised:
        check(auth, key, R1)
    assert raised.value.message == ("Mandatory parameter 'signature' was not sent, "
                                    "was empty/null, or malformed.")


def test_websocket_api_w1_vector() -> None:
    auth, _ = authenticator(1645423376532)
    params = Params({**W1, "signature": W1_SIGNATURE})
    assert auth.check_ws(params, params).api_key == API_KEY


def test_ed25519_keys_verify_percent_encoded_rest_signatures() -> None:
    keys = KeyStore()
    made = keys.create(SignatureKind.ED25519)
    auth = Authenticator(keys, lambda: 1_700_000_000_000)
    credentials = ExchangeCredentials(1, made.key.api_key, made.secret, SignatureKind.ED25519)
    query = encode_params([("symbol", "BTCUSDT"), ("timestamp", 1_700_000_000_000)])
    signature = signer_for(credentials).sign(query)
    signed = query + "&" + encode_params([("signature", signature)])
    auth.check_rest(made.key, Params.from_wire(signed), signed, "")
    ws = {"apiKey": made.key.api_key, "timestamp": "1700000000000"}
    ws_params = Params({**ws, "signature": signer_for(credentials).sign(ws_payload(ws))})
    assert auth.check_ws(ws_params, ws_params) == made.key


def test_without_signature_keeps_the_rest_verbatim() -> None:
    assert without_signature("a=1&signature=xx&b=%2F") == ("a=1&b=%2F", True)
    assert without_signature("a=1") == ("a=1", False)
