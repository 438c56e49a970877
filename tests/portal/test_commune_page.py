"""A commune's public page: its news column, what is coming, team contacts, aggregates only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.field.models import Class, Event, LearningSite
from hocvuso.field.services.teams import save_team
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import record_milestone, register_household, register_resident
from hocvuso.portal.models import NewsArticle
from hocvuso.portal.services import create_article

TODAY = datetime.date.today()


@pytest.fixture
def village(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Phạm Thị Hồng")


@pytest.fixture
def residents(village, officer):
    """Seven residents: six with a smartphone, three with VNeID installed."""
    household = register_household(village=village, head_name="Hoàng Văn Páo", created_by=officer)
    people = [
        register_resident(
            village=village,
            household=household,
            full_name=f"Hoàng Thị Bí Mật {n}",
            phone=f"091234567{n}",
            created_by=officer,
        )
        for n in range(7)
    ]
    for n, person in enumerate(people):
        codes = ["has_smartphone"] if n < 6 else []
        codes += ["vneid_installed"] if n < 3 else []
        for code in codes:
            record_milestone(
                resident=person,
                milestone=code,
                achieved_on=TODAY,
                method=MilestoneEvent.Method.VISIT,
                recorded_by=officer,
            )
    return people


def commune_page(client, commune):
    return client.get(reverse("portal:commune", args=[commune.code]))


def test_headline_progress_shows_aggregates_and_hides_counts_below_five(
    client, dong_cuong, residents
):
    response = commune_page(client, dong_cuong)
    assert response.status_code == 200
    figures = {f.label: f.shown for f in response.context["figures"]}
    assert figures["Có điện thoại thông minh"] == "6"
    assert figures["Đã cài VNeID"] == "<5"
    assert figures["Đã kích hoạt định danh điện tử mức 2"] == "<5"
    assert response.context["registered"].shown == "7"
    html = response.content.decode()
    assert "&lt;5" in html
    assert "86%" in html  # 6 of 7


def test_the_public_page_shows_no_personal_data(client, dong_cuong, residents):
    html = commune_page(client, dong_cuong).content.decode()
    for person in residents:
        assert person.full_name not in html
        assert person.phone not in html
    assert "Hoàng Văn Páo" not in html


def test_news_column_lists_published_articles_only(client, dong_cuong, officer):
    create_article(
        commune=dong_cuong,
        author=officer,
        title="Ra quân Bình dân học vụ số",
        body="Ngày **20/9** các tổ ra quân.\n\n<script>alert(1)</script>",
        publish=True,
    )
    draft = create_article(
        commune=dong_cuong, author=officer, title="Bản nháp kế hoạch", body="…", publish=False
    )
    response = commune_page(client, dong_cuong)
    html = response.content.decode()
    assert "Bình dân học vụ số – Diệt giặc mù số" in html
    assert "Ra quân Bình dân học vụ số" in html
    assert "Bản nháp kế hoạch" not in html
    article = NewsArticle.objects.get(title="Ra quân Bình dân học vụ số")
    shown = client.get(reverse("portal:article", args=[dong_cuong.code, article.pk]))
    assert "<strong>20/9</strong>" in shown.content.decode()
    assert "<script>" not in shown.content.decode()
    assert (
        client.get(reverse("portal:article", args=[dong_cuong.code, draft.pk])).status_code == 404
    )


def test_an_officer_writes_then_publishes_an_article(client, dong_cuong, officer):
    client.force_login(officer)
    url = reverse("portal:article_create", args=[dong_cuong.code])
    response = client.post(url, {"title": "Lịch lớp VNeID tháng 10", "body": "Nội dung."})
    article = NewsArticle.objects.get()
    assert response.status_code == 302
    assert not article.is_published
    assert (
        client.get(reverse("portal:article", args=[dong_cuong.code, article.pk])).status_code == 200
    )

    edit = reverse("portal:article_edit", args=[dong_cuong.code, article.pk])
    client.post(edit, {"title": "Lịch lớp VNeID tháng 10", "body": "Đã chốt.", "publish": "on"})
    article.refresh_from_db()
    assert article.is_published and article.body == "Đã chốt."
    client.logout()
    assert "Lịch lớp VNeID tháng 10" in commune_page(client, dong_cuong).content.decode()


def test_an_empty_title_changes_nothing(client, dong_cuong, officer):
    client.force_login(officer)
    url = reverse("portal:article_create", args=[dong_cuong.code])
    response = client.post(url, {"title": "", "body": "Nội dung", "publish": "on"})
    assert response.status_code == 200
    assert not NewsArticle.objects.exists()


def test_officers_of_another_commune_and_team_members_cannot_publish(
    client, dong_cuong, tien_lu, make_user, village
):
    outsider = make_user(Role.COMMUNE_OFFICER, tien_lu)
    member = make_user(Role.TEAM_MEMBER, village)
    for user in (outsider, member):
        client.force_login(user)
        url = reverse("portal:article_create", args=[dong_cuong.code])
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "X", "body": "Y", "publish": "on"}).status_code == 403
    assert not NewsArticle.objects.exists()


def test_coming_classes_events_and_team_contacts_are_shown(client, dong_cuong, village):
    save_team(
        village=village,
        contact_phone="0912000111",
        zalo_group_url="https://zalo.me/g/sailuong",
    )
    site = LearningSite.objects.create(
        area=village, kind=LearningSite.Kind.CULTURAL_HOUSE, name="Nhà văn hoá thôn Sài Lương"
    )
    starts = timezone.now() + datetime.timedelta(days=3)
    Class.objects.create(
        site=site,
        title="Cài VNeID cho người cao tuổi",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        for_elderly=True,
    )
    Class.objects.create(
        site=site,
        title="Lớp đã qua",
        starts_at=starts - datetime.timedelta(days=30),
        ends_at=starts - datetime.timedelta(days=30, hours=-2),
    )
    Event.objects.create(
        area=village,
        kind=Event.Kind.COMMUNITY_DAY,
        title="Ngày công nghệ số cộng đồng thôn Sài Lương",
        date=TODAY + datetime.timedelta(days=10),
        place="Sân nhà văn hoá",
    )
    html = commune_page(client, dong_cuong).content.decode()
    assert "Cài VNeID cho người cao tuổi" in html
    assert "Nhà văn hoá thôn Sài Lương" in html
    assert "Lớp giản lược cho người cao tuổi" in html
    assert "Lớp đã qua" not in html
    assert "Ngày công nghệ số cộng đồng thôn Sài Lương" in html
    assert "tel:0912000111" in html
    assert "https://zalo.me/g/sailuong" in html


def test_a_village_or_unknown_code_is_not_a_commune_page(client, village):
    assert commune_page(client, village).status_code == 404
    assert client.get(reverse("portal:commune", args=["99999"])).status_code == 404
