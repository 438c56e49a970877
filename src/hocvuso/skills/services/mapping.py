"""Editors' changes to the mapping of courses, lessons and questions onto competences."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.learning.models import Course, Lesson, Question
from hocvuso.skills.models import CompetenceMapping, FrameworkItem


def _course_of(*, course: Course | None, lesson: Lesson | None, question: Question | None):
    if question is not None:
        return question.lesson.course
    if lesson is not None:
        return lesson.course
    return course


@transaction.atomic
def save_mapping(
    *,
    competence: FrameworkItem,
    level: int,
    edited_by,
    course: Course | None = None,
    lesson: Lesson | None = None,
    question: Question | None = None,
) -> CompetenceMapping:
    """Map one course, lesson or question to a competence at a level (or change the level of an
    existing mapping). The editor needs EDIT_CONTENT over the course's publisher."""
    if sum(target is not None for target in (course, lesson, question)) != 1:
        raise ValidationError(_("Hãy chọn đúng một khoá học, một bài hoặc một câu hỏi."))
    owner = _course_of(course=course, lesson=lesson, question=question)
    authorize(edited_by, Perm.EDIT_CONTENT, owner.publisher.area)
    if competence.kind != FrameworkItem.Kind.COMPETENCE:
        raise ValidationError(_("Hãy chọn một năng lực thành phần."))
    levels = set(
        competence.framework.items.filter(kind=FrameworkItem.Kind.LEVEL).values_list(
            "number", flat=True
        )
    )
    if level not in levels:
        raise ValidationError(
            _("Mức %(level)s nằm ngoài phạm vi của khung (%(low)s–%(high)s).")
            % {"level": level, "low": min(levels, default=1), "high": max(levels, default=1)}
        )
    mapping, created = CompetenceMapping.objects.get_or_create(
        competence=competence,
        course=course,
        lesson=lesson,
        question=question,
        defaults={"level": level, "created_by": edited_by},
    )
    if not created and mapping.level != level:
        mapping.level = level
        mapping.save(update_fields=["level"])
    return mapping


@transaction.atomic
def delete_mapping(*, mapping: CompetenceMapping, edited_by) -> None:
    """Remove a mapping; the editor needs EDIT_CONTENT over the course's publisher."""
    owner = _course_of(course=mapping.course, lesson=mapping.lesson, question=mapping.question)
    authorize(edited_by, Perm.EDIT_CONTENT, owner.publisher.area)
    mapping.delete()
