"""Loading framework files: competence frameworks, target-group profiles and content mappings.

A file is JSON Lines, one record a line, its first line saying what the file is:
`{"type": "framework", ...}` (followed by domain, competence, tier, level, crosswalk, or profile,
requirement, course lines) or `{"type": "mapping", "framework": "TT02@2025"}` (followed by course,
lesson, question lines). A file with any wrong line is rejected whole, each error naming its line.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.learning.models import Course, Lesson, Question
from hocvuso.people.choices import TargetGroup
from hocvuso.skills.models import (
    CompetenceMapping,
    Crosswalk,
    Framework,
    FrameworkItem,
    Profile,
    ProfileCourse,
    Requirement,
    Status,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The shipped files, in the order they must load (profiles and the mapping name TT02).
SHIPPED_FILES = ("tt02-2025.jsonl", "digcomp-2.2.jsonl", "qd757-2025.jsonl")
STARTER_MAPPING = "mapping-starter.jsonl"
MAX_LEVEL = 8
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
ITEM_TYPES = {"domain", "competence", "tier", "level"}


@dataclass
class LoadResult:
    kind: str
    label: str
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Line:
    number: int
    data: dict[str, Any]


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.messages.append(_("Dòng %(line)s: %(message)s") % {"line": line, "message": message})

    def raise_if_any(self) -> None:
        if self.messages:
            head = _("Tệp bị từ chối, không có gì được nạp.")
            raise ValidationError([head, *self.messages[:20]])


def _read_lines(text: str, errors: _Errors) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.add(number, _("không đọc được JSON (%(error)s).") % {"error": exc.msg})
            continue
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            errors.add(number, _("mỗi dòng phải là một đối tượng JSON có trường “type”."))
            continue
        lines.append(_Line(number, data))
    return lines


def _text(line: _Line, key: str, errors: _Errors, *, required: bool = True, limit: int = 300):
    value = line.data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        errors.add(line.number, _("thiếu trường “%(key)s”.") % {"key": key})
        return ""
    if len(value) > limit:
        errors.add(line.number, _("trường “%(key)s” quá dài.") % {"key": key})
    return value.strip()


def _status(line: _Line, errors: _Errors) -> str:
    value = line.data.get("status", Status.UNVERIFIED)
    if value not in Status.values:
        errors.add(
            line.number,
            _("trạng thái “%(value)s” không hợp lệ; dùng “official” hoặc “unverified”.")
            % {"value": value},
        )
    return value


def _level(line: _Line, key: str, allowed: set[int], errors: _Errors) -> int:
    value = line.data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
        errors.add(
            line.number,
            _("mức “%(value)s” nằm ngoài phạm vi (%(low)s–%(high)s).")
            % {"value": value, "low": min(allowed, default=1), "high": max(allowed, default=1)},
        )
        return 0
    return value


def _reference(value: Any) -> tuple[str, str] | None:
    """'TT02@2025' → ('TT02', '2025')."""
    if not isinstance(value, str) or "@" not in value:
        return None
    code, version = value.split("@", 1)
    return code, version


def _framework_by_ref(line: _Line, key: str, errors: _Errors) -> Framework | None:
    ref = _reference(line.data.get(key))
    framework = (
        Framework.objects.filter(code=ref[0], version=ref[1]).first() if ref is not None else None
    )
    if framework is None:
        errors.add(
            line.number,
            _("không tìm thấy khung “%(ref)s” (dạng MÃ@PHIÊN_BẢN); hãy nạp khung đó trước.")
            % {"ref": line.data.get(key)},
        )
    return framework


def load_framework_file(*, path: Path | str, loaded_by=None) -> LoadResult:
    """Load a framework or mapping file; reject it whole, naming the wrong lines, on any error."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(_("Không mở được tệp: %(error)s") % {"error": exc}) from exc
    return load_framework_text(text=raw.decode("utf-8-sig"), loaded_by=loaded_by)


@transaction.atomic
def load_framework_text(*, text: str, loaded_by=None) -> LoadResult:
    """Load the content of a framework or mapping file (see the module docstring)."""
    errors = _Errors()
    lines = _read_lines(text, errors)
    if not lines:
        errors.add(1, _("tệp trống."))
        errors.raise_if_any()
    head = lines[0]
    if head.data["type"] == "mapping":
        return _load_mapping(head, lines[1:], errors, loaded_by)
    if head.data["type"] != "framework":
        errors.add(head.number, _("dòng đầu phải có “type” là “framework” hoặc “mapping”."))
        errors.raise_if_any()
    return _load_framework(head, lines[1:], errors, loaded_by, text)


