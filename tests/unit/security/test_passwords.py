import pytest
from passlib.hash import bcrypt

from numatix.security import passwords
from numatix.security.passwords import WeakPassword, check_password_strength, hash_password, verify_password


def test_hashes_are_argon2id_salted_and_verify():
    first, second = hash_password("violet-harbour-42"), hash_password("violet-harbour-42")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password("violet-harbour-42", first) == (True, None)
    assert verify_password("violet-harbour-43", first) == (False, None)


def test_a_bcrypt_hash_verifies_and_comes_back_as_argon2id():
    matches, replacement = verify_password("violet-harbour-42", bcrypt.hash("violet-harbour-42"))
    assert matches and replacement.startswith("$argon2id$")
    assert verify_password("violet-harbour-42", replacement) == (True, None)


def test_a_legacy_bcrypt_hash_of_a_long_password_still_verifies():
    long_password = "é" * 50  # 100 UTF-8 bytes: old bcrypt hashed the first 72, bcrypt 5 refuses more
    stored = bcrypt.using(rounds=4).hash(long_password.encode()[:72])
    matches, replacement = verify_password(long_password, stored)
    assert matches and verify_password(long_password, replacement) == (True, None)
    assert verify_password("é" * 35, stored) == (False, None)


def test_an_argon2_hash_with_weaker_parameters_is_replaced():
    from passlib.hash import argon2
    stored = argon2.using(type="ID", memory_cost=8192, time_cost=1, parallelism=1).hash("violet-harbour-42")
    matches, replacement = verify_password("violet-harbour-42", stored)
    assert matches and replacement is not None and "m=19456" in replacement


@pytest.mark.parametrize("stored", ["", "plain-text", "$argon2id$broken", "$2b$12$short"])
def test_a_malformed_hash_never_matches_and_never_raises(stored):
    assert verify_password("anything-at-all", stored) == (False, None)


@pytest.mark.parametrize("password, email, message", [
    ("short-pw1", None, "at least 10"),
    ("x" * 129, None, "at most 128"),
    ("Password123", None, "too common"),
    ("qwertyuiop", None, "too common"),
    ("QwErTyUiOp", None, "too common"),
    ("Alice.Smith@Example.com", "alice.smith@example.com", "email"),
    ("alice.smith", "alice.smith@example.com", "email"),
])
def test_weak_passwords_are_refused_with_a_reason(password, email, message):
    with pytest.raises(WeakPassword) as weak:
        check_password_strength(password, email)
    assert message in weak.value.message


def test_a_good_password_passes():
    check_password_strength("violet-harbour-42", "alice@example.com")


def test_an_unknown_email_costs_as_much_as_a_wrong_password(monkeypatch):
    """Checked by what is computed, not by the clock (timings flake on a busy machine):
    a full argon2id verification with the same parameters as real hashes."""
    verified = []
    real_verify = passwords._CONTEXT.verify
    monkeypatch.setattr(passwords._CONTEXT, "verify", lambda secret, hashed: verified.append(hashed) or
                        real_verify(secret, hashed))
    passwords.verify_against_nothing("wrong-password-1")
    [dummy] = verified
    real = hash_password("violet-harbour-42")
    assert dummy.startswith("$argon2id$") and dummy.split("$")[3] == real.split("$")[3]  # m=, t=, p= alike
