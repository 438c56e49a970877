"""The field work API, mounted at /api/v1/field: sync, teams, visits, sites, classes, attendance,
events, recognitions and mentorships. Residents and households are in people/api.py.

Every operation needs a bearer token (accounts.tokens) and acts with its owner's roles: an area
outside the owner's scope is a 403, a resident outside it a 404 (its existence must not leak).
Each operation parses, authorises, calls one service or selector, and shapes the answer.
"""

import uuid
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from hocvuso.accounts.api import ErrorOut
from hocvuso.accounts.authz import Perm, authorize, can, scope_paths, scope_q
from hocvuso.accounts.models import User
from hocvuso.accounts.tokens import token_auth
from hocvuso.field import selectors
from hocvuso.field.models import Attendance, Class, LearningSite, Mentorship, Team, Visit
from hocvuso.field.models_sync import SyncConflict
from hocvuso.field.schemas import (
    AttendanceIn,
    AttendanceOut,
    ClassIn,
    ClassOut,
    ClassPage,
    EventOut,
    MenteeOut,
    MentorshipIn,
    MentorshipOut,
    RecognitionOut,
    SiteIn,
    SiteOut,
    SyncConflictOut,
    SyncIn,
    SyncOut,
    TeamOut,
    VisitIn,
    VisitOut,
    VisitPage,
)
from hocvuso.field.services.api_support import unmark_attendance
from hocvuso.field.services.classes import mark_attendance, save_site, schedule_class
from hocvuso.field.services.mentorships import assign_mentee, end_mentorship
from hocvuso.field.services.visits import record_visit
from hocvuso.field.sync import (
    MAX_BATCH,
    ItemResult,
    ItemStatus,
    SyncItem,
    conflict_data,
    sync_batch,
)
from hocvuso.field.sync import dismiss_conflict as dismiss_conflict_of
from hocvuso.learning.models import Course
from hocvuso.people.api import scoped_resident, scoped_village
from hocvuso.people.audit import record_access
from hocvuso.people.selectors import households_in_scope, residents_in_scope
from hocvuso.places.models import Area

router = Router(tags=["field"], auth=token_auth)
PAGE_SIZE = 500
REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _area(code: str, *levels: int) -> Area:
    area = Area.objects.filter(code=code, level__in=levels, is_active=True).first()
    if area is None:
        raise HttpError(404, _("Không tìm thấy địa bàn này."))
    return area


def _village(user, code: str, perm: Perm) -> Area:
    village = _area(code, Area.Level.VILLAGE)
    authorize(user, perm, village)
    return village


def _page(rows, after: int, limit: int) -> tuple[list, int | None]:
    limit = min(max(limit, 1), PAGE_SIZE)
    page = list(rows.filter(pk__gt=after).order_by("pk")[:limit])
    return page, (page[-1].pk if len(page) == limit else None)


def _name(user) -> str:
    return (user.full_name or user.username) if user else ""


# ---- Sync (the offline app's queue) ----------------------------------------------------------


def _item(raw: dict[str, Any]) -> SyncItem | ItemResult:
    given = str(raw.get("client_id", ""))
    try:
        client_id = uuid.UUID(given)
    except ValueError:
        return ItemResult(given, ItemStatus.REJECTED, _("Mã gửi (client_id) không hợp lệ."))
    payload = raw.get("payload")
    base_version = raw.get("base_version")
    if not isinstance(payload, dict) or not (
        base_version is None or (isinstance(base_version, int) and base_version >= 0)
    ):
        return ItemResult(client_id, ItemStatus.REJECTED, _("Dữ liệu gửi lên không hợp lệ."))
    return SyncItem(client_id, str(raw.get("type", "")), payload, base_version)