def _load_framework(head: _Line, lines: list[_Line], errors: _Errors, loaded_by, text: str):
    code = _text(head, "code", errors, limit=32)
    version = _text(head, "version", errors, limit=32)
    kind = head.data.get("kind")
    if kind not in Framework.Kind.values:
        errors.add(head.number, _("“kind” phải là “competences” hoặc “profiles”."))
    if code and not CODE_RE.match(code):
        errors.add(head.number, _("mã khung “%(code)s” không hợp lệ.") % {"code": code})
    based_on = _framework_by_ref(head, "based_on", errors) if kind == "profiles" else None
    errors.raise_if_any()
    sha = hashlib.sha256(text.encode()).hexdigest()
    existing = Framework.objects.filter(code=code, version=version).first()
    if existing is not None:
        if existing.file_sha256 == sha:
            return LoadResult(kind, str(existing), False, _counts(existing))
        errors.add(
            head.number,
            _(
                "khung %(code)s phiên bản %(version)s đã được nạp với nội dung khác; "
                "hãy đặt số phiên bản mới."
            )
            % {"code": code, "version": version},
        )
        errors.raise_if_any()
    framework = Framework(
        code=code,
        version=version,
        kind=kind,
        name=_text(head, "name", errors),
        source=_text(head, "source", errors, required=False),
        status=_status(head, errors),
        note=_text(head, "note", errors, required=False, limit=2000),
        based_on=based_on,
        file_sha256=sha,
        loaded_by=loaded_by,
        is_current=False,
    )
    if kind == "competences":
        build = _build_competences(framework, lines, errors)
    else:
        build = _build_profiles(framework, lines, errors)
    errors.raise_if_any()
    Framework.objects.filter(code=code, is_current=True).update(is_current=False)
    framework.is_current = True
    framework.save()
    build()
    return LoadResult(kind, str(framework), True, _counts(framework))


def _counts(framework: Framework) -> dict[str, int]:
    if framework.kind == Framework.Kind.PROFILES:
        return {
            "profiles": framework.profiles.count(),
            "requirements": Requirement.objects.filter(profile__framework=framework).count(),
            "courses": ProfileCourse.objects.filter(profile__framework=framework).count(),
        }
    counts = {kind: framework.items.filter(kind=kind).count() for kind in FrameworkItem.Kind}
    counts["crosswalk"] = Crosswalk.objects.filter(source__framework=framework).count()
    return {str(key): value for key, value in counts.items()}


def _build_competences(framework: Framework, lines: list[_Line], errors: _Errors):
    items: dict[tuple[str, str], tuple[int, FrameworkItem]] = {}
    parents: dict[str, str] = {"competence": "domain", "level": "tier"}
    links: list[tuple[int, str, Framework | None, str]] = []
    for position, line in enumerate(lines):
        data, number = line.data, line.number
        kind = data["type"]
        if kind == "crosswalk":
            target_ref = data.get("framework")
            target = Framework.objects.filter(code=target_ref, is_current=True).first()
            if target is None:
                errors.add(
                    number,
                    _("không tìm thấy khung “%(ref)s” để đối chiếu.") % {"ref": target_ref},
                )
            links.append((number, str(data.get("from", "")), target, str(data.get("to", ""))))
            continue
        if kind not in ITEM_TYPES:
            errors.add(number, _("loại dòng “%(kind)s” không dùng được ở đây.") % {"kind": kind})
            continue
        code = _text(line, "code", errors, limit=16)
        if code and not CODE_RE.match(code):
            errors.add(number, _("mã “%(code)s” không hợp lệ.") % {"code": code})
        if (kind, code) in items:
            errors.add(
                number,
                _("mã “%(code)s” trùng với dòng %(other)s.")
                % {"code": code, "other": items[(kind, code)][0]},
            )
            continue
        parent = None
        if kind in parents:
            parent_code = str(data.get("parent", ""))
            found = items.get((parents[kind], parent_code))
            if found is None:
                errors.add(
                    number,
                    _("mục cha “%(parent)s” chưa được khai báo ở các dòng trước.")
                    % {"parent": parent_code},
                )
            else:
                parent = found[1]
        number_value = None
        if kind == "level":
            number_value = _level(line, "number", set(range(1, MAX_LEVEL + 1)), errors)
            if any(
                other.number == number_value
                for (other_kind, _code), (_n, other) in items.items()
                if other_kind == "level"
            ):
                errors.add(number, _("mức %(n)s đã khai báo.") % {"n": number_value})
        items[(kind, code)] = (
            number,
            FrameworkItem(
                framework=framework,
                kind=kind,
                code=code,
                parent=parent,
                title=_text(line, "title", errors),
                description=_text(line, "description", errors, required=False, limit=4000),
                number=number_value,
                position=position,
                status=_status(line, errors),
                note=_text(line, "note", errors, required=False, limit=2000),
                line=number,
            ),
        )
    targets: list[tuple[FrameworkItem, FrameworkItem]] = []
    for number, source_code, target_fw, target_code in links:
        source = items.get(("competence", source_code))
        if source is None:
            errors.add(
                number,
                _("năng lực “%(code)s” chưa được khai báo ở các dòng trước.")
                % {"code": source_code},
            )
            continue
        if target_fw is None:
            continue
        target = target_fw.items.filter(kind="competence", code=target_code).first()
        if target is None:
            errors.add(
                number,
                _("khung %(fw)s không có năng lực “%(code)s”.")
                % {"fw": target_fw, "code": target_code},
            )
            continue
        targets.append((source[1], target))

    def build() -> None:
        # Parents come on earlier lines, so each is saved before the items that point to it.
        for _number, item in items.values():
            item.save()
        Crosswalk.objects.bulk_create(
            [Crosswalk(source=source, target=target) for source, target in targets]
        )

    return build


