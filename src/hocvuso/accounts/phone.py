"""Vietnamese mobile numbers."""

import re

_DIGITS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"^0[35789]\d{8}$")


def normalise_phone(raw: str) -> str:
    """The 10-digit national form ("0912345678") of a mobile number, or "" when it is not one.

    >>> normalise_phone("+84 912 345 678")
    '0912345678'
    """
    digits = _DIGITS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _PHONE.match(digits) else ""


def mask_phone(phone: str) -> str:
    """The number with every digit hidden except the last three, for showing on screen.

    >>> mask_phone("0912345678")
    '*******678'
    """
    if not phone:
        return ""
    return "*" * max(len(phone) - 3, 0) + phone[-3:]