@router.post(
    "/sync",
    response={200: SyncOut, 413: ErrorOut, **REFUSALS},
    summary="Gửi hàng đợi ngoại tuyến / Sync the offline queue",
)
def sync(request, batch: SyncIn):
    """Áp dụng từng mục một lần, mỗi mục một giao dịch; trả lời theo thứ tự. —
    Apply queued items, each once and in its own transaction; answer per item, in order."""
    if not scope_paths(request.user, Perm.RECORD_FIELD_WORK):
        raise HttpError(403, _("Tài khoản này không có quyền ghi nhận công tác cơ sở."))
    if len(batch.items) > MAX_BATCH:
        raise HttpError(413, _("Mỗi lần gửi tối đa %(n)d mục.") % {"n": MAX_BATCH})
    parsed = [_item(raw) for raw in batch.items]
    applied = iter(
        sync_batch(user=request.user, items=[p for p in parsed if isinstance(p, SyncItem)])
    )
    results = [next(applied) if isinstance(p, SyncItem) else p for p in parsed]
    counts = defaultdict(int)
    for result in results:
        counts[result.status] += 1
    return {
        "results": [
            {
                "client_id": str(r.client_id),
                "status": r.status,
                "reason": r.reason,
                "result": r.result,
                "conflict": r.conflict,
            }
            for r in results
        ],
        **{status: counts[status] for status in ("applied", "duplicate", "rejected", "conflict")},
    }


@router.get(
    "/conflicts",
    response={200: list[SyncConflictOut], 401: ErrorOut},
    summary="Xung đột chưa xử lý / Open sync conflicts",
)
def conflicts(request):
    """Các bản sửa của người gọi thua bản mới hơn trên máy chủ, chưa bỏ qua. —
    The caller's edits that lost to a newer server version, not yet dismissed."""
    rows = SyncConflict.objects.filter(submitted_by=request.user, dismissed_at__isnull=True)
    return [conflict_data(c) for c in rows[:200]]


@router.post(
    "/conflicts/{conflict_id}/dismiss",
    response={204: None, **REFUSALS},
    summary="Đã xem xung đột / Dismiss a conflict",
)
def dismiss_conflict(request, conflict_id: int):
    """Người gọi đã xem cả hai bản; xung đột rời danh sách. —
    The caller has seen both versions and settled the record; the conflict leaves the list."""
    conflict = SyncConflict.objects.filter(pk=conflict_id, submitted_by=request.user).first()
    if conflict is None:
        raise HttpError(404, _("Không tìm thấy xung đột này."))
    dismiss_conflict_of(conflict=conflict)
    return Status(204, None)


# ---- Teams -----------------------------------------------------------------------------------


@router.get(
    "/teams/{village_code}",
    response={200: TeamOut, **REFUSALS},
    summary="Tổ công nghệ số của thôn / A village's team",
)
def field_team_get(request, village_code: str):
    """Tổ CNSCĐ của thôn: thành viên và tiến độ chỉ tiêu kỳ hiện tại. —
    The village's team with its members and the current quota's progress."""
    village = _village(request.user, village_code, Perm.RECORD_FIELD_WORK)
    team = Team.objects.filter(village=village).first()
    if team is None:
        raise HttpError(404, _("Thôn này chưa có tổ công nghệ số cộng đồng."))
    quota = selectors.current_quota(team)
    return {
        "id": team.pk,
        "village": village.code,
        "name": team.name,
        "decision_number": team.decision_number,
        "decision_date": team.decision_date,
        "zalo_group_url": team.zalo_group_url,
        "contact_phone": team.contact_phone,
        "members": [
            {
                "user_id": m.user_id,
                "full_name": _name(m.user),
                "role": m.role,
                "joined_on": m.joined_on,
                "training": m.training,
                "trained_on": m.trained_on,
            }
            for m in team.memberships.select_related("user")
        ],
        "quota": None
        if quota is None
        else {
            "period_start": quota.period_start,
            "period_end": quota.period_end,
            "progress": [
                {"label": p.label, "done": p.done, "target": p.target, "percent": p.percent}
                for p in selectors.quota_progress(quota)
            ],
        },
    }


# ---- Visits ----------------------------------------------------------------------------------


