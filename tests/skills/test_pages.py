"""The pages: public frameworks, the learner's sitting through forms, assisting, downloads,
coverage and revocation, each refused to whom it is not for."""

from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Choice, Question
from hocvuso.skills.demo import right_answers
from hocvuso.skills.models import Assessment, Certificate, Confirmation, Framework, Profile
from hocvuso.skills.services.assessment import start_assessment


def test_the_frameworks_are_public(frameworks, client):
    page = client.get(reverse("skills:frameworks")).content.decode()
    assert "Khung năng lực số cho người học" in page and "DigComp 2.2" in page
    tt02 = Framework.objects.get(code="TT02")
    detail = client.get(reverse("skills:framework_detail", args=[tt02.pk])).content.decode()
    assert "Ứng dụng trí tuệ nhân tạo" in detail and "chưa đối chiếu" in detail
    assert "DIGCOMP 2.2: 4.2" in detail
    profile = Profile.objects.get(target_group="citizens")
    rule = client.get(reverse("skills:profile_detail", args=[profile.pk])).content.decode()
    assert "Quy tắc xác nhận" in rule and "Bảo vệ dữ liệu cá nhân" in rule
    assert client.get(reverse("skills:framework_detail", args=[999999])).status_code == 404


def _form(sitting: Assessment) -> dict[str, object]:
    """What a browser posts when every answer is right."""
    data: dict[str, object] = {}
    for question_id, choice_ids in right_answers(sitting).items():
        question = Question.objects.get(pk=question_id)
        if question.kind == Question.Kind.ORDER:
            for place, choice_id in enumerate(choice_ids, start=1):
                data[f"q{question_id}-{choice_id}"] = str(place)
        else:
            data[f"q{question_id}"] = [str(c) for c in choice_ids]
    return data


