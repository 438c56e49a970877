"""The help assistant: a question in, the best passage of our own material out, quoted and linked.

No model is needed: the answer is the step or section of a lesson (or the FAQ entry) that the search
ranks first, with a link to that exact lesson and step. The conversation id carries the last lesson
and passage (signed, valid for an hour; nothing is stored on the server), so "còn bước tiếp theo?" walks on through the guide and "đổi mật khẩu ứng dụng
đó" is read in the light of the last topic. Where a language model server is configured, it phrases
the answer from the same passages; the quote and the links are shown either way.
"""

import re
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hocvuso.assistant import llm
from hocvuso.assistant.index import (
    STOPWORDS,
    Entry,
    Index,
    Kind,
    get_index,
    parse_query,
    plain,
    score,
    term_set,
)
from hocvuso.assistant.models import QUESTION_MAX_LENGTH, ScamPattern
from hocvuso.assistant.text import raw_tokens, strip_diacritics
from hocvuso.learning.rendering import render_markdown

CONVERSATION_SECONDS = 3600
_SALT = "hocvuso.assistant.conversation"
# Below this score the best passage shares too little with the question to be offered as its answer.
MIN_SCORE = 2.5
CONTEXT_COURSE_BOOST = 1.6
CONTEXT_LESSON_BOOST = 1.3

_NEXT = re.compile(
    r"\b(buoc|phan|bai) (tiep|sau|ke)\b|\btiep theo\b|\bsau do\b|\broi (sao|lam gi)\b|\blam tiep\b"
)
_PREVIOUS = re.compile(r"\b(buoc|phan) truoc\b|\bquay lai\b")
# Words pointing back at what was just discussed: "ứng dụng đó", "cái này", "nó".
_BACK_REFERENCE = {"do", "nay", "ay", "no", "kia", "vua", "tren"}
# Words of a question that make the scam warnings worth showing with the answer.
SCAM_WORDS = frozenset(
    {
        "lua_dao",
        "bi_lua",
        "lo_bi",
        "otp",
        "gia_danh",
        "xung_la",
        "xung_cong",
        "trung_thuong",
        "tien_ao",
        "dau_tu",
        "viec_nhe",
        "nhiem_vu",
        "hack",
        "muon_tien",
        "mao_danh",
        "gia_mao",
        "link_la",
        "tin_nhan_la",
        "so_la",
    }
)


@dataclass
class Answer:
    question: str
    conversation_id: str
    passage: Entry | None = None
    # How the passage was found: "search", "next" or "previous" step of the last lesson.
    found_by: str = "search"
    related: list[Entry] = field(default_factory=list)
    # Every step of the quoted passage's guide, so the learner sees where the step sits.
    outline: list[Entry] = field(default_factory=list)
    scams: list[ScamPattern] = field(default_factory=list)
    phrased: str | None = None

    @property
    def is_found(self) -> bool:
        return self.passage is not None

    @property
    def quote(self) -> str:
        return self.passage.text if self.passage else ""

    @property
    def quote_html(self) -> str:
        """The quoted passage rendered from its Markdown and sanitised, as the lesson shows it."""
        return render_markdown(self.quote)

    @property
    def location(self) -> str:
        """Where the quote is from, in words: "Kích hoạt tài khoản… — Bước 3: Nhập mã kích hoạt"."""
        entry = self.passage
        if entry is None:
            return ""
        if entry.kind == Kind.STEP:
            return _("%(lesson)s — Bước %(number)s: %(title)s") % {
                "lesson": entry.lesson_title,
                "number": entry.number,
                "title": entry.title,
            }
        if entry.kind == Kind.SECTION and entry.title != entry.lesson_title:
            return f"{entry.lesson_title} — {entry.title}"
        if entry.kind == Kind.FAQ:
            return _("Câu hỏi thường gặp: %(title)s") % {"title": entry.title}
        return entry.title


@dataclass(frozen=True)
class RankedLesson:
    lesson_id: int
    score: float
    # Position in the index of the lesson's passage that best answers the question.
    best: int


def clean_question(text: str | None) -> str:
    """The question as asked, or a ValidationError in Vietnamese when empty or too long."""
    question = (text or "").strip()
    if not question:
        raise ValidationError(_("Hãy gõ câu hỏi của bạn, ví dụ: “cách kích hoạt VNeID mức 2”."))
    if len(question) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            _("Câu hỏi dài quá %(limit)s ký tự. Hãy hỏi ngắn gọn từng việc một.")
            % {"limit": QUESTION_MAX_LENGTH}
        )
    return question


def _context(conversation_id: str | None) -> dict:
    """The last passage of the conversation, carried in its signed id; {} when new or stale."""
    if not conversation_id or len(conversation_id) > 500:
        return {}
    try:
        context = signing.loads(conversation_id, salt=_SALT, max_age=CONVERSATION_SECONDS)
    except signing.BadSignature:
        return {}
    return context if isinstance(context, dict) else {}


def _conversation_id(entry: Entry | None, previous: dict) -> str:
    """The id to send with the next question: where this answer left the learner, signed."""
    state = (
        {"key": entry.key, "lesson_id": entry.lesson_id, "course_id": entry.course_id}
        if entry is not None
        else previous
    )
    return signing.dumps(state, salt=_SALT)


