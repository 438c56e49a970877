"""Public API of help: search over the material, the assistant, and the message check.

The bodies are read here rather than by ninja, so that an oversized one gets a 413 with a Vietnamese
message instead of the framework's bare 400.
"""

import json

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from hocvuso.assistant import ratelimit
from hocvuso.assistant.answers import ask
from hocvuso.assistant.checker import MESSAGE_MAX_LENGTH, check_message
from hocvuso.assistant.index import Entry, Kind, get_index, parse_query, search, snippet
from hocvuso.assistant.models import QUESTION_MAX_LENGTH
from hocvuso.assistant.text import tokens

search_router = Router(tags=["help"])
router = Router(tags=["help"])

ERRORS = {413: dict, 422: dict, 429: dict}


class SearchResult(Schema):
    kind: str
    title: str
    snippet: str
    url: str
    course: str
    lesson: str
    step_number: int | None
    score: float


class SearchOut(Schema):
    query: str
    # Words of the query the index did not know, and what they were read as ("vnied" → "vneid").
    corrected: dict[str, str]
    results: list[SearchResult]


class PassageOut(Schema):
    kind: str
    title: str
    location: str
    text: str
    url: str
    course: str
    lesson: str
    step_number: int | None


class ScamOut(Schema):
    title: str
    signs: str
    advice: str


class AnswerOut(Schema):
    conversation_id: str
    found: bool
    # The language model's phrasing where one is configured and answered, else the quoted passage.
    answer: str
    phrased_by_model: bool
    source: PassageOut | None
    related: list[PassageOut]
    scam_warnings: list[ScamOut]


class SignOut(Schema):
    code: str
    title: str
    explanation: str
    evidence: str


class CheckOut(Schema):
    level: str
    signs: list[SignOut]
    links: list[str]
    advice: list[str]


def _limit(request, bucket: str) -> None:
    if not ratelimit.allow(request, bucket):
        raise HttpError(
            429, _("Bạn gửi nhiều quá trong thời gian ngắn. Hãy chờ một phút rồi thử lại.")
        )


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except RequestDataTooBig as error:
        raise HttpError(413, _("Nội dung gửi lên quá lớn.")) from error
    except ValueError as error:
        raise HttpError(422, _("Nội dung gửi lên không phải JSON hợp lệ.")) from error
    if not isinstance(data, dict):
        raise HttpError(422, _("Nội dung gửi lên phải là một đối tượng JSON."))
    return data


def _text(data: dict, name: str, limit: int, too_long: str) -> str:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise HttpError(422, _("Trường “%(name)s” phải là chữ.") % {"name": name})
    if value and len(value.strip()) > limit:
        raise HttpError(413, too_long)
    return value or ""


def _passage(entry: Entry, location: str = "") -> dict:
    return {
        "kind": entry.kind,
        "title": entry.title,
        "location": location or entry.title,
        "text": entry.text,
        "url": entry.url,
        "course": entry.course_title,
        "lesson": entry.lesson_title,
        "step_number": entry.number if entry.kind == Kind.STEP else None,
    }


@search_router.get("", response={200: SearchOut, **ERRORS}, url_name="search")
def search_material(request, q: str = "", limit: int = 10):
    """Courses, lessons, steps and FAQ entries ranked for `q`, with or without diacritics.

    Typos are corrected against the material's own words and common abbreviations are expanded
    (dvc, tk, mk, sđt, ck…).
    """
    query = q.strip()
    if not query:
        raise HttpError(422, _("Hãy nhập từ khoá cần tìm."))
    if len(query) > QUESTION_MAX_LENGTH:
        raise HttpError(413, _("Từ khoá dài quá %(limit)s ký tự.") % {"limit": QUESTION_MAX_LENGTH})
    _limit(request, "search")
    limit = min(max(limit, 1), 50)
    words = tokens(query)
    hits = search(query, limit=limit)
    return {
        "query": query,
        "corrected": parse_query(query, get_index()).corrected,
        "results": [
            {
                "kind": Kind.LESSON if hit.entry.kind == Kind.SECTION else hit.entry.kind,
                "title": hit.entry.title,
                "snippet": snippet(hit.entry.text, words),
                "url": hit.entry.url,
                "course": hit.entry.course_title,
                "lesson": hit.entry.lesson_title,
                "step_number": hit.entry.number if hit.entry.kind == Kind.STEP else None,
                "score": round(hit.score, 3),
            }
            for hit in hits
        ],
    }


QUESTION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {
                        "question": {"type": "string", "maxLength": QUESTION_MAX_LENGTH},
                        "conversation_id": {
                            "type": "string",
                            "description": "From the previous answer, to ask a follow-up.",
                        },
                    },
                }
            }
        },
    }
}
MESSAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string", "maxLength": MESSAGE_MAX_LENGTH}},
                }
            }
        },
    }
}


@router.post("/ask", response={200: AnswerOut, **ERRORS}, openapi_extra=QUESTION_BODY)
def ask_assistant(request):
    """An answer quoted from our material, with links to the exact lesson and step.

    Send the `conversation_id` of the previous answer to ask a follow-up ("còn bước tiếp theo?").
    """
    data = _json_body(request)
    question = _text(
        data,
        "question",
        QUESTION_MAX_LENGTH,
        _("Câu hỏi dài quá %(limit)s ký tự.") % {"limit": QUESTION_MAX_LENGTH},
    )
    conversation = data.get("conversation_id")
    _limit(request, "ask")
    try:
        answer = ask(
            question, conversation_id=conversation if isinstance(conversation, str) else None
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from error
    if answer.passage is None:
        text = _(
            "Chưa tìm thấy bài nào trả lời câu hỏi này. Hãy hỏi cách khác, hoặc nhờ Tổ công nghệ số "
            "cộng đồng ở thôn của bạn hướng dẫn."
        )
    else:
        text = answer.phrased or answer.quote
    return {
        "conversation_id": answer.conversation_id,
        "found": answer.is_found,
        "answer": text,
        "phrased_by_model": answer.phrased is not None,
        "source": _passage(answer.passage, answer.location) if answer.passage else None,
        "related": [_passage(entry) for entry in answer.related],
        "scam_warnings": [
            {"title": p.title, "signs": p.signs, "advice": p.advice} for p in answer.scams
        ],
    }


@router.post("/check-message", response={200: CheckOut, **ERRORS}, openapi_extra=MESSAGE_BODY)
def check_suspicious_message(request):
    """The warning signs of fraud in a pasted SMS or Zalo message, and what to do."""
    data = _json_body(request)
    message = _text(
        data,
        "message",
        MESSAGE_MAX_LENGTH,
        _("Tin nhắn dài quá %(limit)s ký tự.") % {"limit": MESSAGE_MAX_LENGTH},
    )
    _limit(request, "check")
    try:
        result = check_message(message)
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from error
    return {
        "level": result.level,
        "signs": [sign.__dict__ for sign in result.signs],
        "links": result.links,
        "advice": result.advice,
    }