def test_a_learner_takes_the_assessment_and_downloads_the_certificate(
    citizens, make_user, village, client
):
    learner = make_user(Role.LEARNER, village, full_name="Hoàng Thị Lan")
    client.force_login(learner)
    client.post(reverse("skills:assessment_start"), {"profile": citizens.pk})
    sitting = Assessment.objects.get(user=learner)
    page = client.get(reverse("skills:assessment", args=[sitting.pk])).content.decode()
    assert "Câu 1/23" in page
    response = client.post(reverse("skills:assessment", args=[sitting.pk]), _form(sitting))
    assert response["Location"] == reverse("skills:assessment_result", args=[sitting.pk])
    result = client.get(response["Location"]).content.decode()
    assert "Trả lời đúng 23/23 câu." in result
    assert "Đã được xác nhận đạt trình độ phổ cập kỹ năng số" in result
    code = Certificate.objects.get(confirmation__user=learner).code
    pdf = client.get(reverse("skills:certificate_download", args=[code, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    document = client.get(reverse("skills:certificate_download", args=[code, "json"])).json()
    assert document["certificate"]["holder"] == "Hoàng Thị Lan"
    badge = client.get(reverse("skills:certificate_download", args=[code, "open-badge"])).json()
    assert "OpenBadgeCredential" in badge["type"]
    assert client.get(reverse("skills:certificate_download", args=[code, "zip"])).status_code == 404
    mine = client.get(reverse("skills:my_results")).content.decode()
    assert code in mine
    # Posting the form again changes nothing.
    client.post(reverse("skills:assessment", args=[sitting.pk]), {})
    sitting.refresh_from_db()
    assert sitting.correct == 23


def test_wrong_answers_show_what_to_study_next(citizens, make_user, village, client):
    learner = make_user(Role.LEARNER, village)
    client.force_login(learner)
    client.post(reverse("skills:assessment_start"), {"profile": citizens.pk})
    sitting = Assessment.objects.get(user=learner)
    client.post(reverse("skills:assessment", args=[sitting.pk]), {})
    page = client.get(reverse("skills:assessment_result", args=[sitting.pk])).content.decode()
    assert "Nên học tiếp" in page and "Chưa đạt" in page
    assert "Nhận biết lừa đảo trực tuyến" in page
    assert not Confirmation.objects.exists()


def test_an_order_question_is_scored_from_the_chosen_places(citizens, make_user, village, client):
    learner = make_user(Role.LEARNER, village)
    sitting = start_assessment(profile=citizens, user=learner)
    order = Question.objects.get(
        lesson__course__slug="vneid-dinh-danh-dien-tu-muc-2", kind="order"
    ).pk
    if order not in [entry["question"] for entry in sitting.drawn]:
        competence = citizens.requirements.get(competence__code="2.6").competence_id
        sitting.drawn = [*sitting.drawn, {"question": order, "competence": competence}]
        sitting.save(update_fields=["drawn"])
    client.force_login(learner)
    data = _form(sitting)
    choices = list(Choice.objects.filter(question_id=order).order_by("position"))
    data[f"q{order}-{choices[0].pk}"], data[f"q{order}-{choices[1].pk}"] = "2", "1"
    client.post(reverse("skills:assessment", args=[sitting.pk]), data)
    assert not sitting.answers.get(question_id=order).is_correct
    assert sitting.answers.exclude(question_id=order).filter(is_correct=False).count() == 0


def test_another_persons_sitting_and_certificate_are_not_found(confirm, make_user, village, client):
    sitting = confirm()
    code = sitting.confirmation.certificate.code
    stranger = make_user(Role.LEARNER, village)
    client.force_login(stranger)
    assert client.get(reverse("skills:assessment", args=[sitting.pk])).status_code == 404
    assert client.get(reverse("skills:assessment_result", args=[sitting.pk])).status_code == 404
    assert client.get(reverse("skills:certificate_download", args=[code, "pdf"])).status_code == 404


def test_a_team_member_assists_a_resident_on_their_phone(
    citizens, make_resident, team_member, make_user, tien_lu, make_village, client
):
    resident = make_resident("Bàn Thị Xuân")
    client.force_login(team_member)
    page = client.get(reverse("skills:assist", args=[resident.pk])).content.decode()
    assert "Bàn Thị Xuân" in page and "Bắt đầu đánh giá" in page
    response = client.post(reverse("skills:assist", args=[resident.pk]))
    sitting = Assessment.objects.get(resident=resident)
    assert sitting.mode == "assisted" and sitting.assisted_by == team_member
    assert response["Location"] == reverse("skills:assessment", args=[sitting.pk])
    client.post(reverse("skills:assessment", args=[sitting.pk]), _form(sitting))
    confirmation = Confirmation.objects.get(resident=resident)
    assert confirmation.mode == "assisted"
    code = confirmation.certificate.code
    assert client.get(reverse("skills:certificate_download", args=[code, "pdf"])).status_code == 200
    outsider = make_user(Role.TEAM_MEMBER, make_village(tien_lu))
    client.force_login(outsider)
    assert client.get(reverse("skills:assist", args=[resident.pk])).status_code == 404
    assert client.get(reverse("skills:assessment_result", args=[sitting.pk])).status_code == 404
    assert client.get(reverse("skills:certificate_download", args=[code, "pdf"])).status_code == 404


def test_the_coverage_page_lists_the_gaps(starter, make_user, area, client):
    client.force_login(make_user(Role.CONTENT_EDITOR, area("VN")))
    page = client.get(reverse("skills:coverage")).content.decode()
    students = page.split("Học sinh, sinh viên")[1].split("</section>")[0]
    assert "4.3 Bảo vệ sức khoẻ và an sinh (1)" in students
    assert "Chưa có khoá học" in students and "Chưa có câu hỏi" in students
    mapping = client.get(reverse("skills:mapping") + "?khoa-hoc=tro-ly-tri-tue-nhan-tao")
    assert "Câu hỏi: Trợ lý AI luôn trả lời đúng" in mapping.content.decode()


def test_a_national_admin_revokes_from_the_page(confirm, make_user, area, client):
    code = confirm().confirmation.certificate.code
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    client.force_login(admin)
    client.post(
        reverse("skills:certificates_admin"), {"code": code, "reason": "Khai sai thông tin"}
    )
    certificate = Certificate.objects.get(code=code)
    assert certificate.revoked_reason == "Khai sai thông tin" and certificate.revoked_by == admin
    client.force_login(make_user(Role.COMMUNE_OFFICER, area("04399")))
    assert client.get(reverse("skills:certificates_admin")).status_code == 403
