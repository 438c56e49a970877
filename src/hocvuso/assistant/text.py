"""Vietnamese text as people type it on a phone: diacritics or none, abbreviations, one case.

"Cách kích hoạt VNeID mức 2" and "cach kich hoat vneid muc 2" normalise to the same tokens, so the
search index and the questions meet whatever the keyboard did.
"""

import itertools
import re
import unicodedata

# Typed shorthands, by their normalised spelling (ASCII, no diacritics: "đk" arrives as "dk"),
# to the words they stand for.
ABBREVIATIONS: dict[str, str] = {
    "dvc": "dịch vụ công",
    "dvcqg": "dịch vụ công quốc gia",
    "tk": "tài khoản",
    "tkhoan": "tài khoản",
    "acc": "tài khoản",
    "ck": "chuyển khoản",
    "dt": "điện thoại",
    "dthoai": "điện thoại",
    "sdt": "số điện thoại",
    "nh": "ngân hàng",
    "mk": "mật khẩu",
    "pass": "mật khẩu",
    "password": "mật khẩu",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân căn cước",
    "dddt": "định danh điện tử",
    "bhyt": "bảo hiểm y tế",
    "gplx": "giấy phép lái xe",
    "fb": "facebook",
    "app": "ứng dụng",
    "ud": "ứng dụng",
    "k": "không",
    "ko": "không",
    "kh": "không",
    "hok": "không",
    "dc": "được",
    "ntn": "như thế nào",
    "j": "gì",
    "bn": "bao nhiêu",
    "vs": "với",
    "ng": "người",
    "mn": "mọi người",
    "lv2": "mức 2",
    "vnid": "vneid",
    "vneid2": "vneid mức 2",
    "dk": "đăng ký",
    "dky": "đăng ký",
    "dn": "đăng nhập",
    "hs": "hồ sơ",
    "tt": "thanh toán",
}

_TOKEN = re.compile(r"[0-9a-z]+")
_D = str.maketrans({"đ": "d", "Đ": "d"})


def strip_diacritics(text: str) -> str:
    """Lowercase ASCII letters for Vietnamese text: "Đăng ký" → "dang ky"."""
    text = unicodedata.normalize("NFD", text.translate(_D))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()


def raw_tokens(text: str) -> list[str]:
    """The words of a text, without diacritics, before abbreviations are expanded."""
    return _TOKEN.findall(strip_diacritics(text))


def _expanded(token: str) -> list[str]:
    full = ABBREVIATIONS.get(token)
    return raw_tokens(full) if full else [token]


def tokens(text: str) -> list[str]:
    """The normalised words of a text, abbreviations expanded: "cách đổi mk" → cach doi mat khau."""
    words: list[str] = []
    for token in raw_tokens(text):
        words.extend(_expanded(token))
    return words


def bigrams(words: list[str]) -> list[str]:
    """Adjacent pairs, joined by "_": Vietnamese meaning sits in two-syllable words (mat_khau)."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(words)]
