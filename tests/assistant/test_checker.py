"""The message check ("Kiểm tra tin nhắn"): warning signs found, explained, and shown escaped."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hocvuso.assistant.checker import MESSAGE_MAX_LENGTH, check_message

FAKE_VNEID = (
    "[BO CONG AN] Tai khoan dinh danh VNeID cua ban se bi KHOA trong 24h do chua cap nhat muc 2. "
    "Truy cap ngay https://vneid-gov.vn.capnhat-muc2.com/xac-thuc va nhap ma OTP de giu tai khoan."
)


def codes(text: str) -> set[str]:
    return {sign.code for sign in check_message(text).signs}


@pytest.mark.parametrize(
    ("link", "imitated"),
    [
        ("https://vneid-gov.vn.capnhat-muc2.com/x", "vneid.gov.vn"),
        ("http://dichvucong-gov.com/login", "dichvucong.gov.vn"),
        ("chinhphu.com.vn/ho-tro", "chinhphu.vn"),
        ("https://vietc0mbank-xacthuc.net", "vietcombank.com.vn"),
        ("https://vnеid.gov.vn.top/", "vneid.gov.vn"),  # the "е" is Cyrillic
        ("https://agribank.com.vn.khoa-tk.info", "agribank.com.vn"),
    ],
)
def test_a_link_imitating_an_official_site_is_named_with_the_real_one(link, imitated):
    signs = check_message(f"Vui lòng truy cập {link} để xác minh.").signs
    lookalike = [sign for sign in signs if sign.code == "lookalike"]
    assert lookalike, signs
    assert imitated in lookalike[0].explanation


@pytest.mark.parametrize(
    "text",
    [
        "Đăng nhập https://dichvucong.gov.vn bằng tài khoản VNeID.",
        "Tải ứng dụng tại vneid.gov.vn hoặc xem chinhphu.vn",
        "Ngân hàng thông báo: xem tại https://www.vietcombank.com.vn/vi-VN",
    ],
)
def test_an_official_link_alone_is_not_a_warning_sign(text):
    result = check_message(text)
    assert not {"lookalike", "unknown_link", "ip_link", "shortener"} & codes(text)
    assert result.level != "high"


def test_ip_links_and_shorteners_hide_where_they_go():
    assert "ip_link" in codes("Nhận quà tại http://103.77.12.9/nhanqua")
    assert "shortener" in codes("Xem chi tiết bit.ly/3xVneid")


def test_a_fake_vneid_message_shows_every_sign_it_has():
    result = check_message(FAKE_VNEID)
    found = {sign.code for sign in result.signs}
    assert {"lookalike", "otp", "threat", "urgency", "authority"} <= found
    assert result.level == "high"
    assert any("OTP" in item for item in result.advice)
    assert any("156" in item for item in result.advice)


def test_a_hacked_friend_asking_for_money_is_flagged():
    text = "Em đang kẹt chút việc, chuyển gấp cho chị 5 triệu vào số tài khoản này nhé, tối chị trả"
    result = check_message(text)
    assert "money" in {sign.code for sign in result.signs}
    assert any("gọi lại" in item for item in result.advice)


def test_job_and_prize_offers_are_flagged():
    assert "job" in codes("Tuyển CTV làm nhiệm vụ thả tim, hoa hồng 30%, việc nhẹ lương cao")
    assert "prize" in codes("Chúc mừng quý khách trúng thưởng xe SH trong chương trình tri ân")


def test_an_ordinary_message_has_no_sign():
    result = check_message("Chiều nay 3 giờ họp thôn ở nhà văn hoá, bà con nhớ đến đông đủ nhé.")
    assert result.signs == []
    assert result.level == "none"


def test_empty_and_overlong_messages_are_refused_in_vietnamese():
    with pytest.raises(ValidationError, match="Hãy dán nội dung"):
        check_message("   ")
    with pytest.raises(ValidationError, match="5000 ký tự"):
        check_message("a" * (MESSAGE_MAX_LENGTH + 1))


def test_the_page_shows_the_signs_with_the_message_escaped(client):
    payload = FAKE_VNEID + ' <script>alert("x")</script>'
    response = client.post(reverse("assistant:check_message"), {"message": payload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Rất có thể là lừa đảo" in content
    assert "Tên miền giả mạo trang chính thức" in content
    assert "vneid.gov.vn" in content
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


def test_the_page_refuses_a_long_paste_with_a_message(client):
    response = client.post(reverse("assistant:check_message"), {"message": "a " * 4000})
    assert response.status_code == 422
    assert "Tin nhắn dài quá 5000 ký tự" in response.content.decode()


def test_a_paste_of_megabytes_gets_a_message_not_an_error_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post(reverse("assistant:check_message"), {"message": "x" * 3_000_000})
    assert response.status_code == 413
    assert "Nội dung dán vào quá lớn" in response.content.decode()


def test_the_page_still_checks_the_csrf_token(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("assistant:check_message"), {"message": "otp"})
    assert response.status_code == 403


def test_the_api_answers_signs_as_json(client):
    response = client.post(
        "/api/v1/assistant/check-message", {"message": FAKE_VNEID}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "high"
    assert "vneid-gov.vn.capnhat-muc2.com" in body["links"]
    too_long = client.post(
        "/api/v1/assistant/check-message",
        {"message": "a" * (MESSAGE_MAX_LENGTH + 1)},
        content_type="application/json",
    )
    assert too_long.status_code == 413


def test_abbreviations_with_dots_are_not_taken_for_links():
    text = "Họp tại UBND P.Đống Đa, Q.1 TP.HCM lúc 8h, mang theo CCCD bản gốc v.v."
    assert check_message(text).links == []
