import re

from django.urls import reverse

from hocvuso.accounts.models import Role

HOME = "/"


def test_home_is_in_vietnamese_with_skip_link_and_landmarks(client, db):
    response = client.get(HOME)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi"' in html
    assert "<h1" in html and "Bình dân học vụ số</h1>" in html
    assert "01-KH/BCĐTW" in html
    assert "không để ai bị bỏ lại phía sau" in html
    skip = html.index('class="skip-link" href="#main"')
    assert skip < html.index("<header")
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html


def test_home_marks_the_current_page_in_the_navigation(client, db):
    html = client.get(HOME).content.decode()
    assert re.search(r'<a href="/"\s+aria-current="page">Trang chủ</a>', html)


def test_anonymous_visitor_is_offered_the_login_page(client, db):
    html = client.get(HOME).content.decode()
    assert f'href="{reverse("accounts:login")}"' in html
    assert "Việc của bạn" not in html
    assert "Đăng xuất" not in html


def test_english_switch_shows_the_english_home_page(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": HOME}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == HOME
    assert '<html lang="en"' in html
    assert "Skip to main content" in html
    assert "Where to start" in html
    assert "Bắt đầu từ đâu" not in html
    assert 'name="language" value="vi"' in html

    response = client.post(reverse("set_language"), {"language": "vi", "next": HOME}, follow=True)
    assert '<html lang="vi"' in response.content.decode()


def test_language_switch_works_without_javascript(client, db):
    html = client.get(HOME).content.decode()
    form = re.search(r'<form class="language-switch" action="([^"]+)" method="post">', html)
    assert form and form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html


def test_signed_in_commune_officer_sees_their_work(client, db, make_user, dong_cuong, login):
    user = make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Nguyễn Thị Lan")
    html = login(user).get(HOME).content.decode()
    assert "Nguyễn Thị Lan" in html
    assert "Cán bộ cấp xã" in html
    assert "Việc của bạn" in html
    assert reverse("places:villages", args=["04399"]) in html
    assert reverse("places:area_detail", args=["04399"]) in html
    assert re.search(rf'<form action="{reverse("accounts:logout")}" method="post">', html), (
        "logout must be a POST form"
    )


def test_user_without_area_role_sees_only_their_account(client, db, make_user, login):
    user = make_user(full_name="Trần Văn Bình")
    html = login(user).get(HOME).content.decode()
    tasks = html[html.index("Việc của bạn") : html.index("Bắt đầu từ đâu")]
    assert reverse("accounts:profile") in tasks
    assert "/dia-ban/" not in tasks


def test_home_page_html_is_small(client, db):
    response = client.get(HOME)
    assert len(response.content) < 16 * 1024


def test_display_switches_are_buttons_hidden_without_javascript(client, db):
    html = client.get(HOME).content.decode()
    for action in ("smaller", "normal", "larger", "contrast"):
        assert f'data-display="{action}"' in html
    assert 'data-display="contrast" aria-pressed="false"' in html
    assert "<script>" not in html, "no inline scripts"
    head = html[: html.index("</head>")]
    assert "hocvuso/display-init.js" in head
    assert re.search(r'<script src="[^"]*htmx\.min\.js" defer></script>', head)


def test_browser_set_to_english_still_gets_vietnamese_until_the_visitor_switches(client, db):
    response = client.get(HOME, headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="vi"' in response.content.decode()
    assert response.headers["Content-Language"] == "vi"
    assert "Cookie" in response.headers["Vary"]
