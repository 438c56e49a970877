"""Request and response schemas of the field API (field/api.py), documented in both languages."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from hocvuso.field.models import LearningSite, Visit


class SyncIn(Schema):
    # Items are checked one by one, so that one malformed item is rejected alone.
    items: list[dict[str, Any]] = Field(
        description="Các mục chờ gửi: client_id, type, payload, base_version / queued items"
    )


class SyncItemOut(Schema):
    client_id: str
    status: str = Field(description="applied | duplicate | rejected | conflict")
    reason: str
    result: dict[str, Any]
    conflict: dict[str, Any] | None


class SyncOut(Schema):
    results: list[SyncItemOut]
    applied: int
    duplicate: int
    rejected: int
    conflict: int


class SyncConflictOut(Schema):
    id: int
    client_id: str
    resident_id: int
    resident_name: str
    base_version: int
    server_version: int
    device_values: dict[str, Any]
    server_values: dict[str, Any]
    created_at: str
    dismissed: bool


class MemberOut(Schema):
    user_id: int
    full_name: str
    role: str = Field(description="member | leader")
    joined_on: datetime.date
    training: str
    trained_on: datetime.date | None


class ProgressOut(Schema):
    label: str
    done: int
    target: int
    percent: int


class QuotaOut(Schema):
    period_start: datetime.date
    period_end: datetime.date
    progress: list[ProgressOut] = Field(description="Tiến độ chỉ tiêu / quota progress")


class TeamOut(Schema):
    id: int
    village: str
    name: str
    decision_number: str
    decision_date: datetime.date | None
    zalo_group_url: str
    contact_phone: str
    members: list[MemberOut]
    quota: QuotaOut | None = Field(description="Chỉ tiêu kỳ hiện tại / current period's quota")


class VisitIn(Schema):
    client_id: uuid.UUID = Field(description="Mã tạo trên máy; gửi lại → 200 / made on the device")
    visited_on: datetime.date
    channel: str = Field(Visit.Channel.DOOR_TO_DOOR, description="door | desk")
    household_id: int | None = None
    resident_ids: list[int] = Field(
        default_factory=list, description="Người được hỗ trợ; trống = cả hộ / people helped"
    )
    activities: str = ""
    milestones: dict[int, list[str]] = Field(
        default_factory=dict, description="Mốc đạt được theo id người dân / milestones by resident"
    )
    problems_received: int = 0
    problems_resolved: int = 0
    problems_forwarded: int = 0
    note: str = ""


class VisitOut(Schema):
    id: int
    client_id: uuid.UUID
    area: str = Field(description="Mã thôn, hoặc mã xã với một cửa / village, or desk's commune")
    team_id: int | None
    visited_on: datetime.date
    channel: str
    household_id: int | None
    resident_ids: list[int]
    activities: str
    problems_received: int
    problems_resolved: int
    problems_forwarded: int
    note: str
    recorded_by: str


class VisitPage(Schema):
    items: list[VisitOut]
    next_after: int | None


class SiteIn(Schema):
    area: str = Field(description="Mã xã hoặc thôn / commune or village code")
    kind: str = Field(description="cultural_house | library | school | post_office | other")
    name: str
    address: str = ""
    computers: int = 0
    has_printer: bool = False
    has_scanner: bool = False
    has_wifi: bool = False
    funding: str = Field(LearningSite.Funding.BUDGET, description="budget | sponsor")
    sponsor: str = ""


class SiteOut(Schema):
    id: int
    area: str
    kind: str
    name: str
    address: str
    computers: int
    has_printer: bool
    has_scanner: bool
    has_wifi: bool
    funding: str
    sponsor: str


class ClassIn(Schema):
    site_id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    topic: str = ""
    course_id: int | None = None
    trainer_id: int | None = Field(None, description="Người hướng dẫn / trainer (user id)")
    for_elderly: bool = False
    for_disability: bool = False
    for_ethnic_minority: bool = False
    capacity: int = 20


class ClassOut(Schema):
    id: int
    site_id: int
    title: str
    topic: str
    course_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    trainer: str | None
    for_elderly: bool
    for_disability: bool
    for_ethnic_minority: bool
    capacity: int


class ClassPage(Schema):
    items: list[ClassOut]
    next_after: int | None


class AttendanceIn(Schema):
    resident_id: int
    client_id: uuid.UUID | None = Field(None, description="Mã tạo trên máy / made on the device")


class AttendanceOut(Schema):
    id: int
    class_id: int
    resident_id: int
    resident_name: str
    marked_at: datetime.datetime
    client_id: uuid.UUID | None


class EntryOut(Schema):
    name: str
    score: Decimal


class EventOut(Schema):
    id: int
    area: str
    kind: str = Field(description="community_day | learning_day | contest | other")
    title: str
    date: datetime.date
    place: str
    leaderboard: list[EntryOut] = Field(description="Bảng xếp hạng hội thi / contest leaderboard")


class RecognitionOut(Schema):
    id: int
    kind: str = Field(description="gia_dinh_so | cho_so")
    household_id: int | None
    resident_id: int | None
    name: str
    recognised_on: datetime.date


class MentorshipIn(Schema):
    ambassador_id: int = Field(description="Đại sứ số (user id) / the ambassador")
    resident_id: int
    assigned_on: datetime.date | None = None


class MentorshipOut(Schema):
    id: int
    ambassador_id: int
    resident_id: int
    resident_name: str
    assigned_on: datetime.date
    ended_on: datetime.date | None


class MenteeOut(MentorshipOut):
    reached: list[str] = Field(description="Mốc đã đạt / milestones reached")
    missing: list[str] = Field(description="Mốc còn thiếu / milestones still needed")
    percent: int