def _visit_out(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "client_id": visit.client_id,
        "area": visit.area.code,
        "team_id": visit.team_id,
        "visited_on": visit.visited_on,
        "channel": visit.channel,
        "household_id": visit.household_id,
        "resident_ids": sorted(r.pk for r in visit.residents.all()),
        "activities": visit.activities,
        "problems_received": visit.problems_received,
        "problems_resolved": visit.problems_resolved,
        "problems_forwarded": visit.problems_forwarded,
        "note": visit.note,
        "recorded_by": _name(visit.recorded_by),
    }


def _visits():
    return Visit.objects.select_related("area", "recorded_by").prefetch_related("residents")


@router.get(
    "/visits",
    response={200: VisitPage, **REFUSALS},
    summary="Lượt hỗ trợ / List visits",
)
def field_visit_list(request, area: str | None = None, after: int = 0, limit: int = PAGE_SIZE):
    """Lượt hỗ trợ trong phạm vi (theo mã thôn/xã nếu có), từng trang theo id. —
    Visits in the caller's scope, optionally of one village or commune, a page at a time."""
    rows = _visits().filter(scope_q(request.user, Perm.RECORD_FIELD_WORK, "area__path"))
    if area:
        place = _area(area, Area.Level.COMMUNE, Area.Level.VILLAGE)
        authorize(request.user, Perm.RECORD_FIELD_WORK, place)
        rows = rows.filter(area__path__startswith=place.path)
    page, next_after = _page(rows, after, limit)
    record_access(
        request=request,
        action="view",
        what="api:field_visit_list",
        area=place if area else None,
        area_path="" if area else next(iter(scope_paths(request.user, Perm.RECORD_FIELD_WORK)), ""),
        count=len(page),
    )
    return {"items": [_visit_out(v) for v in page], "next_after": next_after}


@router.post(
    "/visits",
    response={200: VisitOut, 201: VisitOut, 422: ErrorOut, **REFUSALS},
    summary="Ghi nhận lượt hỗ trợ / Record a visit",
)
def field_visit_create(request, payload: VisitIn):
    """Ghi nhận một lượt thăm hộ hoặc hỗ trợ tại một cửa cùng các mốc đạt được; gửi lại cùng
    client_id → 200 với lượt đã có. — Record a door-to-door or help-desk visit and the milestones
    reached: 201 when new, 200 with the first visit when client_id is replayed."""
    household = None
    if payload.household_id is not None:
        household = (
            households_in_scope(request.user, Perm.RECORD_FIELD_WORK)
            .select_related("village")
            .filter(pk=payload.household_id)
            .first()
        )
        if household is None:
            raise HttpError(404, _("Không tìm thấy hộ gia đình này trong phạm vi của bạn."))
    wanted = set(payload.resident_ids)
    residents = list(
        residents_in_scope(request.user, Perm.RECORD_FIELD_WORK)
        .select_related("village")
        .filter(pk__in=wanted)
    )
    if len(residents) != len(wanted):
        raise HttpError(404, _("Không tìm thấy người dân này trong phạm vi của bạn."))
    visit, created = record_visit(
        client_id=payload.client_id,
        recorded_by=request.user,
        visited_on=payload.visited_on,
        channel=payload.channel,
        household=household,
        residents=residents,
        activities=payload.activities,
        milestones=payload.milestones,
        problems_received=payload.problems_received,
        problems_resolved=payload.problems_resolved,
        problems_forwarded=payload.problems_forwarded,
        note=payload.note,
    )
    visit = _visits().get(pk=visit.pk)
    if not can(request.user, Perm.RECORD_FIELD_WORK, visit.area):
        raise HttpError(404, _("Không tìm thấy lượt hỗ trợ này."))
    return Status(201 if created else 200, _visit_out(visit))


# ---- Learning sites, classes and attendance --------------------------------------------------


def _site_out(site: LearningSite) -> dict:
    return {
        "id": site.pk,
        "area": site.area.code,
        "kind": site.kind,
        "name": site.name,
        "address": site.address,
        "computers": site.computers,
        "has_printer": site.has_printer,
        "has_scanner": site.has_scanner,
        "has_wifi": site.has_wifi,
        "funding": site.funding,
        "sponsor": site.sponsor,
    }


