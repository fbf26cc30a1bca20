import pytest

from numatix.security.vault import Vault, VaultError, derive_key, key_id

OLD, NEW = "o" * 48, "n" * 48


def test_round_trip_with_a_fresh_nonce_each_time():
    vault = Vault.from_secrets(NEW)
    first, second = vault.encrypt("api-secret", 7, "secret"), vault.encrypt("api-secret", 7, "secret")
    assert first != second and "api-secret" not in first
    assert vault.decrypt(first, 7, "secret") == vault.decrypt(second, 7, "secret") == "api-secret"
    assert Vault.key_id_of(first) == vault.current_key_id == key_id(derive_key(NEW))


@pytest.mark.parametrize("user_id, field", [(8, "secret"), (7, "api_key")])
def test_a_secret_opens_only_for_its_owner_and_field(user_id, field):
    vault = Vault.from_secrets(NEW)
    with pytest.raises(VaultError):
        vault.decrypt(vault.encrypt("api-secret", 7, "secret"), user_id, field)


def test_tampered_or_foreign_text_fails():
    vault = Vault.from_secrets(NEW)
    sealed = vault.encrypt("api-secret", 7, "secret")
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    for bad in (flipped, "v1:" + "0" * 16 + ":" + sealed.split(":")[2], "plain", "v2:x:y"):
        with pytest.raises(VaultError):
            vault.decrypt(bad, 7, "secret")


def test_rotation_keeps_old_secrets_readable_and_reseals_them_under_the_new_key():
    old_vault = Vault.from_secrets(OLD)
    sealed = old_vault.encrypt("api-secret", 7, "secret")
    rotated = Vault.from_secrets(NEW, [OLD])
    assert rotated.needs_rotation(sealed) and rotated.decrypt(sealed, 7, "secret") == "api-secret"
    resealed = rotated.reseal(sealed, 7, "secret")
    assert not rotated.needs_rotation(resealed)
    assert Vault.from_secrets(NEW).decrypt(resealed, 7, "secret") == "api-secret"
    with pytest.raises(VaultError):
        Vault.from_secrets(NEW).decrypt(sealed, 7, "secret")  # the old key is gone


def test_keys_are_derived_to_32_bytes_and_identified_without_being_revealed():
    key = derive_key(NEW)
    assert len(key) == 32 and key != derive_key(OLD) and key == derive_key(NEW)
    assert len(key_id(key)) == 16 and int(key_id(key), 16) >= 0 and key.hex()[:16] != key_id(key)
    with pytest.raises(VaultError):
        Vault(b"too-short")