def rank_lessons(
    question: str, *, context: dict | None = None
) -> tuple[list[RankedLesson], tuple[float, int]]:
    """Lessons ranked for the question, and the best FAQ entry's (score, position), -1 when none.

    A lesson scores by its own text plus its best step or section; after a question about a lesson,
    a question that points back at it ("ứng dụng đó") favours that course and lesson.
    """
    index = get_index()
    query = parse_query(question, index)
    scores = score(query, index)
    context = context or {}
    words = set(raw_tokens(question))
    content = [w for w in query.words if w not in STOPWORDS]
    leans_on_context = bool(context) and (bool(words & _BACK_REFERENCE) or len(content) <= 2)
    lesson_own: dict[int, float] = {}
    best_child: dict[int, tuple[float, int]] = {}
    best_faq = (0.0, -1)
    for position, value in scores.items():
        entry = index.entries[position]
        if leans_on_context:
            if entry.course_id is not None and entry.course_id == context.get("course_id"):
                value *= CONTEXT_COURSE_BOOST
            if entry.lesson_id is not None and entry.lesson_id == context.get("lesson_id"):
                value *= CONTEXT_LESSON_BOOST
        if entry.kind == Kind.FAQ:
            best_faq = max(best_faq, (value, position))
        elif entry.kind == Kind.LESSON:
            lesson_own[entry.lesson_id] = value
        elif entry.kind in (Kind.STEP, Kind.SECTION) and (
            value > best_child.get(entry.lesson_id, (0.0, -1))[0]
        ):
            best_child[entry.lesson_id] = (value, position)
    lesson_positions = {
        entry.lesson_id: position
        for position, entry in enumerate(index.entries)
        if entry.kind == Kind.LESSON and entry.lesson_id in lesson_own
    }
    ranked = []
    for lesson_id in set(lesson_own) | set(best_child):
        child_score, child = best_child.get(lesson_id, (0.0, -1))
        own = lesson_own.get(lesson_id, 0.0)
        best = child if child >= 0 else lesson_positions[lesson_id]
        ranked.append(RankedLesson(lesson_id, own + child_score, best))
    ranked.sort(key=lambda item: -item.score)
    return ranked, best_faq if best_faq[0] >= MIN_SCORE else (0.0, -1)


def _walk(index: Index, context: dict, step: int) -> Entry | None:
    """The passage after (step=1) or before (step=-1) the last one, into the next lesson if need be."""
    lesson_id = context.get("lesson_id")
    if lesson_id is None:
        return None
    passages = index.lesson_passages.get(lesson_id, [])
    keys = [index.entries[p].key for p in passages]
    if context.get("key") in keys:
        at = keys.index(context["key"]) + step
        if 0 <= at < len(passages):
            return index.entries[passages[at]]
    elif step > 0 and passages:
        return index.entries[passages[0]]
    if step < 0:
        return None
    order = index.lesson_order.get(context.get("course_id"), [])
    if lesson_id in order and order.index(lesson_id) + 1 < len(order):
        following = order[order.index(lesson_id) + 1]
        found = index.lesson_passages.get(following)
        if found:
            return index.entries[found[0]]
        return next(
            (e for e in index.entries if e.kind == Kind.LESSON and e.lesson_id == following), None
        )
    return None


def is_about_scams(question: str, passage: Entry | None) -> bool:
    """True when the question or its answer touches fraud: then the current warnings go with it."""
    if passage is not None and passage.course_topic == "scams":
        return True
    return bool(term_set(question) & SCAM_WORDS)


def matching_scams(question: str, *, limit: int = 2) -> list[ScamPattern]:
    """The published scam patterns that share the most words with the question."""
    asked = term_set(question)
    ranked = []
    for pattern, terms in get_index().scams:
        shared = asked & terms
        # Without diacritics one syllable is ambiguous ("bao": báo, bảo, bao), so a pattern matches
        # by pairs of words, and by the few words that mean fraud on their own (otp, hack).
        weight = sum(
            2 if "_" in term else 1 for term in shared if "_" in term or term in SCAM_WORDS
        )
        if weight >= 2:
            ranked.append((weight, -pattern.position, pattern))
    ranked.sort(key=lambda item: (-item[0], -item[1]))
    return [pattern for _weight, _position, pattern in ranked[:limit]]


def ask(question: str, *, conversation_id: str | None = None, phrase: bool = True) -> Answer:
    """Answer a question from our material, remembering it in the conversation for follow-ups."""
    question = clean_question(question)
    context = _context(conversation_id)
    index = get_index()
    answer = Answer(question=question, conversation_id="")
    folded = strip_diacritics(question)
    walked = None
    if context and _NEXT.search(folded):
        walked, answer.found_by = _walk(index, context, 1), "next"
    elif context and _PREVIOUS.search(folded):
        walked, answer.found_by = _walk(index, context, -1), "previous"
    if walked is not None:
        answer.passage = walked
    else:
        answer.found_by = "search"
        ranked, (faq_score, faq) = rank_lessons(question, context=context)
        top = ranked[0] if ranked and ranked[0].score >= MIN_SCORE else None
        if top is not None:
            answer.passage = index.entries[top.best]
        # An editor's answer to this very question beats a lesson that matches it less well
        # (the lesson's score counts its own text and its best passage).
        if faq >= 0 and (top is None or faq_score > top.score):
            answer.passage = index.entries[faq]
        shown = answer.passage.lesson_id if answer.passage else None
        answer.related = [
            index.entries[item.best]
            for item in ranked[:4]
            if item.lesson_id != shown and item.score >= MIN_SCORE
        ][:3]
    answer.conversation_id = _conversation_id(answer.passage, context)
    if answer.passage is not None and answer.passage.lesson_id is not None:
        answer.outline = [
            index.entries[p]
            for p in index.lesson_passages.get(answer.passage.lesson_id, [])
            if index.entries[p].kind == Kind.STEP
        ]
    if is_about_scams(question, answer.passage):
        answer.scams = matching_scams(question)
    if phrase and answer.passage is not None:
        passages = [(answer.location, plain(answer.passage.text))]
        passages += [(entry.title, plain(entry.text)) for entry in answer.related[:2]]
        answer.phrased = llm.phrase_answer(question, passages)
    return answer
