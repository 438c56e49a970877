"""Editors manage the FAQ and the scam feed in the staff pages; the home page shows the feed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.assistant.index import Kind, search
from hocvuso.assistant.models import Faq, ScamPattern
from hocvuso.assistant.services import install_starter_help

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user, area):
    return make_user(Role.CONTENT_EDITOR, area("VN"))


def test_the_starter_content_is_real_and_installs_once():
    first = install_starter_help()
    assert first.scams_created >= 8
    assert first.faqs_created >= 15
    again = install_starter_help()
    assert (again.scams_created, again.faqs_created) == (0, 0)
    titles = " ".join(ScamPattern.objects.values_list("title", flat=True))
    for words in (
        "công an",
        "OTP",
        "Dịch vụ công",
        "tiền ảo",
        "Việc nhẹ lương cao",
        "trúng thưởng",
    ):
        assert words.casefold() in titles.casefold()


def test_an_editor_adds_a_scam_pattern_and_the_home_page_shows_it(client, editor):
    client.force_login(editor)
    assert client.get(reverse("assistant:staff")).status_code == 200
    response = client.post(
        reverse("assistant:scam_create"),
        {
            "title": "Giả nhân viên y tế gọi báo con cấp cứu",
            "signs": "Gọi báo người thân đang cấp cứu, đòi chuyển tiền viện phí ngay.",
            "advice": "Gọi lại người thân hoặc nhà trường trước khi làm gì.",
            "keywords": "cấp cứu, viện phí",
            "key": "gia-nhan-vien-y-te",
            "position": 0,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    assert ScamPattern.objects.get().updated_by == editor
    client.logout()
    home = client.get(reverse("portal:home")).content.decode()
    assert "Giả nhân viên y tế gọi báo con cấp cứu" in home
    assert reverse("assistant:check_message") in home


def test_a_hidden_pattern_leaves_the_home_page(client, editor):
    install_starter_help()
    pattern = ScamPattern.objects.order_by("position").first()
    client.force_login(editor)
    form = {
        "title": pattern.title,
        "signs": pattern.signs,
        "advice": pattern.advice,
        "keywords": pattern.keywords,
        "key": pattern.key,
        "position": pattern.position,
    }
    client.post(reverse("assistant:scam_edit", args=[pattern.pk]), form)
    client.logout()
    assert pattern.title not in client.get(reverse("portal:home")).content.decode()


def test_an_faq_entry_is_searchable_as_soon_as_it_is_saved(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("assistant:faq_create"),
        {
            "question": "Làm sao đổi ảnh đại diện Zalo?",
            "answer": "Mở Zalo, chạm Cá nhân, chạm ảnh đại diện rồi chọn ảnh mới.",
            "keywords": "avatar",
            "key": "zalo-anh-dai-dien",
            "position": 1,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    hits = search("doi anh dai dien zalo", kinds=(Kind.FAQ,))
    assert hits[0].entry.title == "Làm sao đổi ảnh đại diện Zalo?"
    assert Faq.objects.get().updated_by == editor


def test_an_faq_without_an_answer_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("assistant:faq_create"),
        {"question": "Câu hỏi?", "answer": "", "key": "cau-hoi", "position": 1},
    )
    assert response.status_code == 200
    assert not Faq.objects.exists()


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.COMMUNE_OFFICER, Role.LEARNER])
def test_only_national_editors_manage_help_content(client, make_user, dong_cuong, role):
    client.force_login(make_user(role, dong_cuong))
    assert client.get(reverse("assistant:staff")).status_code == 403
    assert client.post(reverse("assistant:faq_create"), {"question": "x"}).status_code == 403
    assert not Faq.objects.exists()


def test_a_province_content_editor_cannot_edit_the_national_feed(client, make_user, area):
    client.force_login(make_user(Role.CONTENT_EDITOR, area("15")))
    assert client.get(reverse("assistant:staff")).status_code == 403


def test_the_install_command_adds_the_starter_content_once():
    out = StringIO()
    call_command("install_help_content", stdout=out)
    assert "17 câu hỏi thường gặp, 10 cảnh báo lừa đảo mới." in out.getvalue()
    call_command("install_help_content", stdout=out)
    assert "0 câu hỏi thường gặp, 0 cảnh báo lừa đảo mới." in out.getvalue()
