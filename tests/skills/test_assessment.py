"""Assessment of a profile: the draw, scoring per competence, the confirmation rule, confirming
once, the milestone and the signal, and a double submit counted once."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.people.choices import Milestone, TargetGroup
from hocvuso.people.models import MilestoneEvent
from hocvuso.skills.demo import right_answers
from hocvuso.skills.models import Assessment, AssessmentAnswer, Certificate, Confirmation
from hocvuso.skills.selectors import current_profile
from hocvuso.skills.services.assessment import (
    check_rule,
    start_assessment,
    study_next,
    submit_assessment,
)
from hocvuso.skills.signals import person_confirmed
from tests.skills.conftest import complete_course, wrong_answers


def test_questions_are_drawn_across_every_required_competence(citizens, make_resident, team_member):
    sitting = start_assessment(profile=citizens, resident=make_resident(), assisted_by=team_member)
    per_competence = {}
    for entry in sitting.drawn:
        per_competence.setdefault(entry["competence"], []).append(entry["question"])
    required = set(citizens.requirements.values_list("competence_id", flat=True))
    assert set(per_competence) == required
    assert all(1 <= len(qs) <= citizens.questions_per_competence for qs in per_competence.values())
    questions = [entry["question"] for entry in sitting.drawn]
    assert len(questions) == len(set(questions)) == 23


def test_starting_twice_resumes_the_open_sitting(citizens, make_user, village):
    learner = make_user(Role.LEARNER, village)
    first = start_assessment(profile=citizens, user=learner)
    assert start_assessment(profile=citizens, user=learner) == first


def test_all_right_confirms_records_the_milestone_and_sends_the_signal(
    citizens, make_resident, team_member
):
    received = []

    def receiver(sender, confirmation, area, target_group, **kwargs):
        received.append((confirmation.pk, area, target_group))

    person_confirmed.connect(receiver)
    try:
        resident = make_resident("Bàn Văn Lình")
        sitting = start_assessment(profile=citizens, resident=resident, assisted_by=team_member)
        sitting = submit_assessment(assessment=sitting, answers=right_answers(sitting))
    finally:
        person_confirmed.disconnect(receiver)
    assert sitting.passed and sitting.correct == sitting.total == 23
    assert sitting.results.filter(passed=True).count() == 8
    confirmation = Confirmation.objects.get(resident=resident)
    assert confirmation.mode == "assisted" and confirmation.assisted_by == team_member
    assert confirmation.profile == citizens and confirmation.target_group == "citizens"
    assert confirmation.holder_name == "Bàn Văn Lình"
    assert received == [(confirmation.pk, resident.village, "citizens")]
    event = MilestoneEvent.objects.get(resident=resident, milestone=Milestone.CONFIRMED_BASIC_LEVEL)
    assert event.recorded_by == team_member
    assert confirmation.certificate.code.startswith("HVS-")


def test_missed_competences_are_reported_with_what_to_study_next(
    citizens, make_resident, team_member
):
    resident = make_resident()
    sitting = start_assessment(profile=citizens, resident=resident, assisted_by=team_member)
    answers = right_answers(sitting)
    competence_12 = citizens.requirements.get(competence__code="1.2").competence_id
    for entry in sitting.drawn:
        if entry["competence"] == competence_12:
            answers[entry["question"]] = []
    sitting = submit_assessment(assessment=sitting, answers=answers)
    assert sitting.passed is False
    failed = sitting.results.get(passed=False)
    assert failed.competence.code == "1.2" and failed.correct == 0
    check = check_rule(profile=citizens, resident=resident)
    assert [req.competence.code for req in check.missing] == ["1.2"]
    courses = study_next(check)[competence_12]
    assert "nhan-biet-lua-dao-truc-tuyen" in [course.slug for course in courses]
    assert not Confirmation.objects.filter(resident=resident).exists()
    # A later sitting that reaches 1.2 completes the rule: competences count across sittings.
    again = start_assessment(profile=citizens, resident=resident, assisted_by=team_member)
    submit_assessment(assessment=again, answers=right_answers(again))
    assert Confirmation.objects.filter(resident=resident).count() == 1


def test_a_double_submit_counts_once(citizens, make_user, village):
    learner = make_user(Role.LEARNER, village, full_name="Lý Thị Mai")
    sitting = start_assessment(profile=citizens, user=learner)
    first = submit_assessment(assessment=sitting, answers=right_answers(sitting))
    second = submit_assessment(assessment=sitting, answers=wrong_answers(sitting))
    assert second.pk == first.pk and second.passed and second.correct == 23
    assert AssessmentAnswer.objects.filter(assessment=sitting).count() == 23
    assert Confirmation.objects.filter(user=learner).count() == 1
    assert Certificate.objects.count() == 1


# SQLite serialises writers whole: nothing would run at once there.
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_count_once(starter, make_user, village):
    learner = make_user(Role.LEARNER, village)
    profile = current_profile(TargetGroup.CITIZENS)
    sitting = start_assessment(profile=profile, user=learner)
    answers = right_answers(sitting)
    barrier = threading.Barrier(2)
    errors = []

    def submit():
        try:
            barrier.wait()
            submit_assessment(assessment=Assessment.objects.get(pk=sitting.pk), answers=answers)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AssessmentAnswer.objects.filter(assessment=sitting).count() == 23
    assert Confirmation.objects.filter(user=learner).count() == 1


def test_a_person_is_confirmed_once(citizens, make_user, village):
    learner = make_user(Role.LEARNER, village)
    for _ in range(2):
        sitting = start_assessment(profile=citizens, user=learner)
        submit_assessment(assessment=sitting, answers=right_answers(sitting))
    assert Assessment.objects.filter(user=learner).count() == 2
    assert Confirmation.objects.filter(user=learner).count() == 1


def test_a_learner_linked_to_a_resident_is_confirmed_as_that_resident(
    citizens, make_user, make_resident, village
):
    learner = make_user(Role.LEARNER, village)
    resident = make_resident("Hoàng Văn Páo", user=learner)
    sitting = start_assessment(profile=citizens, user=learner, resident=resident)
    submit_assessment(assessment=sitting, answers=right_answers(sitting))
    confirmation = Confirmation.objects.get(user=learner)
    assert confirmation.resident == resident and confirmation.mode == "self"
    assert MilestoneEvent.objects.filter(
        resident=resident, milestone=Milestone.CONFIRMED_BASIC_LEVEL
    ).exists()


def test_the_course_rule_holds_back_confirmation_until_a_course_is_completed(
    starter, make_user, village
):
    workers = current_profile(TargetGroup.WORKERS)
    learner = make_user(Role.LEARNER, village)
    sitting = start_assessment(profile=workers, user=learner)
    submit_assessment(assessment=sitting, answers=right_answers(sitting))
    check = check_rule(profile=workers, user=learner)
    assert check.missing == [] and check.courses_missing == 1
    assert not Confirmation.objects.filter(user=learner).exists()
    complete_course(learner, "bao-ve-du-lieu-ca-nhan")
    again = start_assessment(profile=workers, user=learner)
    submit_assessment(assessment=again, answers=right_answers(again))
    assert Confirmation.objects.get(user=learner).profile == workers


def test_a_profile_with_a_competence_without_questions_cannot_be_assessed(
    starter, make_user, village
):
    learner = make_user(Role.LEARNER, village)
    with pytest.raises(ValidationError, match=r"4\.3"):
        start_assessment(profile=current_profile(TargetGroup.STUDENTS), user=learner)


def test_only_a_team_member_over_the_village_may_assist(
    citizens, make_resident, make_user, tien_lu, make_village
):
    resident = make_resident()
    outsider = make_user(Role.TEAM_MEMBER, make_village(tien_lu))
    with pytest.raises(PermissionDenied):
        start_assessment(profile=citizens, resident=resident, assisted_by=outsider)
    editor = make_user(Role.CONTENT_EDITOR, tien_lu.parent.parent)
    with pytest.raises(PermissionDenied):
        start_assessment(profile=citizens, resident=resident, assisted_by=editor)


def test_a_choice_of_another_question_is_refused(citizens, make_user, village):
    learner = make_user(Role.LEARNER, village)
    sitting = start_assessment(profile=citizens, user=learner)
    first, second = sitting.drawn[0]["question"], sitting.drawn[1]["question"]
    foreign = right_answers(sitting)[second]
    with pytest.raises(ValidationError):
        submit_assessment(assessment=sitting, answers={first: foreign})
    sitting.refresh_from_db()
    assert sitting.submitted_at is None


def test_the_start_page_starts_the_learners_own_sitting(citizens, make_user, village, client):
    learner = make_user(Role.LEARNER, village)
    client.force_login(learner)
    home = client.get(reverse("skills:assessment_home") + "?nhom=citizens")
    assert "Làm bài đánh giá" in home.content.decode()
    response = client.post(reverse("skills:assessment_start"), {"profile": citizens.pk})
    sitting = Assessment.objects.get(user=learner)
    assert response["Location"] == reverse("skills:assessment", args=[sitting.pk])
    assert client.get(reverse("skills:assessment_start")).status_code == 405