@router.get(
    "/sites",
    response={200: list[SiteOut], **REFUSALS},
    summary="Điểm học tập / List learning sites",
)
def field_site_list(request, area: str):
    """Điểm học tập của xã hoặc thôn và các thôn trực thuộc. —
    Learning sites in a commune or village and below it."""
    place = _area(area, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.VIEW_AREA, place)
    return [_site_out(site) for site in selectors.sites_under(place)]


@router.post(
    "/sites",
    response={201: SiteOut, 422: ErrorOut, **REFUSALS},
    summary="Thêm điểm học tập / Create a learning site",
)
def field_site_create(request, payload: SiteIn):
    """Thêm điểm học tập (nhà văn hoá, thư viện, trường, bưu điện) với trang thiết bị. —
    Create a learning site with its equipment; for those who manage the area's villages."""
    place = _area(payload.area, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.MANAGE_VILLAGES, place)
    site = save_site(area=place, **payload.dict(exclude={"area"}))
    return Status(201, _site_out(site))


def _class_out(session: Class) -> dict:
    return {
        "id": session.pk,
        "site_id": session.site_id,
        "title": session.title,
        "topic": session.topic,
        "course_id": session.course_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "trainer": _name(session.trainer) if session.trainer else None,
        "for_elderly": session.for_elderly,
        "for_disability": session.for_disability,
        "for_ethnic_minority": session.for_ethnic_minority,
        "capacity": session.capacity,
    }


@router.get(
    "/classes",
    response={200: ClassPage, **REFUSALS},
    summary="Lớp học / List classes",
)
def field_class_list(request, area: str, after: int = 0, limit: int = PAGE_SIZE):
    """Lớp học tại các điểm học của xã hoặc thôn, từng trang theo id. —
    Classes at the learning sites of a commune or village, a page at a time."""
    place = _area(area, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.VIEW_AREA, place)
    rows = Class.objects.filter(site__area__path__startswith=place.path).select_related("trainer")
    page, next_after = _page(rows, after, limit)
    return {"items": [_class_out(c) for c in page], "next_after": next_after}


@router.post(
    "/classes",
    response={201: ClassOut, 422: ErrorOut, **REFUSALS},
    summary="Mở lớp học / Schedule a class",
)
def field_class_create(request, payload: ClassIn):
    """Mở một lớp tại điểm học: chủ đề hoặc khoá học, người hướng dẫn, lớp giản lược. —
    Schedule a class at a site: a topic or course, a trainer, simplified-class flags."""
    site = LearningSite.objects.select_related("area").filter(pk=payload.site_id).first()
    if site is None:
        raise HttpError(404, _("Không tìm thấy điểm học này."))
    authorize(request.user, Perm.RECORD_FIELD_WORK, site.area)
    course = None
    if payload.course_id is not None:
        course = Course.objects.filter(pk=payload.course_id).first()
        if course is None:
            raise HttpError(422, _("Không tìm thấy khoá học này."))
    trainer = None
    if payload.trainer_id is not None:
        trainer = User.objects.filter(pk=payload.trainer_id, is_active=True).first()
        if trainer is None or not can(trainer, Perm.RECORD_FIELD_WORK, site.area):
            raise HttpError(422, _("Người hướng dẫn không phụ trách địa bàn của điểm học này."))
    session = schedule_class(
        site=site,
        created_by=request.user,
        course=course,
        trainer=trainer,
        **payload.dict(exclude={"site_id", "course_id", "trainer_id"}),
    )
    return Status(201, _class_out(session))


def _class_for_attendance(user, class_id: int) -> Class:
    session = Class.objects.select_related("site__area").filter(pk=class_id).first()
    if session is None:
        raise HttpError(404, _("Không tìm thấy lớp học này."))
    authorize(user, Perm.RECORD_FIELD_WORK, session.site.area)
    return session


