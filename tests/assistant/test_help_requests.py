"""A request for a guide ("Tôi cần người hướng dẫn") reaches the team of the village, only it."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.assistant.models import HelpRequest
from hocvuso.assistant.services import close_help_request, create_help_request
from hocvuso.field.models import Visit
from hocvuso.people.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def villages(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương"), make_village(dong_cuong, "Thôn Khe Dòng")


@pytest.fixture
def learner(make_user, villages):
    return make_user(Role.LEARNER, villages[0], home_area=villages[0], full_name="Hoàng Thị Lan")


def test_a_learner_asks_and_the_team_of_their_village_sees_it(client, learner, make_user, villages):
    client.force_login(learner)
    response = client.post(
        reverse("assistant:help_request_new"),
        {"question": "Nhập mã kích hoạt VNeID báo sai", "village": villages[0].code, "send": "1"},
    )
    assert response.status_code == 200
    assert "Tổ công nghệ số cộng đồng Thôn Sài Lương đã nhận" in response.content.decode()
    help_request = HelpRequest.objects.get()
    assert help_request.learner == learner
    assert help_request.village == villages[0]
    assert help_request.status == HelpRequest.Status.OPEN

    member = make_user(Role.TEAM_MEMBER, villages[0])
    client.force_login(member)
    page = client.get(reverse("assistant:help_requests", args=[villages[0].code]))
    assert page.status_code == 200
    assert "Nhập mã kích hoạt VNeID báo sai" in page.content.decode()
    assert "Hoàng Thị Lan" in page.content.decode()
    detail = client.get(reverse("assistant:help_request_detail", args=[help_request.pk]))
    assert detail.status_code == 200
    # Both pages show who asked: each view is in the personal-data audit log.
    assert list(
        PersonalDataAccess.objects.filter(user_id=member.pk)
        .values_list("what", "subject_count")
        .order_by("id")
    ) == [("assistant:help_requests", 1), ("assistant:help_request_detail", 0)]


def test_the_team_of_another_village_neither_lists_nor_opens_it(
    client, learner, make_user, villages
):
    help_request = create_help_request(question="Cần giúp cài Zalo", learner=learner)
    other = make_user(Role.TEAM_LEADER, villages[1])
    client.force_login(other)
    assert (
        client.get(reverse("assistant:help_requests", args=[villages[0].code])).status_code == 403
    )
    listed = client.get(reverse("assistant:help_requests", args=[villages[1].code]))
    assert "Cần giúp cài Zalo" not in listed.content.decode()
    detail = reverse("assistant:help_request_detail", args=[help_request.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"note": "x"}).status_code == 404
    client.force_login(learner)
    assert client.get(detail).status_code == 404


def test_the_commune_officer_sees_the_requests_of_every_village(
    client, learner, make_user, dong_cuong
):
    create_help_request(question="Cần giúp cài Zalo", learner=learner)
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    client.force_login(officer)
    page = client.get(reverse("assistant:help_requests", args=[dong_cuong.code]))
    assert "Cần giúp cài Zalo" in page.content.decode()


def test_the_team_closes_a_request_after_its_visit(client, learner, make_user, villages):
    help_request = create_help_request(question="Cần giúp cài VNeID", learner=learner)
    member = make_user(Role.TEAM_MEMBER, villages[0])
    visit = Visit.objects.create(
        client_id=uuid.uuid4(),
        area=villages[0],
        recorded_by=member,
        visited_on=datetime.date(2025, 11, 20),
        channel="home",
    )
    client.force_login(member)
    url = reverse("assistant:help_request_detail", args=[help_request.pk])
    assert str(visit.pk) in client.get(url).content.decode()
    response = client.post(url, {"note": "Đã kích hoạt xong", "visit": str(visit.pk)})
    assert response.status_code == 302
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.CLOSED
    assert help_request.closed_by == member
    assert help_request.visit == visit
    assert help_request.closing_note == "Đã kích hoạt xong"
    with pytest.raises(ValidationError, match="đã được đóng"):
        close_help_request(help_request=help_request, closed_by=member)


def test_a_visit_of_another_village_cannot_close_the_request(learner, make_user, villages):
    help_request = create_help_request(question="Cần giúp", learner=learner)
    leader = make_user(Role.COMMUNE_OFFICER, villages[0].parent)
    elsewhere = Visit.objects.create(
        client_id=uuid.uuid4(),
        area=villages[1],
        recorded_by=leader,
        visited_on=datetime.date(2025, 11, 20),
        channel="home",
    )
    with pytest.raises(ValidationError, match="không thuộc thôn"):
        close_help_request(help_request=help_request, closed_by=leader, visit=elsewhere)
    stranger = make_user(Role.TEAM_MEMBER, villages[1])
    with pytest.raises(PermissionDenied):
        close_help_request(help_request=help_request, closed_by=stranger)
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.OPEN


def test_a_person_without_an_account_leaves_a_phone_with_consent(client, make_user, villages):
    url = reverse("assistant:help_request_new")
    first = client.get(url, {"question": "Cần giúp", "xa": "dong cuong"})
    content = first.content.decode()
    assert "Thôn Sài Lương" in content
    assert "Đăng nhập" in content
    form = {"question": "Cần giúp đăng nhập dịch vụ công", "village": villages[1].code, "send": "1"}
    no_phone = client.post(url, {**form, "xa": "04399"})
    assert no_phone.status_code == 422
    assert "số điện thoại" in no_phone.content.decode()
    no_consent = client.post(url, {**form, "contact_phone": "0912 345 678"})
    assert no_consent.status_code == 422
    assert "Hãy đồng ý" in no_consent.content.decode()
    assert not HelpRequest.objects.exists()
    sent = client.post(url, {**form, "contact_phone": "0912 345 678", "consent": "on"})
    assert sent.status_code == 200
    help_request = HelpRequest.objects.get()
    assert help_request.learner is None
    assert help_request.contact_phone == "0912345678"
    assert help_request.consent_at is not None
    assert help_request.village == villages[1]
    # The number was given for this request only: it goes once the team has helped.
    member = make_user(Role.TEAM_MEMBER, villages[1])
    close_help_request(help_request=help_request, closed_by=member, note="Đã gọi lại")
    help_request.refresh_from_db()
    assert help_request.contact_phone == ""


def test_a_learner_without_a_home_village_chooses_one(make_user, villages):
    user = make_user(Role.LEARNER, villages[0].parent)
    with pytest.raises(ValidationError, match="Hãy chọn thôn"):
        create_help_request(question="Cần giúp", learner=user)
    made = create_help_request(question="Cần giúp", learner=user, village=villages[1])
    assert made.village == villages[1]


def test_the_question_is_shown_to_the_team_escaped(client, learner, make_user, villages):
    create_help_request(question='<script>alert("x")</script>', learner=learner)
    client.force_login(make_user(Role.TEAM_MEMBER, villages[0]))
    content = client.get(reverse("assistant:help_requests", args=[villages[0].code])).content
    assert b"<script>alert" not in content
    assert b"&lt;script&gt;" in content


def test_the_team_finds_its_requests_in_the_navigation(client, make_user, villages):
    client.force_login(make_user(Role.TEAM_MEMBER, villages[0]))
    content = client.get(reverse("portal:home")).content.decode()
    assert reverse("assistant:help_requests", args=[villages[0].code]) in content
