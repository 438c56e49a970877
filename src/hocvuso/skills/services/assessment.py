"""Assessments of a target group's profile, the confirmation rule, and confirming a person once."""

import random
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.learning.models import Choice, Course, Question
from hocvuso.learning.services.quizzes import ONE_CHOICE
from hocvuso.people.choices import Milestone
from hocvuso.people.models import MilestoneEvent, Resident
from hocvuso.people.services import PeopleError, record_milestone, refuse_if_withdrawn
from hocvuso.skills import selectors
from hocvuso.skills.models import (
    Assessment,
    AssessmentAnswer,
    CompetenceResult,
    Confirmation,
    Mode,
    Profile,
    Requirement,
)
from hocvuso.skills.signals import person_confirmed


def _person(assessment: Assessment) -> dict:
    return {"user": assessment.user, "resident": assessment.resident}


def can_assist(user, resident: Resident) -> bool:
    """A team member (RECORD_FIELD_WORK over the resident's village) may assist the resident."""
    return can(user, Perm.RECORD_FIELD_WORK, resident.village)


def _draw(profile: Profile) -> list[dict]:
    requirements = list(profile.requirements.select_related("competence"))
    bank = selectors.question_bank(
        [req.competence_id for req in requirements],
        max_level={req.competence_id: req.level for req in requirements},
    )
    missing = [req.competence for req in requirements if not bank.get(req.competence_id)]
    if missing:
        raise ValidationError(
            _("Chưa thể đánh giá: các năng lực sau chưa có câu hỏi nào: %(codes)s.")
            % {"codes": ", ".join(f"{item.code} {item.title}" for item in missing)}
        )
    drawn: list[dict] = []
    used: set[int] = set()
    for req in requirements:
        # A question mapped to two competences is asked once, for the first that draws it.
        pool = [q for q in bank[req.competence_id] if q not in used]
        picked = random.sample(pool, min(profile.questions_per_competence, len(pool)))
        used.update(picked)
        drawn.extend({"question": q, "competence": req.competence_id} for q in picked)
    random.shuffle(drawn)
    return drawn


@transaction.atomic
def start_assessment(
    *,
    profile: Profile,
    user=None,
    resident: Resident | None = None,
    assisted_by=None,
) -> Assessment:
    """The person's open sitting of the profile's assessment, or a new one with drawn questions.

    Self: `user` is the learner (and `resident` their linked record, if any). Assisted: `resident`
    is the person and `assisted_by` the team member, who must hold RECORD_FIELD_WORK over the
    resident's village.
    """
    if assisted_by is not None:
        if resident is None or not can_assist(assisted_by, resident):
            raise PermissionDenied
        user = resident.user
    if user is None and resident is None:
        raise ValidationError(_("Chưa rõ ai làm bài đánh giá."))
    if resident is not None:
        try:
            refuse_if_withdrawn([resident])
        except PeopleError as error:
            raise ValidationError(str(error)) from None
    lookup = {"resident": resident} if resident is not None else {"user": user, "resident": None}
    existing = Assessment.objects.filter(
        profile=profile, submitted_at__isnull=True, **lookup
    ).first()
    if existing is not None:
        return existing
    assessment = Assessment(
        profile=profile,
        user=user,
        resident=resident,
        mode=Mode.ASSISTED if assisted_by is not None else Mode.SELF,
        assisted_by=assisted_by,
        drawn=_draw(profile),
    )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        # Another tap on "start" opened it a moment ago: that sitting is the one.
        return Assessment.objects.get(profile=profile, submitted_at__isnull=True, **lookup)
    return assessment


def _is_correct(question: Question, choices: list[Choice], given: list[int]) -> bool:
    if question.kind == Question.Kind.ORDER:
        return given == [choice.id for choice in choices]
    if question.kind in ONE_CHOICE and len(given) != 1:
        return False
    return set(given) == {choice.id for choice in choices if choice.is_correct}