def _attendance_out(attendance: Attendance) -> dict:
    return {
        "id": attendance.pk,
        "class_id": attendance.class_session_id,
        "resident_id": attendance.resident_id,
        "resident_name": attendance.resident.full_name,
        "marked_at": attendance.marked_at,
        "client_id": attendance.client_id,
    }


@router.get(
    "/classes/{class_id}/attendance",
    response={200: list[AttendanceOut], **REFUSALS},
    summary="Danh sách điểm danh / Attendance of a class",
)
def field_attendance_list(request, class_id: int):
    """Người có mặt ở lớp, trong phạm vi người gọi. — Residents marked present, in scope."""
    session = _class_for_attendance(request.user, class_id)
    rows = (
        Attendance.objects.filter(class_session=session)
        .filter(scope_q(request.user, Perm.RECORD_FIELD_WORK, "resident__village__path"))
        .select_related("resident")
        .order_by("resident__full_name", "pk")
    )
    record_access(
        request=request, action="view", what="api:field_attendance_list", area=session.site.area
    )
    return [_attendance_out(a) for a in rows]


@router.post(
    "/classes/{class_id}/attendance",
    response={200: AttendanceOut, 201: AttendanceOut, 422: ErrorOut, **REFUSALS},
    summary="Điểm danh có mặt / Mark present",
)
def field_attendance_mark(request, class_id: int, payload: AttendanceIn):
    """Điểm danh một người có mặt: 201 khi mới, 200 khi đã điểm danh hoặc gửi lại client_id. —
    Mark a resident present: 201 when new, 200 when already marked or client_id is replayed."""
    session = _class_for_attendance(request.user, class_id)
    resident = scoped_resident(request.user, payload.resident_id, Perm.RECORD_FIELD_WORK)
    attendance, created = mark_attendance(
        class_session=session,
        resident=resident,
        marked_by=request.user,
        client_id=payload.client_id,
    )
    attendance = Attendance.objects.select_related("resident").get(pk=attendance.pk)
    if attendance.class_session_id != session.pk or attendance.resident_id != resident.pk:
        raise HttpError(422, _("Mã gửi (client_id) này đã dùng cho một lượt điểm danh khác."))
    return Status(201 if created else 200, _attendance_out(attendance))


@router.delete(
    "/classes/{class_id}/attendance/{resident_id}",
    response={204: None, **REFUSALS},
    summary="Bỏ điểm danh / Unmark",
)
def field_attendance_unmark(request, class_id: int, resident_id: int):
    """Bỏ điểm danh một người; gọi lại không thay đổi gì (vẫn 204). —
    Remove a resident from the attendance; calling again changes nothing (still 204)."""
    session = _class_for_attendance(request.user, class_id)
    resident = scoped_resident(request.user, resident_id, Perm.RECORD_FIELD_WORK)
    unmark_attendance(class_session=session, resident=resident, unmarked_by=request.user)
    return Status(204, None)


# ---- Events and recognitions -----------------------------------------------------------------


@router.get(
    "/events",
    response={200: list[EventOut], **REFUSALS},
    summary="Sự kiện / List events",
)
def field_event_list(request, area: str):
    """Sự kiện của xã hoặc thôn (Ngày công nghệ số cộng đồng, Ngày hội 10/10, hội thi) kèm bảng
    xếp hạng. — Events held in the commune or village, or above it, with contest leaderboards."""
    place = _area(area, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.VIEW_AREA, place)
    return [
        {
            "id": event.pk,
            "area": event.area.code,
            "kind": event.kind,
            "title": event.title,
            "date": event.date,
            "place": event.place,
            "leaderboard": [
                {"name": str(entry.resident or entry.team), "score": entry.score}
                for entry in event.leaderboard
            ],
        }
        for event in selectors.events_for(place)
    ]