def _build_profiles(framework: Framework, lines: list[_Line], errors: _Errors):
    based_on = framework.based_on
    competences = {item.code: item for item in based_on.items.filter(kind="competence")}
    levels = set(based_on.items.filter(kind="level").values_list("number", flat=True))
    profiles: dict[str, tuple[int, Profile, list, list]] = {}
    groups: dict[str, int] = {}
    for line in lines:
        data, number = line.data, line.number
        kind = data["type"]
        if kind == "profile":
            code = _text(line, "code", errors, limit=32)
            if code in profiles:
                errors.add(
                    number,
                    _("mã “%(code)s” trùng với dòng %(other)s.")
                    % {"code": code, "other": profiles[code][0]},
                )
                continue
            group = data.get("target_group")
            if group not in TargetGroup.values:
                errors.add(number, _("nhóm đối tượng “%(group)s” không hợp lệ.") % {"group": group})
            elif group in groups:
                errors.add(
                    number,
                    _("nhóm đối tượng đã có khung ở dòng %(other)s.") % {"other": groups[group]},
                )
            groups[group] = number
            numbers = {}
            for key, default, low, high in (
                ("questions_per_competence", 3, 1, 20),
                ("pass_percent", 60, 1, 100),
                ("min_courses", 0, 0, 50),
            ):
                value = data.get(key, default)
                if not isinstance(value, int) or not low <= value <= high:
                    errors.add(
                        number,
                        _("“%(key)s” phải là số nguyên từ %(low)s đến %(high)s.")
                        % {"key": key, "low": low, "high": high},
                    )
                    value = default
                numbers[key] = value
            profile = Profile(
                framework=framework,
                code=code,
                target_group=group or "",
                title=_text(line, "title", errors),
                description=_text(line, "description", errors, required=False, limit=4000),
                status=_status(line, errors),
                note=_text(line, "note", errors, required=False, limit=2000),
                **numbers,
            )
            profiles[code] = (number, profile, [], [])
            continue
        if kind not in {"requirement", "course"}:
            errors.add(number, _("loại dòng “%(kind)s” không dùng được ở đây.") % {"kind": kind})
            continue
        owner = profiles.get(str(data.get("profile", "")))
        if owner is None:
            errors.add(
                number,
                _("mục cha “%(parent)s” chưa được khai báo ở các dòng trước.")
                % {"parent": data.get("profile")},
            )
            continue
        if kind == "requirement":
            code = str(data.get("competence", ""))
            competence = competences.get(code)
            if competence is None:
                errors.add(
                    number,
                    _("khung %(fw)s không có năng lực “%(code)s”.")
                    % {"fw": based_on, "code": code},
                )
            if any(req[1].code == code for req in owner[2]):
                errors.add(number, _("năng lực “%(code)s” đã được yêu cầu.") % {"code": code})
            level = _level(line, "level", levels, errors)
            owner[2].append((number, competence, level))
        else:
            slug = _text(line, "course", errors, limit=80)
            if slug in owner[3]:
                errors.add(number, _("khoá học “%(slug)s” trùng.") % {"slug": slug})
            owner[3].append(slug)
    for number, profile, requirements, courses in profiles.values():
        if not requirements:
            errors.add(number, _("khung của nhóm chưa yêu cầu năng lực nào."))
        if profile.min_courses > len(courses):
            errors.add(number, _("“min_courses” lớn hơn số khoá học được liệt kê."))

    def build() -> None:
        for _number, profile, requirements, courses in profiles.values():
            profile.save()
            Requirement.objects.bulk_create(
                [
                    Requirement(profile=profile, competence=competence, level=level, position=i)
                    for i, (_n, competence, level) in enumerate(requirements)
                ]
            )
            ProfileCourse.objects.bulk_create(
                [
                    ProfileCourse(profile=profile, course_slug=slug, position=i)
                    for i, slug in enumerate(courses)
                ]
            )

    return build


