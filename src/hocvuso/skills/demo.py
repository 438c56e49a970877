"""Demo skills: the shipped frameworks, the starter catalogue's mapping, and one confirmed resident of
Thôn Sài Lương (assessed with the help of team member demo.totv) holding a certificate.

Runs after the people, field and catalogue demos. Loading twice changes nothing: the frameworks
and mapping are idempotent and a resident already confirmed is not assessed again.
"""

from django.db import transaction

from hocvuso.accounts.models import User
from hocvuso.learning.models import Choice, Question
from hocvuso.people.choices import TargetGroup
from hocvuso.people.models import Resident
from hocvuso.skills.models import Assessment, Certificate
from hocvuso.skills.selectors import active_confirmation, current_profile
from hocvuso.skills.services.assessment import start_assessment, submit_assessment
from hocvuso.skills.services.frameworks import load_shipped_frameworks, load_starter_mapping

COMMUNE_CODE = "04399"
VILLAGE_NAME = "Thôn Sài Lương"
ASSISTANT = "demo.totv"


def right_answers(assessment: Assessment) -> dict[int, list[int]]:
    """The right answer to every drawn question of a sitting."""
    ids = [entry["question"] for entry in assessment.drawn]
    kinds = dict(Question.objects.filter(pk__in=ids).values_list("pk", "kind"))
    answers: dict[int, list[int]] = {pk: [] for pk in ids}
    for choice in Choice.objects.filter(question_id__in=ids).order_by("position", "id"):
        if kinds[choice.question_id] == Question.Kind.ORDER or choice.is_correct:
            answers[choice.question_id].append(choice.pk)
    return answers


@transaction.atomic
def load_demo_skills() -> Certificate | None:
    """Load the frameworks and mapping, and confirm one demo resident; their certificate."""
    load_shipped_frameworks()
    load_starter_mapping()
    helper = User.objects.filter(username=ASSISTANT).first()
    resident = (
        Resident.objects.filter(
            village__parent__code=COMMUNE_CODE,
            village__name=VILLAGE_NAME,
            target_group=TargetGroup.CITIZENS,
        )
        .order_by("pk")
        .first()
    )
    profile = current_profile(TargetGroup.CITIZENS)
    if helper is None or resident is None or profile is None:
        return None
    confirmation = active_confirmation(user=resident.user, resident=resident)
    if confirmation is None:
        sitting = start_assessment(profile=profile, resident=resident, assisted_by=helper)
        submit_assessment(assessment=sitting, answers=right_answers(sitting))
        confirmation = active_confirmation(user=resident.user, resident=resident)
    return getattr(confirmation, "certificate", None)
