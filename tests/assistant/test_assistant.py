"""The help assistant: quoted answers with links, follow-ups, scam warnings, limits and escaping."""

import pytest
from django.urls import reverse

from hocvuso.assistant.answers import ask
from hocvuso.assistant.models import QUESTION_MAX_LENGTH, ScamPattern
from tests.assistant.conftest import VNEID

pytestmark = pytest.mark.django_db
ASK = "/api/v1/assistant/ask"


def post(client, body, **extra):
    return client.post(ASK, body, content_type="application/json", **extra)


def test_the_answer_quotes_the_step_and_links_to_it(client, lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    response = post(client, {"question": "nhap ma kich hoat vneid o dau"})
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    source = body["source"]
    assert source["kind"] == "step"
    assert source["title"] == "Nhập mã kích hoạt"
    lesson_url = reverse("learning:lesson", args=[VNEID, lesson.id])
    assert source["url"] == f"{lesson_url}?buoc={source['step_number']}#buoc"
    step = lesson.steps.order_by("position", "id")[source["step_number"] - 1]
    assert body["answer"] == step.instruction
    assert body["phrased_by_model"] is False


def test_a_follow_up_walks_to_the_next_step_of_the_same_guide(client, lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    first = post(client, {"question": "nhap ma kich hoat vneid o dau"}).json()
    then = post(
        client, {"question": "còn bước tiếp theo?", "conversation_id": first["conversation_id"]}
    ).json()
    assert then["source"]["step_number"] == first["source"]["step_number"] + 1
    steps = list(lesson.steps.order_by("position", "id"))
    assert then["source"]["title"] == steps[first["source"]["step_number"]].title
    # Without the conversation the same words find no step to walk from.
    alone = post(client, {"question": "còn bước tiếp theo?"}).json()
    assert alone["source"] is None or alone["source"]["title"] != then["source"]["title"]


def test_a_question_pointing_back_is_read_in_the_last_topic(lesson_titled):
    vneid_lessons = {
        lesson_titled(VNEID, "Kích hoạt tài khoản").id,
        lesson_titled(VNEID, "Dùng VNeID an toàn").id,
    }
    first = ask("cach kich hoat vneid muc 2", phrase=False)
    assert first.passage.lesson_id in vneid_lessons
    follow = ask(
        "làm sao đổi mật khẩu ứng dụng đó", conversation_id=first.conversation_id, phrase=False
    )
    assert follow.passage.lesson_id in vneid_lessons
    # Asked out of the blue, the same question goes elsewhere: the context made the difference.
    alone = ask("làm sao đổi mật khẩu ứng dụng đó", phrase=False)
    assert alone.passage.course_id != first.passage.course_id


def test_a_question_about_a_scam_carries_the_current_warnings(client, catalogue):
    body = post(client, {"question": "co nguoi goi xung la cong an bao chuyen tien"}).json()
    titles = [warning["title"] for warning in body["scam_warnings"]]
    assert titles[0] == "Giả danh công an gọi điện báo liên quan vụ án"
    assert body["source"]["course"] == "Nhận biết lừa đảo trực tuyến"
    plain = post(client, {"question": "chinh chu to tren dien thoai"}).json()
    assert plain["scam_warnings"] == []


def test_an_faq_entry_answers_the_question_it_was_written_for(client, catalogue):
    body = post(client, {"question": "quen mat khau vneid thi lam sao"}).json()
    assert body["source"]["kind"] == "faq"
    assert "Quên mật khẩu" in body["answer"]
    assert body["source"]["url"].startswith(reverse("assistant:faq") + "#hoi-")


def test_a_question_with_nothing_in_the_material_says_so(client, catalogue):
    body = post(client, {"question": "xyzzy qwerty"}).json()
    assert body["found"] is False
    assert body["source"] is None
    assert "Tổ công nghệ số" in body["answer"]


def test_empty_overlong_and_malformed_questions_get_clear_messages(client, catalogue):
    empty = post(client, {"question": "   "})
    assert empty.status_code == 422
    assert "Hãy gõ câu hỏi" in empty.json()["detail"]
    long = post(client, {"question": "x" * (QUESTION_MAX_LENGTH + 1)})
    assert long.status_code == 413
    assert "dài quá 500 ký tự" in long.json()["detail"]
    wrong = post(client, {"question": 12})
    assert wrong.status_code == 422
    broken = client.post(ASK, "{not json", content_type="application/json")
    assert broken.status_code == 422


def test_a_body_of_megabytes_is_refused_with_413(client, catalogue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = post(client, {"question": "vneid " * 400_000})
    assert response.status_code == 413
    assert response.json()["detail"] == "Nội dung gửi lên quá lớn."


def test_a_flood_of_questions_is_slowed_down(client, catalogue, monkeypatch):
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "3")
    codes = [post(client, {"question": "vneid"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert "chờ một phút" in post(client, {"question": "vneid"}).json()["detail"]
    # Another address has its own allowance.
    other = post(client, {"question": "vneid"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_page_answers_with_the_quote_and_a_link_to_the_step(client, lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    response = client.post(reverse("assistant:ask"), {"question": "nhap ma kich hoat vneid"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nhập mã kích hoạt" in content
    url = reverse("learning:lesson", args=[VNEID, lesson.id])
    assert f'href="{url}?buoc=' in content
    assert "Tôi cần người hướng dẫn" in content
    follow = client.post(reverse("assistant:ask"), {"question": "bước tiếp theo"})
    assert "Phần tiếp theo trong bài" in follow.content.decode()


def test_the_page_shows_a_script_question_escaped(client, catalogue):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> vneid'
    response = client.post(reverse("assistant:ask"), {"question": payload})
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "<img src=x" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


def test_the_page_explains_an_empty_or_overlong_question(client, catalogue):
    empty = client.post(reverse("assistant:ask"), {"question": ""})
    assert empty.status_code == 422
    assert "Hãy gõ câu hỏi của bạn" in empty.content.decode()
    long = client.post(reverse("assistant:ask"), {"question": "a" * 5000})
    assert long.status_code == 422
    assert "Câu hỏi dài quá 500 ký tự" in long.content.decode()


def test_the_page_slows_a_flood_down_with_a_message(client, catalogue, monkeypatch):
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "2")
    for _ in range(2):
        client.post(reverse("assistant:ask"), {"question": "vneid"})
    response = client.post(reverse("assistant:ask"), {"question": "vneid"})
    assert response.status_code == 429
    assert "Bạn gửi nhiều quá" in response.content.decode()


def test_the_page_lists_the_steps_of_the_guide_with_the_quoted_one_marked(client, lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    response = client.post(reverse("assistant:ask"), {"question": "nhap ma kich hoat vneid"})
    content = response.content.decode()
    assert "Các bước trong bài" in content
    assert '<strong aria-current="step">Nhập mã kích hoạt</strong>' in content
    for step in lesson.steps.exclude(title="Nhập mã kích hoạt"):
        assert step.title in content


def test_a_forged_or_stale_conversation_id_starts_afresh(client, catalogue):
    first = post(client, {"question": "nhap ma kich hoat vneid o dau"}).json()
    forged = first["conversation_id"][:-3] + "xyz"
    body = post(client, {"question": "bước tiếp theo", "conversation_id": forged}).json()
    assert body["source"] is None or body["source"]["title"] != "Đặt mật khẩu"
    junk = post(client, {"question": "vneid", "conversation_id": "x" * 5000})
    assert junk.status_code == 200


def test_a_scam_pattern_hidden_by_an_editor_leaves_the_answers(catalogue):
    question = "co nguoi goi xung la cong an bao chuyen tien"
    assert ask(question, phrase=False).scams[0].key == "gia-danh-cong-an"
    pattern = ScamPattern.objects.get(key="gia-danh-cong-an")
    pattern.is_published = False
    pattern.save()
    assert "gia-danh-cong-an" not in [p.key for p in ask(question, phrase=False).scams]
