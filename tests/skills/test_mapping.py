"""Mapping content onto competences, and the coverage report editors read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Question
from hocvuso.people.choices import TargetGroup
from hocvuso.skills.models import CompetenceMapping, FrameworkItem
from hocvuso.skills.selectors import current_profile, profile_coverage
from hocvuso.skills.services.frameworks import load_starter_mapping
from hocvuso.skills.services.mapping import save_mapping


def _competence(code):
    return FrameworkItem.objects.get(
        framework__code="TT02", framework__is_current=True, kind="competence", code=code
    )


def test_the_starter_mapping_maps_every_course_and_check_question(starter):
    assert starter.counts == {"created": 117, "updated": 0}
    assert CompetenceMapping.objects.filter(course__isnull=False).count() == 25
    assert (
        CompetenceMapping.objects.filter(question__isnull=False).count() == Question.objects.count()
    )
    assert load_starter_mapping().counts == {"created": 0, "updated": 0}


def test_coverage_shows_the_competences_without_course_or_question(starter):
    students = {
        row.requirement.competence.code: row
        for row in profile_coverage(current_profile(TargetGroup.STUDENTS))
    }
    assert students["4.3"].courses == [] and students["4.3"].questions == 0
    assert students["4.2"].questions == 18
    assert students["6.1"].is_short
    citizens = profile_coverage(current_profile(TargetGroup.CITIZENS))
    assert all(row.courses and row.questions for row in citizens)
    assert all(row.at_level == row.questions for row in citizens)
    # Officials need level 2; the starter questions are all mapped at level 1.
    officials = {
        row.requirement.competence.code: row
        for row in profile_coverage(current_profile(TargetGroup.OFFICIALS))
    }
    assert officials["1.2"].questions == 14 and officials["1.2"].at_level == 0


def test_an_editor_maps_a_question_and_coverage_changes(starter, make_user, area, client):
    editor = make_user(Role.CONTENT_EDITOR, area("VN"))
    client.force_login(editor)
    question = Question.objects.filter(lesson__course__slug="bao-ve-du-lieu-ca-nhan").first()
    response = client.post(
        reverse("skills:mapping"),
        {
            "course": "bao-ve-du-lieu-ca-nhan",
            "target": f"question-{question.pk}",
            "competence": _competence("4.3").pk,
            "level": "1",
        },
    )
    assert response.status_code == 302
    students = {
        row.requirement.competence.code: row
        for row in profile_coverage(current_profile(TargetGroup.STUDENTS))
    }
    assert students["4.3"].questions == 1
    assert [c.slug for c in students["4.3"].courses] == ["bao-ve-du-lieu-ca-nhan"]
    page = client.get(reverse("skills:coverage"))
    assert "Chưa có câu hỏi" not in page.content.decode().split("Học sinh, sinh viên")[1]
    mapping = CompetenceMapping.objects.get(question=question, competence__code="4.3")
    assert client.post(reverse("skills:mapping_delete", args=[mapping.pk])).status_code == 302
    assert not CompetenceMapping.objects.filter(pk=mapping.pk).exists()


def test_a_level_outside_the_framework_is_refused(starter, make_user, area):
    editor = make_user(Role.CONTENT_EDITOR, area("VN"))
    question = Question.objects.first()
    with pytest.raises(ValidationError, match="Mức 9 nằm ngoài phạm vi"):
        save_mapping(competence=_competence("1.1"), level=9, edited_by=editor, question=question)


def test_an_editor_of_another_area_cannot_map_the_national_catalogue(starter, make_user, tien_lu):
    editor = make_user(Role.CONTENT_EDITOR, tien_lu)
    question = Question.objects.first()
    with pytest.raises(PermissionDenied):
        save_mapping(competence=_competence("1.1"), level=1, edited_by=editor, question=question)
    mapping = CompetenceMapping.objects.first()
    client = Client()
    client.force_login(editor)
    assert client.post(reverse("skills:mapping_delete", args=[mapping.pk])).status_code == 403
    assert CompetenceMapping.objects.filter(pk=mapping.pk).exists()


def test_a_mapping_has_exactly_one_target(starter, make_user, area):
    editor = make_user(Role.CONTENT_EDITOR, area("VN"))
    question = Question.objects.first()
    with pytest.raises(ValidationError):
        save_mapping(
            competence=_competence("1.1"),
            level=1,
            edited_by=editor,
            question=question,
            lesson=question.lesson,
        )
