"""The search index over the published material and the FAQ, built in Python, kept per process.

The same ranking on SQLite and PostgreSQL: every passage (a course, a lesson, a section of a reading,
a step of a guide, an FAQ entry) is read once, normalised (no diacritics, abbreviations expanded) and
scored with BM25 over single words and two-word pairs, titles counting three times. A word that is
not in the index is corrected to the nearest one that is (edit distance), so "kich hoatt" and
"vnied" still find their lessons. The index is rebuilt when the content version changes (bumped by
the receivers on every save or delete of the material, the FAQ or the scam feed) and at the latest
every few minutes.
"""

import itertools
import math
import re
import threading
import time
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.urls import reverse
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hocvuso.assistant.models import Faq, ScamPattern
from hocvuso.assistant.text import bigrams, strip_diacritics, tokens
from hocvuso.learning.models import Course, Lesson, Step

VERSION_KEY = "hocvuso:assistant:content-version"
# Writes that bypass model signals (bulk updates, another server's shell) show up within this time.
MAX_AGE_SECONDS = 600
K1 = 1.2
B = 0.75
BIGRAM_WEIGHT = 1.5
PAIRED_WORD_WEIGHT = 0.5

# Words of a question that say nothing about its subject.
STOPWORDS = frozenset(
    [
        "a",
        "ah",
        "ay",
        "ba",
        "bac",
        "ban",
        "bi",
        "biet",
        "cac",
        "cach",
        "can",
        "chi",
        "cho",
        "chua",
        "co",
        "con",
        "cua",
        "da",
        "dang",
        "dau",
        "de",
        "di",
        "do",
        "duoc",
        "em",
        "gi",
        "giup",
        "ha",
        "hay",
        "khi",
        "khong",
        "la",
        "lam",
        "len",
        "luc",
        "ma",
        "minh",
        "mot",
        "muon",
        "nao",
        "nay",
        "nhe",
        "nhu",
        "nhung",
        "no",
        "o",
        "oi",
        "phai",
        "ra",
        "rang",
        "roi",
        "sao",
        "se",
        "tai",
        "the",
        "thi",
        "thu",
        "toi",
        "tren",
        "trong",
        "tu",
        "va",
        "vay",
        "vao",
        "ve",
        "voi",
        "xin",
        "xong",
    ]
)


class Kind:
    COURSE = "course"
    LESSON = "lesson"
    SECTION = "section"
    STEP = "step"
    FAQ = "faq"


@dataclass(frozen=True)
class Entry:
    """One passage a search can return and the assistant can quote."""

    kind: str
    key: str
    title: str
    # The passage as written (Markdown for lessons and steps), quoted in answers.
    text: str
    url: str
    course_id: int | None = None
    course_title: str = ""
    course_topic: str = ""
    lesson_id: int | None = None
    lesson_title: str = ""
    # 1-based: the step's number in its guide, or the section's order in its reading.
    number: int = 0


