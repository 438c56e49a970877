import pytest

from hocvuso.accounts.phone import mask_phone, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "0912.345.678",
        "091-234-5678",
    ],
)
def test_usual_spellings_of_a_mobile_number_normalise_to_the_national_form(raw):
    assert normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize(
    "raw", ["", "   ", "12345", "0212345678", "091234567", "09123456789", "abc"]
)
def test_text_that_is_not_a_mobile_number_normalises_to_empty(raw):
    assert normalise_phone(raw) == ""


def test_masked_phone_shows_only_the_last_three_digits():
    assert mask_phone("0912345678") == "*******678"
    assert mask_phone("") == ""