@transaction.atomic
def submit_assessment(*, assessment: Assessment, answers: dict[int, list[int]]) -> Assessment:
    """Score a sitting: per competence, then the confirmation rule. Submitting it again (a double
    tap, a retry, two requests at once) returns the first result and changes nothing.

    `answers` maps question id → chosen choice ids (in the chosen order for ORDER questions); a
    question left out counts as wrong.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.submitted_at is not None:
        return locked
    question_ids = [entry["question"] for entry in locked.drawn]
    questions = Question.objects.in_bulk(question_ids)
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=question_ids).order_by("position", "id"):
        choices.setdefault(choice.question_id, []).append(choice)
    for question_id, given in answers.items():
        if question_id not in questions:
            raise ValidationError(_("Câu trả lời cho một câu hỏi không có trong bài."))
        known = {choice.id for choice in choices.get(question_id, [])}
        if not set(given) <= known or len(set(given)) != len(given):
            raise ValidationError(_("Lựa chọn này không thuộc câu hỏi."))
    tally: dict[int, list[int]] = {}
    rows = []
    for entry in locked.drawn:
        question = questions.get(entry["question"])
        if question is None:
            # Deleted by its editor since the draw: neither right nor wrong.
            continue
        given = list(answers.get(question.pk, []))
        correct = _is_correct(question, choices.get(question.pk, []), given)
        asked_correct = tally.setdefault(entry["competence"], [0, 0])
        asked_correct[0] += 1
        asked_correct[1] += int(correct)
        rows.append(
            AssessmentAnswer(
                assessment=locked,
                question=question,
                competence_id=entry["competence"],
                choice_ids=given,
                is_correct=correct,
            )
        )
    AssessmentAnswer.objects.bulk_create(rows)
    levels = dict(locked.profile.requirements.values_list("competence_id", "level"))
    results = []
    for competence_id, (asked, correct) in tally.items():
        passed = correct * 100 >= asked * locked.profile.pass_percent
        results.append(
            CompetenceResult(
                assessment=locked,
                competence_id=competence_id,
                level_required=levels.get(competence_id, 0),
                asked=asked,
                correct=correct,
                passed=passed,
            )
        )
    CompetenceResult.objects.bulk_create(results)
    locked.correct = sum(row.is_correct for row in rows)
    locked.total = len(rows)
    locked.passed = bool(results) and all(result.passed for result in results)
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["correct", "total", "passed", "submitted_at"])
    check = check_rule(profile=locked.profile, user=locked.user, resident=locked.resident)
    if check.is_met:
        confirm_person(assessment=locked)
    return locked


@dataclass
class RuleCheck:
    """Where a person stands against a profile's confirmation rule."""

    profile: Profile
    met: list[Requirement] = field(default_factory=list)
    missing: list[Requirement] = field(default_factory=list)
    courses_done: list[str] = field(default_factory=list)
    courses_listed: list[str] = field(default_factory=list)

    @property
    def courses_missing(self) -> int:
        return max(0, self.profile.min_courses - len(self.courses_done))

    @property
    def is_met(self) -> bool:
        return not self.missing and self.courses_missing == 0


def check_rule(*, profile: Profile, user=None, resident: Resident | None = None) -> RuleCheck:
    """Which required competences the person has reached (in any sitting of this profile) and
    which of the listed courses their learner account has completed."""
    if user is None and resident is not None:
        user = resident.user
    reached = set(
        CompetenceResult.objects.filter(
            selectors.person_q(user=user, resident=resident, prefix="assessment__"),
            assessment__profile=profile,
            passed=True,
        ).values_list("competence_id", "level_required")
    )
    check = RuleCheck(profile=profile)
    for req in profile.requirements.select_related("competence"):
        if any(cid == req.competence_id and level >= req.level for cid, level in reached):
            check.met.append(req)
        else:
            check.missing.append(req)
    check.courses_listed = list(profile.courses.values_list("course_slug", flat=True))
    done = selectors.completed_course_slugs(user)
    check.courses_done = [slug for slug in check.courses_listed if slug in done]
    return check


def study_next(check: RuleCheck) -> dict[int, list[Course]]:
    """Courses mapped to each missed competence: what to study next."""
    return selectors.courses_by_competence([req.competence_id for req in check.missing])


@transaction.atomic
def confirm_person(*, assessment: Assessment) -> Confirmation | None:
    """Confirm the assessment's person at the basic level, once: record the milestone of a
    resident, issue the certificate and send `person_confirmed`. None when already confirmed."""
    from hocvuso.skills.services.certificates import issue_certificate

    user, resident = assessment.user, assessment.resident
    if user is None and resident is not None:
        user = resident.user
    if resident is None and user is not None:
        resident = selectors.resident_of(user)
    if selectors.active_confirmation(user=user, resident=resident) is not None:
        return None
    holder = resident.full_name if resident is not None else (user.full_name or user.username)
    area = resident.village if resident is not None else getattr(user, "home_area", None)
    confirmation = Confirmation(
        profile=assessment.profile,
        target_group=assessment.profile.target_group,
        user=user,
        resident=resident,
        holder_name=holder,
        assessment=assessment,
        mode=assessment.mode,
        assisted_by=assessment.assisted_by,
        area=area,
        confirmed_on=timezone.localdate(),
    )
    try:
        with transaction.atomic():
            confirmation.save()
    except IntegrityError:
        # Confirmed by a concurrent submission of another sitting: that one counts.
        return None
    if resident is not None:
        record_milestone(
            resident=resident,
            milestone=Milestone.CONFIRMED_BASIC_LEVEL,
            achieved_on=confirmation.confirmed_on,
            method=MilestoneEvent.Method.SYSTEM,
            recorded_by=assessment.assisted_by or user,
            source=f"skills:confirmation:{confirmation.pk}",
        )
    issue_certificate(confirmation=confirmation)
    person_confirmed.send(
        sender=Confirmation,
        confirmation=confirmation,
        area=area,
        target_group=confirmation.target_group,
    )
    return confirmation
