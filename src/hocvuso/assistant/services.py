"""Writes of the help app: help requests, the FAQ and the scam-pattern feed, the starter content."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.accounts.models import User
from hocvuso.accounts.phone import normalise_phone
from hocvuso.assistant.answers import clean_question
from hocvuso.assistant.models import Faq, HelpRequest, ScamPattern
from hocvuso.field.models import Visit
from hocvuso.learning.models import Lesson
from hocvuso.places.models import COUNTRY_CODE, Area

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter.json"


def _village(area: Area | None) -> Area:
    if area is None or area.level != Area.Level.VILLAGE or not area.is_active:
        raise ValidationError(_("Hãy chọn thôn, tổ dân phố nơi bạn sống để tổ ở đó đến giúp."))
    return area


@transaction.atomic
def create_help_request(
    *,
    question: str,
    learner: User | None,
    village: Area | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    consent: bool = False,
    lesson: Lesson | None = None,
) -> HelpRequest:
    """Ask the community team of the person's village to come and help with `question`.

    A signed-in learner's village is their home area unless they choose another; a person without an
    account leaves a phone number, and only after agreeing that the team may use it to call back.
    """
    question = clean_question(question)
    phone = ""
    name = contact_name.strip()[:100]
    if learner is None or not learner.is_authenticated:
        learner = None
        phone = normalise_phone(contact_phone)
        if not phone:
            raise ValidationError(
                _("Hãy nhập số điện thoại di động (10 số) để tổ công nghệ số gọi lại cho bạn.")
            )
        if not consent:
            raise ValidationError(
                _("Hãy đồng ý cho tổ công nghệ số dùng số điện thoại này để liên hệ hỗ trợ bạn.")
            )
        village = _village(village)
    else:
        home = learner.home_area
        village = _village(village or (home if home and home.level == Area.Level.VILLAGE else None))
    request = HelpRequest(
        question=question,
        learner=learner,
        contact_name=name,
        contact_phone=phone,
        consent_at=timezone.now() if phone else None,
        village=village,
        lesson=lesson,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def close_help_request(
    *, help_request: HelpRequest, closed_by: User, note: str = "", visit: Visit | None = None
) -> HelpRequest:
    """Mark a request as handled after the team's visit, optionally linking the visit recorded.

    The phone number a person without an account left is erased now: it was given for this one
    request.
    """
    authorize(closed_by, Perm.RECORD_FIELD_WORK, help_request.village)
    if help_request.status == HelpRequest.Status.CLOSED:
        raise ValidationError(_("Yêu cầu này đã được đóng trước đó."))
    if visit is not None and not visit.area.path.startswith(help_request.village.path):
        raise ValidationError(_("Lần hỗ trợ được chọn không thuộc thôn của yêu cầu này."))
    help_request.status = HelpRequest.Status.CLOSED
    help_request.closed_at = timezone.now()
    help_request.closed_by = closed_by
    help_request.closing_note = note.strip()[:2000]
    help_request.visit = visit
    help_request.contact_phone = ""
    help_request.save(
        update_fields=["status", "closed_at", "closed_by", "closing_note", "visit", "contact_phone"]
    )
    return help_request


def ensure_editor(user: User) -> None:
    """The FAQ and the scam feed are national content: editors over the whole country only."""
    country = Area.objects.filter(code=COUNTRY_CODE).first()
    if country is None or not can(user, Perm.EDIT_CONTENT, country):
        raise PermissionDenied


@transaction.atomic
def save_faq(*, faq: Faq, edited_by: User) -> Faq:
    """Create or update an FAQ entry (validated); the search index picks it up at once."""
    ensure_editor(edited_by)
    faq.updated_by = edited_by
    faq.full_clean()
    faq.save()
    return faq


@transaction.atomic
def save_scam_pattern(*, pattern: ScamPattern, edited_by: User) -> ScamPattern:
    """Create or update a scam pattern of the feed (validated)."""
    ensure_editor(edited_by)
    pattern.updated_by = edited_by
    pattern.full_clean()
    pattern.save()
    return pattern


@dataclass(frozen=True)
class StarterResult:
    faqs_created: int
    scams_created: int


@transaction.atomic
def install_starter_help(path: Path = STARTER_FILE) -> StarterResult:
    """Install the shipped FAQ and scam patterns once; entries already there (by key) are kept."""
    data = json.loads(path.read_text(encoding="utf-8"))
    faqs = scams = 0
    for position, item in enumerate(data["faqs"], start=1):
        _faq, created = Faq.objects.get_or_create(
            key=item["key"],
            defaults={
                "question": item["question"],
                "answer": item["answer"],
                "keywords": item.get("keywords", ""),
                "position": position,
            },
        )
        faqs += created
    for position, item in enumerate(data["scams"], start=1):
        _pattern, created = ScamPattern.objects.get_or_create(
            key=item["key"],
            defaults={
                "title": item["title"],
                "signs": item["signs"],
                "advice": item["advice"],
                "keywords": item.get("keywords", ""),
                "position": position,
            },
        )
        scams += created
    return StarterResult(faqs_created=faqs, scams_created=scams)
