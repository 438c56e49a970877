from cryptography.fernet import Fernet
from django.db import connection

from hocvuso.people import crypto
from hocvuso.people.crypto import (
    citizen_id_hash,
    decrypt_citizen_id,
    encrypt_citizen_id,
    mask_citizen_id,
)
from hocvuso.people.models import Resident


def test_the_hash_is_stable_and_differs_between_numbers():
    assert citizen_id_hash("010068123456") == citizen_id_hash("010068123456")
    assert citizen_id_hash("010068123456") != citizen_id_hash("010068123457")


def test_encryption_round_trips_with_a_fresh_nonce_each_time():
    first = encrypt_citizen_id("010068123456")
    second = encrypt_citizen_id("010068123456")
    assert first != second
    assert decrypt_citizen_id(first) == decrypt_citizen_id(second) == "010068123456"


def test_a_number_encrypted_with_fernet_before_the_switch_still_decrypts():
    token = crypto._fernet().encrypt(b"010068123456").decode()
    assert decrypt_citizen_id(token) == "010068123456"


def test_a_token_made_with_another_key_is_refused(settings):
    token = encrypt_citizen_id("010068123456")
    settings.PERSONAL_DATA_KEY = Fernet.generate_key().decode()
    try:
        decrypt_citizen_id(token)
    except crypto.CitizenIdError:
        pass
    else:
        raise AssertionError("a token of another key must not decrypt")


def test_only_the_last_three_digits_show():
    assert mask_citizen_id("010068123456") == "*********456"


def test_the_twelve_digits_appear_in_no_column_of_the_stored_row(resident):
    table = Resident._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [resident.pk])
        row = cursor.fetchone()
    assert row is not None
    assert all("010068123456" not in str(value) for value in row)
    stored = Resident.objects.get(pk=resident.pk)
    assert decrypt_citizen_id(stored.citizen_id_encrypted) == "010068123456"
    assert stored.citizen_id_hash == citizen_id_hash("010068123456")