@router.get(
    "/recognitions",
    response={200: list[RecognitionOut], **REFUSALS},
    summary="Công nhận của thôn / A village's recognitions",
)
def field_recognition_list(request, village: str):
    """Các hộ "Gia đình số" và tiểu thương "Chợ số" đang được công nhận trong thôn. —
    The households and traders of a village currently recognised."""
    place = scoped_village(request.user, village, Perm.VIEW_PEOPLE)
    record_access(request=request, action="view", what="api:field_recognition_list", area=place)
    return [
        {
            "id": r.pk,
            "kind": r.rule.kind,
            "household_id": r.household_id,
            "resident_id": r.resident_id,
            "name": r.household.head_name if r.household else r.resident.full_name,
            "recognised_on": r.recognised_on,
        }
        for r in selectors.recognitions_in(place)
    ]


# ---- Mentorships ("1 kèm 5") -----------------------------------------------------------------


def _mentorship_out(mentorship: Mentorship) -> dict:
    return {
        "id": mentorship.pk,
        "ambassador_id": mentorship.ambassador_id,
        "resident_id": mentorship.resident_id,
        "resident_name": mentorship.resident.full_name,
        "assigned_on": mentorship.assigned_on,
        "ended_on": mentorship.ended_on,
    }


@router.get(
    "/mentorships",
    response={200: list[MenteeOut], **REFUSALS},
    summary="Người tôi kèm cặp / My mentees",
)
def field_mentorship_list(request):
    """Những người dân người gọi đang kèm cặp, kèm mốc đã đạt và còn thiếu. —
    The residents the caller mentors now, with the milestones reached and still needed."""
    if not scope_paths(request.user, Perm.RECORD_FIELD_WORK):
        raise HttpError(403, _("Tài khoản này không có quyền ghi nhận công tác cơ sở."))
    record_access(
        request=request,
        action="view",
        what="api:field_mentorship_list",
        area_path=scope_paths(request.user, Perm.RECORD_FIELD_WORK)[0],
    )
    return [
        {
            **_mentorship_out(row["mentorship"]),
            "reached": [m.value for m in row["reached"]],
            "missing": [m.value for m in row["missing"]],
            "percent": row["percent"],
        }
        for row in selectors.mentees_of(request.user)
    ]


@router.post(
    "/mentorships",
    response={201: MentorshipOut, 422: ErrorOut, **REFUSALS},
    summary="Phân công kèm cặp / Assign a mentee",
)
def field_mentorship_assign(request, payload: MentorshipIn):
    """Giao một người dân cho đại sứ số kèm cặp, trong giới hạn số người mỗi đại sứ. —
    Put a resident in an ambassador's care, within the per-ambassador limit."""
    resident = scoped_resident(request.user, payload.resident_id, Perm.EDIT_PEOPLE)
    ambassador = User.objects.filter(pk=payload.ambassador_id, is_active=True).first()
    if ambassador is None:
        raise HttpError(422, _("Người được phân công không phụ trách địa bàn của người dân này."))
    mentorship = assign_mentee(
        ambassador=ambassador,
        resident=resident,
        assigned_by=request.user,
        assigned_on=payload.assigned_on,
    )
    return Status(201, _mentorship_out(mentorship))


@router.post(
    "/mentorships/{mentorship_id}/end",
    response={200: MentorshipOut, 422: ErrorOut, **REFUSALS},
    summary="Kết thúc kèm cặp / End a mentorship",
)
def field_mentorship_end(request, mentorship_id: int):
    """Kết thúc một phân công (đại sứ hoặc người quản lý người dân); gọi lại không đổi gì. —
    End a mentorship (its ambassador or whoever manages the resident); again changes nothing."""
    mentorship = (
        Mentorship.objects.select_related("resident__village").filter(pk=mentorship_id).first()
    )
    if mentorship is None or not (
        mentorship.ambassador_id == request.user.pk
        or can(request.user, Perm.EDIT_PEOPLE, mentorship.resident.village)
    ):
        raise HttpError(404, _("Không tìm thấy phân công này."))
    return _mentorship_out(end_mentorship(mentorship=mentorship, ended_by=request.user))