@dataclass
class Index:
    version: str
    built_at: float
    entries: list[Entry]
    postings: dict[str, list[tuple[int, float]]]
    idf: dict[str, float]
    lengths: list[float]
    average_length: float
    vocabulary: list[str]
    frequency: dict[str, int]
    # "matkhau" → ["mat", "khau"]: words typed without their space.
    joined: dict[str, list[str]]
    # Each lesson's passages in reading order: what "bước tiếp theo" walks through.
    lesson_passages: dict[int, list[int]] = field(default_factory=dict)
    lesson_order: dict[int, list[int]] = field(default_factory=dict)
    # The published scam patterns with the terms of their title and keywords, in feed order.
    scams: list[tuple[ScamPattern, set[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Query:
    words: list[str]
    terms: dict[str, float]
    corrected: dict[str, str]


def pairs(words: list[str]) -> list[str]:
    """The two-word pairs that carry meaning: "thế nào", two stopwords together, says nothing."""
    return [
        pair
        for pair, (first, second) in zip(bigrams(words), itertools.pairwise(words), strict=True)
        if first not in STOPWORDS or second not in STOPWORDS
    ]


def term_set(text: str) -> set[str]:
    """The words (no stopwords) and meaningful pairs of a text, without weights."""
    words = tokens(text)
    return {w for w in words if w not in STOPWORDS} | set(pairs(words))


def _terms(text: str, weight: float, into: dict[str, float]) -> None:
    words = tokens(text)
    for word in words:
        if word not in STOPWORDS:
            into[word] = into.get(word, 0.0) + weight
    for pair in pairs(words):
        into[pair] = into.get(pair, 0.0) + weight


_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


def sections(body: str) -> list[tuple[str, str]]:
    """A reading's Markdown cut at its headings: (heading, text) pairs, the opening without heading."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        match = _HEADING.match(line.strip())
        if match:
            parts.append((match.group(1).strip(), []))
        else:
            parts[-1][1].append(line)
    return [(title, "\n".join(lines).strip()) for title, lines in parts if "\n".join(lines).strip()]


def _material() -> list[tuple[Entry, list[tuple[str, float]]]]:
    """Every passage with its weighted fields, read in four queries."""
    courses = {
        course.id: course
        for course in Course.objects.filter(status=Course.Status.PUBLISHED).only(
            "id", "slug", "title", "summary", "topic"
        )
    }
    lessons = list(
        Lesson.objects.filter(course_id__in=courses)
        .exclude(kind=Lesson.Kind.CHECK)
        .only("id", "course_id", "position", "kind", "title", "body")
        .order_by("course_id", "position", "id")
    )
    steps: dict[int, list[Step]] = defaultdict(list)
    for step in (
        Step.objects.filter(lesson__in=[lesson.id for lesson in lessons])
        .only("id", "lesson_id", "position", "title", "instruction")
        .order_by("lesson_id", "position", "id")
    ):
        steps[step.lesson_id].append(step)

    items: list[tuple[Entry, list[tuple[str, float]]]] = []
    for course in courses.values():
        url = reverse("learning:course", args=[course.slug])
        entry = Entry(
            Kind.COURSE,
            f"course:{course.id}",
            course.title,
            course.summary,
            url,
            course_id=course.id,
            course_title=course.title,
            course_topic=course.topic,
        )
        items.append((entry, [(course.title, 3.0), (course.summary, 1.0)]))
    for lesson in lessons:
        course = courses[lesson.course_id]
        url = reverse("learning:lesson", args=[course.slug, lesson.id])
        common = {
            "course_id": course.id,
            "course_title": course.title,
            "course_topic": course.topic,
            "lesson_id": lesson.id,
            "lesson_title": lesson.title,
        }
        step_titles = " ".join(step.title for step in steps[lesson.id])
        items.append(
            (
                Entry(Kind.LESSON, f"lesson:{lesson.id}", lesson.title, lesson.body, url, **common),
                [
                    (lesson.title, 3.0),
                    (lesson.body, 1.0),
                    (step_titles, 1.0),
                    (course.title, 0.5),
                ],
            )
        )
        for number, (heading, text) in enumerate(sections(lesson.body), start=1):
            title = heading or lesson.title
            items.append(
                (
                    Entry(
                        Kind.SECTION,
                        f"section:{lesson.id}:{number}",
                        title,
                        text,
                        url,
                        number=number,
                        **common,
                    ),
                    [(heading, 2.0), (text, 1.0), (lesson.title, 1.0), (course.title, 0.5)],
                )
            )
        for number, step in enumerate(steps[lesson.id], start=1):
            items.append(
                (
                    Entry(
                        Kind.STEP,
                        f"step:{step.id}",
                        step.title,
                        step.instruction,
                        f"{url}?buoc={number}#buoc",
                        number=number,
                        **common,
                    ),
                    [
                        (step.title, 3.0),
                        (step.instruction, 1.0),
                        (lesson.title, 1.0),
                        (course.title, 0.5),
                    ],
                )
            )
    faq_url = reverse("assistant:faq")
    for faq in Faq.objects.filter(is_published=True):
        entry = Entry(
            Kind.FAQ, f"faq:{faq.id}", faq.question, faq.answer, f"{faq_url}#hoi-{faq.id}"
        )
        items.append((entry, [(faq.question, 3.0), (faq.keywords, 2.0), (faq.answer, 1.0)]))
    return items


def build_index(version: str) -> Index:
    """Read the material and build the index (tens of milliseconds for the whole catalogue)."""
    items = _material()
    entries = [entry for entry, _fields in items]
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    lengths: list[float] = []
    for position, (_entry, fields) in enumerate(items):
        weights: dict[str, float] = {}
        for text, weight in fields:
            _terms(text, weight, weights)
        lengths.append(sum(weight for term, weight in weights.items() if "_" not in term) or 1.0)
        for term, weight in weights.items():
            postings[term].append((position, weight))
    count = len(entries) or 1
    idf = {
        term: math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
        for term, found in postings.items()
    }
    frequency = {term: len(found) for term, found in postings.items() if "_" not in term}
    joined = {term.replace("_", ""): term.split("_") for term in postings if "_" in term}
    lesson_passages: dict[int, list[int]] = defaultdict(list)
    lesson_order: dict[int, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        if entry.kind in (Kind.SECTION, Kind.STEP) and entry.lesson_id is not None:
            lesson_passages[entry.lesson_id].append(position)
        if entry.kind == Kind.LESSON and entry.course_id is not None:
            lesson_order[entry.course_id].append(entry.lesson_id)
    # A guide's steps are the passages to walk through; its opening text comes first.
    for lesson_id, found in lesson_passages.items():
        found.sort(key=lambda p: (entries[p].kind == Kind.STEP, entries[p].number))
        lesson_passages[lesson_id] = found
    return Index(
        version=version,
        built_at=time.monotonic(),
        entries=entries,
        postings=dict(postings),
        idf=idf,
        lengths=lengths,
        average_length=sum(lengths) / len(lengths) if lengths else 1.0,
        vocabulary=sorted(frequency),
        frequency=frequency,
        joined=joined,
        lesson_passages=dict(lesson_passages),
        lesson_order=dict(lesson_order),
        scams=[
            (pattern, term_set(f"{pattern.title} {pattern.keywords}"))
            for pattern in ScamPattern.objects.filter(is_published=True).order_by("position", "id")
        ],
    )


_lock = threading.Lock()
_current: Index | None = None


def content_version() -> str:
    """The version of the searchable content, shared by every process through the cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY) or version
    return version


def bump_content_version() -> None:
    """Mark every process's index stale: the material or the FAQ changed."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def get_index() -> Index:
    """This process's index, rebuilt when the content changed or it is older than MAX_AGE_SECONDS."""
    global _current
    version = content_version()
    index = _current
    if (
        index is not None
        and index.version == version
        and time.monotonic() - index.built_at < MAX_AGE_SECONDS
    ):
        return index
    with _lock:
        index = _current
        if (
            index is None
            or index.version != version
            or (time.monotonic() - index.built_at >= MAX_AGE_SECONDS)
        ):
            index = build_index(version)
            _current = index
    return index


def _correct(word: str, index: Index) -> list[str]:
    """The word as the index knows it: itself, split where a space was left out, or the nearest."""
    if word in index.frequency or word in STOPWORDS or word.isdigit() or len(word) < 3:
        return [word]
    if word in index.joined:
        return index.joined[word]
    cutoff = 1 if len(word) <= 5 else 2
    matches = process.extract(
        word, index.vocabulary, scorer=OSA.distance, score_cutoff=cutoff, limit=8
    )
    if not matches:
        return [word]
    best = min(matches, key=lambda m: (m[1], -index.frequency[m[0]]))
    return [best[0]]


def parse_query(text: str, index: Index) -> Query:
    """The question's words, corrected against the index, and the terms to score with."""
    words: list[str] = []
    corrected: dict[str, str] = {}
    for word in tokens(text):
        fixed = _correct(word, index)
        if fixed != [word]:
            corrected[word] = " ".join(fixed)
        words.extend(fixed)
    terms: dict[str, float] = {}
    paired: set[str] = set()
    for pair in pairs(words):
        if pair in index.postings:
            terms[pair] = terms.get(pair, 0.0) + BIGRAM_WEIGHT
            paired.update(pair.split("_"))
    for word in words:
        if word not in STOPWORDS:
            # A syllable read within a known pair ("an" of "công an") means the pair, not the
            # syllable alone ("an" of "an toàn").
            weight = PAIRED_WORD_WEIGHT if word in paired else 1.0
            terms[word] = terms.get(word, 0.0) + weight
    return Query(words=words, terms=terms, corrected=corrected)


def score(query: Query, index: Index) -> dict[int, float]:
    """BM25 of every entry that shares a term with the query, by entry position."""
    scores: dict[int, float] = defaultdict(float)
    for term, query_weight in query.terms.items():
        found = index.postings.get(term)
        if not found:
            continue
        idf = index.idf[term]
        for position, tf in found:
            norm = K1 * (1 - B + B * index.lengths[position] / index.average_length)
            scores[position] += query_weight * idf * tf * (K1 + 1) / (tf + norm)
    return scores


def _in_context(scores: dict[int, float], index: Index) -> dict[int, float]:
    """Scores that count where a passage sits: a lesson gains its best step or section, a step
    or section half its lesson's own score, a course half its best lesson's; so a short FAQ entry
    or a course title that shares a word does not outrank the lesson about the question.
    """
    own_lesson: dict[int, float] = {}
    best_child: dict[int, float] = {}
    best_lesson_of_course: dict[int, float] = {}
    for position, value in scores.items():
        entry = index.entries[position]
        if entry.kind == Kind.LESSON:
            own_lesson[entry.lesson_id] = value
            best_lesson_of_course[entry.course_id] = max(
                value, best_lesson_of_course.get(entry.course_id, 0.0)
            )
        elif entry.kind in (Kind.STEP, Kind.SECTION):
            best_child[entry.lesson_id] = max(value, best_child.get(entry.lesson_id, 0.0))
    placed = {}
    for position, value in scores.items():
        entry = index.entries[position]
        if entry.kind == Kind.LESSON:
            value += best_child.get(entry.lesson_id, 0.0)
        elif entry.kind in (Kind.STEP, Kind.SECTION):
            value += 0.5 * own_lesson.get(entry.lesson_id, 0.0)
        elif entry.kind == Kind.COURSE:
            value += 0.5 * best_lesson_of_course.get(entry.course_id, 0.0)
        placed[position] = value
    return placed


def search(text: str, *, kinds: tuple[str, ...] | None = None, limit: int = 20) -> list[Hit]:
    """Courses, lessons, steps and FAQ entries ranked for a typed query, best first.

    A lesson shows once: by itself, or by its section that matches best, whichever ranks higher.
    """
    index = get_index()
    query = parse_query(text, index)
    scores = _in_context(score(query, index), index)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    hits = []
    shown_lessons: set[int] = set()
    for position, value in ranked:
        entry = index.entries[position]
        if kinds is not None and entry.kind not in kinds:
            continue
        if entry.kind in (Kind.LESSON, Kind.SECTION):
            if entry.lesson_id in shown_lessons:
                continue
            shown_lessons.add(entry.lesson_id)
        hits.append(Hit(entry, value))
        if len(hits) >= limit:
            break
    return hits


_MARKUP = re.compile(r"[*_`>#\[\]]+|\(https?://[^)]*\)")


def plain(text: str) -> str:
    """Markdown reduced to its words, for snippets and for a language model's prompt."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip()


def snippet(text: str, words: list[str], size: int = 200) -> str:
    """About `size` characters of the passage around the first word of the query it contains."""
    clean = unicodedata.normalize("NFC", plain(text))
    if len(clean) <= size:
        return clean
    folded = strip_diacritics(clean)
    content = [w for w in words if w not in STOPWORDS and len(w) > 1]
    starts = [m.start() for w in content for m in [re.search(rf"\b{re.escape(w)}\b", folded)] if m]
    start = max(0, min(starts) - size // 3) if starts else 0
    if start:
        space = clean.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(clean), start + size)
    piece = clean[start:end].strip()
    return ("… " if start else "") + piece + (" …" if end < len(clean) else "")
