"""Reads of skills: the current frameworks and profiles, question banks, coverage, a person's results."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from hocvuso.learning.models import Course, Enrollment, Question
from hocvuso.people.models import Resident
from hocvuso.skills.models import (
    Assessment,
    CompetenceMapping,
    Confirmation,
    Crosswalk,
    Framework,
    FrameworkItem,
    Profile,
    Requirement,
)


def current_frameworks() -> QuerySet[Framework]:
    """The current version of every framework, competence frameworks first."""
    return Framework.objects.filter(is_current=True).order_by("kind", "code")


def current_profiles() -> QuerySet[Profile]:
    """The profiles of the current version of each profiles framework."""
    return (
        Profile.objects.filter(framework__is_current=True, framework__kind=Framework.Kind.PROFILES)
        .select_related("framework")
        .order_by("code")
    )


def current_profile(target_group: str) -> Profile | None:
    """The current profile of a target group, or None when none is loaded."""
    return current_profiles().filter(target_group=target_group).first()


def framework_tree(framework: Framework) -> list[dict]:
    """Domains (or tiers) with their competences (or levels), in file order."""
    items = list(framework.items.order_by("position"))
    children = defaultdict(list)
    for item in items:
        if item.parent_id:
            children[item.parent_id].append(item)
    return [
        {"item": item, "children": children[item.pk]} for item in items if item.parent_id is None
    ]


def crosswalk_of(framework: Framework) -> dict[int, list[str]]:
    """For each competence of the framework, its counterparts in other frameworks, as
    "CODE@VERSION x.y" labels, whichever side of the crosswalk it is on."""
    links: dict[int, list[str]] = defaultdict(list)
    rows = Crosswalk.objects.filter(
        Q(source__framework=framework) | Q(target__framework=framework)
    ).select_related("source__framework", "target__framework")
    for row in rows:
        mine, other = (row.source, row.target)
        if row.target.framework_id == framework.pk:
            mine, other = row.target, row.source
        links[mine.pk].append(f"{other.framework.code} {other.framework.version}: {other.code}")
    return links


def question_bank(competence_ids: list[int], *, max_level: dict[int, int]) -> dict[int, list[int]]:
    """Published questions mapped to each competence at or below its level: directly, or through
    their lesson. {competence id: [question id, …]}, higher levels first."""
    return {
        competence_id: sorted(questions, key=lambda q: -questions[q])
        for competence_id, questions in question_levels(competence_ids, max_level=max_level).items()
    }


def question_levels(
    competence_ids: list[int], *, max_level: dict[int, int]
) -> dict[int, dict[int, int]]:
    """As question_bank, with the level each question is mapped at: {competence: {question: level}}."""
    mappings = CompetenceMapping.objects.filter(competence_id__in=competence_ids).filter(
        Q(question__lesson__course__status=Course.Status.PUBLISHED)
        | Q(lesson__course__status=Course.Status.PUBLISHED)
    )
    found: dict[int, dict[int, int]] = defaultdict(dict)
    lesson_levels: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for competence_id, level, question_id, lesson_id in mappings.values_list(
        "competence_id", "level", "question_id", "lesson_id"
    ):
        if level > max_level.get(competence_id, 0):
            continue
        if question_id:
            found[competence_id][question_id] = level
        else:
            lesson_levels[lesson_id].append((competence_id, level))
    if lesson_levels:
        for question_id, lesson_id in Question.objects.filter(
            lesson_id__in=lesson_levels
        ).values_list("id", "lesson_id"):
            for competence_id, level in lesson_levels[lesson_id]:
                found[competence_id].setdefault(question_id, level)
    return found


@dataclass
class CoverageRow:
    requirement: Requirement
    courses: list[Course] = field(default_factory=list)
    questions: int = 0
    # Of those, the questions mapped at the required level itself (the rest are easier ones).
    at_level: int = 0
    needed: int = 0

    @property
    def has_course(self) -> bool:
        return bool(self.courses)

    @property
    def is_short(self) -> bool:
        return 0 < self.questions < self.needed


def profile_coverage(profile: Profile) -> list[CoverageRow]:
    """For each required competence: the published courses mapped to it and how many questions
    the assessment can draw from (fewer than the profile asks for is shown as short), of which
    how many are mapped at the required level itself."""
    requirements = list(profile.requirements.select_related("competence"))
    ids = [req.competence_id for req in requirements]
    bank = question_levels(ids, max_level={req.competence_id: req.level for req in requirements})
    courses = courses_by_competence(ids)
    return [
        CoverageRow(
            requirement=req,
            courses=courses.get(req.competence_id, []),
            questions=len(bank.get(req.competence_id, {})),
            at_level=sum(level == req.level for level in bank.get(req.competence_id, {}).values()),
            needed=profile.questions_per_competence,
        )
        for req in requirements
    ]


def courses_by_competence(competence_ids: list[int]) -> dict[int, list[Course]]:
    """Published courses mapped to each competence, directly or through a lesson or question."""
    mappings = CompetenceMapping.objects.filter(competence_id__in=competence_ids).select_related(
        "course", "lesson__course", "question__lesson__course"
    )
    result: dict[int, dict[int, Course]] = defaultdict(dict)
    for mapping in mappings:
        course = (
            mapping.course
            or (mapping.lesson.course if mapping.lesson_id else None)
            or mapping.question.lesson.course
        )
        if course.status == Course.Status.PUBLISHED:
            result[mapping.competence_id][course.pk] = course
    return {
        key: sorted(courses.values(), key=lambda course: course.title)
        for key, courses in result.items()
    }


def mappings_for_framework(framework: Framework) -> QuerySet[CompetenceMapping]:
    """Every mapping to a competence of the framework, with what it points to."""
    return (
        CompetenceMapping.objects.filter(competence__framework=framework)
        .select_related("competence", "course", "lesson__course", "question__lesson__course")
        .order_by("competence__position", "course__title", "lesson_id", "question_id")
    )


def competences_of(framework: Framework) -> QuerySet[FrameworkItem]:
    return framework.items.filter(kind=FrameworkItem.Kind.COMPETENCE).order_by("position")


def resident_of(user) -> Resident | None:
    """The resident record linked to a learner account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Resident.objects.filter(user=user).select_related("village").first()


def person_q(*, user=None, resident: Resident | None = None, prefix: str = "") -> Q:
    """Rows about this person, whether recorded under the account or the resident."""
    query = Q(pk__in=[])
    if user is not None:
        query |= Q(**{f"{prefix}user": user})
    if resident is not None:
        query |= Q(**{f"{prefix}resident": resident})
    return query


def active_confirmation(*, user=None, resident: Resident | None = None) -> Confirmation | None:
    """The person's confirmation that is not revoked, if any."""
    return (
        Confirmation.objects.filter(person_q(user=user, resident=resident), revoked_at__isnull=True)
        .select_related("profile__framework", "certificate")
        .first()
    )


def assessments_of(*, user=None, resident: Resident | None = None) -> QuerySet[Assessment]:
    """The person's assessments, newest first, with their profile."""
    return (
        Assessment.objects.filter(person_q(user=user, resident=resident))
        .select_related("profile__framework", "user", "resident")
        .order_by("-started_at")
    )


def completed_course_slugs(user) -> set[str]:
    """Slugs of the courses the learner account has completed."""
    if user is None:
        return set()
    return set(
        Enrollment.objects.filter(learner=user, completed_at__isnull=False).values_list(
            "course__slug", flat=True
        )
    )