def _load_mapping(head: _Line, lines: list[_Line], errors: _Errors, loaded_by) -> LoadResult:
    framework = _framework_by_ref(head, "framework", errors)
    errors.raise_if_any()
    competences = {item.code: item for item in framework.items.filter(kind="competence")}
    levels = set(framework.items.filter(kind="level").values_list("number", flat=True))
    courses = {course.slug: course for course in Course.objects.all()}
    wanted: list[tuple[FrameworkItem, int, dict[str, Any]]] = []
    seen: dict[tuple, int] = {}
    for line in lines:
        data, number = line.data, line.number
        kind = data["type"]
        if kind not in {"course", "lesson", "question"}:
            errors.add(number, _("loại dòng “%(kind)s” không dùng được ở đây.") % {"kind": kind})
            continue
        code = str(data.get("competence", ""))
        competence = competences.get(code)
        if competence is None:
            errors.add(
                number,
                _("khung %(fw)s không có năng lực “%(code)s”.") % {"fw": framework, "code": code},
            )
        level = _level(line, "level", levels, errors)
        course = courses.get(str(data.get("course", "")))
        if course is None:
            errors.add(
                number,
                _("mục cha “%(parent)s” (khoá học) không có trên trang này.")
                % {"parent": data.get("course")},
            )
            continue
        target: dict[str, Any] = {"course": course}
        if kind in {"lesson", "question"}:
            lesson = Lesson.objects.filter(course=course, position=data.get("lesson")).first()
            if lesson is None:
                errors.add(
                    number,
                    _("mục cha “%(parent)s” (bài %(lesson)s) không có.")
                    % {"parent": course.slug, "lesson": data.get("lesson")},
                )
                continue
            target = {"lesson": lesson}
            if kind == "question":
                question = Question.objects.filter(
                    lesson=lesson, position=data.get("question")
                ).first()
                if question is None:
                    errors.add(
                        number,
                        _("bài “%(lesson)s” không có câu hỏi số %(question)s.")
                        % {"lesson": lesson.title, "question": data.get("question")},
                    )
                    continue
                target = {"question": question}
        key = (code, kind, next(iter(target.values())).pk)
        if key in seen:
            errors.add(number, _("trùng với dòng %(other)s.") % {"other": seen[key]})
            continue
        seen[key] = number
        if competence is not None:
            wanted.append((competence, level, target))
    errors.raise_if_any()
    created = updated = 0
    for competence, level, target in wanted:
        mapping, made = CompetenceMapping.objects.get_or_create(
            competence=competence, **target, defaults={"level": level, "created_by": loaded_by}
        )
        if made:
            created += 1
        elif mapping.level != level:
            mapping.level = level
            mapping.save(update_fields=["level"])
            updated += 1
    return LoadResult(
        "mapping", str(framework), created > 0, {"created": created, "updated": updated}
    )


def load_shipped_frameworks() -> list[LoadResult]:
    """Load the shipped frameworks (TT02, DigComp 2.2 with its crosswalk, Decision 757 profiles);
    a version already loaded with the same content is left as it is."""
    return [load_framework_file(path=DATA_DIR / name) for name in SHIPPED_FILES]


def load_starter_mapping() -> LoadResult:
    """Map the starter catalogue's courses and check questions to TT02 competences."""
    return load_framework_file(path=DATA_DIR / STARTER_MAPPING)
