"""A national-scale synthetic population, for benchmarks: villages under the real 3,321 communes,
households, residents, their digital milestones, community teams, visits, learning sites and classes.

Everything is written in bulk (COPY on PostgreSQL, executemany on SQLite), bypassing services and
signals: the monitoring counters are not kept live while generating, so run `hocvuso
rebuild_counters` afterwards. The content is deterministic for a seed and a size.

Synthetic data never mixes with real data: each synthetic village carries SYNTHETIC_NOTE on its
"created" history row (which survives renames) and NAME_MARK in its name; everything else hangs
from those villages, and team accounts are named USERNAME_PREFIX…. Residents get no ID number and
no phone: nothing here looks like a real person's identifiers.
"""

import datetime
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.field.models import (
    Attendance,
    Class,
    LearningSite,
    Quota,
    Team,
    TeamMembership,
    Visit,
)
from hocvuso.people.choices import Milestone, TargetGroup
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import PATH_SEPARATOR, Area, AreaChange
from hocvuso.places.services import load_administrative_units

SYNTHETIC_NOTE = "Dữ liệu mô phỏng (hocvuso generate_population)"
NAME_MARK = " (mô phỏng)"
USERNAME_PREFIX = "mophong."
# Rural Việt Nam has about 64,000 thôn; 10 million residents over them is 156 a village, and every
# size keeps that density, so 100,000 residents make 640 villages.
FULL_SIZE_RESIDENTS = 10_000_000
FULL_SIZE_VILLAGES = 64_000
MIN_RESIDENTS = 100
MAX_RESIDENTS = 20_000_000
# Villages per transaction: about 80,000 residents and 400,000 rows in all.
BATCH_VILLAGES = 500
# The movement started with Plan 01-KH/BCĐTW of 21/3/2025.
CAMPAIGN_START = datetime.date(2025, 3, 21)


class SyntheticDataError(Exception):
    """The generator refuses to run; the message is for the user, in Vietnamese."""


@dataclass
class GenerationResult:
    villages: int = 0
    households: int = 0
    residents: int = 0
    milestones: int = 0
    users: int = 0
    teams: int = 0
    visits: int = 0
    visit_residents: int = 0
    classes: int = 0
    attendances: int = 0
    other_rows: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "seconds")

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------------------------------------
# What is synthetic, and taking it away again.


def synthetic_village_ids() -> models.QuerySet:
    """The ids of the synthetic villages, as a subquery."""
    return AreaChange.objects.filter(action=AreaChange.Action.CREATED, note=SYNTHETIC_NOTE).values(
        "area_id"
    )


def has_synthetic_population() -> bool:
    """True when an earlier run left synthetic villages (complete or not) in the database."""
    return synthetic_village_ids().exists()


def real_resident_count() -> int:
    """Residents that live in villages the generator did not make."""
    return Resident.objects.exclude(village_id__in=synthetic_village_ids()).count()


def _synthetic_user_ids() -> models.QuerySet:
    return User.objects.filter(username__startswith=USERNAME_PREFIX).values("pk")


# Deleted in this order, each by the column that ties it to a synthetic village or person.
def _deletions() -> list[tuple[models.QuerySet, str]]:
    villages = synthetic_village_ids()
    residents = Resident.objects.filter(village_id__in=villages).values("pk")
    visits = Visit.objects.filter(area_id__in=villages).values("pk")
    sites = LearningSite.objects.filter(area_id__in=villages).values("pk")
    classes = Class.objects.filter(site_id__in=sites).values("pk")
    teams = Team.objects.filter(village_id__in=villages).values("pk")
    users = _synthetic_user_ids()
    return [
        (Attendance.objects.filter(class_session_id__in=classes), "attendances"),
        (Class.objects.filter(pk__in=classes), "classes"),
        (LearningSite.objects.filter(pk__in=sites), "sites"),
        (Visit.residents.through.objects.filter(visit_id__in=visits), "visit residents"),
        (Visit.objects.filter(pk__in=visits), "visits"),
        (MilestoneEvent.objects.filter(resident_id__in=residents), "milestones"),
        (Resident.objects.filter(pk__in=residents), "residents"),
        (Household.objects.filter(village_id__in=villages), "households"),
        (Quota.objects.filter(team_id__in=teams), "quotas"),
        (TeamMembership.objects.filter(team_id__in=teams), "memberships"),
        (Team.objects.filter(pk__in=teams), "teams"),
        (RoleAssignment.objects.filter(user_id__in=users), "roles"),
    ]


def _foreign_rows(handled: set[type[models.Model]]) -> list[tuple[models.QuerySet, str]]:
    """Rows of other apps (rollup counters, reports…) that point at a synthetic village or user."""
    from django.apps import apps

    targets = {
        Area: synthetic_village_ids(),
        User: _synthetic_user_ids(),
        Resident: Resident.objects.filter(village_id__in=synthetic_village_ids()).values("pk"),
    }
    found = []
    # An app whose migrations have not run yet has no table to clean.
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model in handled or model in targets or model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            linked = field.is_relation and (field.many_to_one or field.one_to_one)
            if not linked or field.related_model not in targets:
                continue
            rows = model._default_manager.filter(
                **{f"{field.attname}__in": targets[field.related_model]}
            )
            found.append((rows, field))
    return found


def delete_synthetic_population() -> int:
    """Delete every synthetic row and the synthetic villages themselves; the number of rows.

    Rows of other apps that point at them are deleted too (or unlinked, where the link may be
    empty). Counters of the areas above are then stale: run `hocvuso rebuild_counters`.
    """
    deleted = 0
    with transaction.atomic():
        handled = {qs.model for qs, _label in _deletions()} | {AreaChange}
        for queryset, field in _foreign_rows(handled):
            if field.null:
                deleted += queryset.update(**{field.attname: None})
            else:
                deleted += queryset._raw_delete(queryset.db)
        for queryset, _label in _deletions():
            deleted += queryset._raw_delete(queryset.db)
        village_ids = list(synthetic_village_ids().values_list("area_id", flat=True))
        deleted += AreaChange.objects.filter(area_id__in=village_ids)._raw_delete(connection.alias)
        users = User.objects.filter(username__startswith=USERNAME_PREFIX)
        deleted += users._raw_delete(users.db)
        for start in range(0, len(village_ids), 5000):
            chunk = Area.objects.filter(pk__in=village_ids[start : start + 5000])
            deleted += chunk._raw_delete(chunk.db)
    return deleted


# ---------------------------------------------------------------------------------------------
# Writing rows fast: explicit ids where other rows refer to them, COPY or executemany.


class _Table:
    """One model's columns: those the generator fills, then constants for the rest."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], now) -> None:
        self.model = model
        self.name = model._meta.db_table
        rest = []
        constants = []
        for field in model._meta.concrete_fields:
            if field.attname in columns or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            if value is None and not field.null:
                raise RuntimeError(f"{self.name}.{field.column} needs a value")
            rest.append(field.column)
            constants.append(field.get_db_prep_save(value, connection))
        unknown = set(columns) - {f.attname for f in model._meta.concrete_fields}
        if unknown:
            raise RuntimeError(f"{self.name} has no column {sorted(unknown)}")
        column_of = {f.attname: f.column for f in model._meta.concrete_fields}
        self.columns = [column_of[c] for c in columns] + rest
        self.constants = tuple(constants)
        self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.constants)


class _Ids:
    """Blocks of primary keys taken from the table's sequence, so rows can refer to each other."""

    BLOCK = 200_000

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.next = 0
        self.end = 0

    def take(self, n: int) -> range:
        if self.next + n > self.end:
            size = max(n, self.BLOCK)
            self.next = _reserve_ids(self.model, size, after=self.end)
            self.end = self.next + size
        taken = range(self.next, self.next + n)
        self.next += n
        return taken


def _reserve_ids(model: type[models.Model], n: int, *, after: int) -> int:
    """The first of `n` consecutive unused ids of `model`'s table."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Concurrent inserts take their ids from the sequence too: hold them off for the two
            # calls, so that the block is ours alone.
            with transaction.atomic():
                cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [table, table, n],
                )
                return cursor.fetchone()[0] - n + 1
        # SQLite: one writer at a time, and AUTOINCREMENT continues after the largest id.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        return max(cursor.fetchone()[0], after - 1) + 1


def _bulk_load_settings() -> None:
    """Session settings for loading rows the generator made consistent itself (PostgreSQL)."""
    with connection.cursor() as cursor:
        # Each batch is re-creatable: losing the last commits in a crash costs nothing.
        cursor.execute("SET synchronous_commit TO OFF")
        cursor.execute("SET maintenance_work_mem TO '512MB'")
        # Foreign keys are checked by one trigger per row at commit, which costs more than the
        # insert itself; every id here was just taken from its table. Only a superuser may skip
        # them, so others keep the checks.
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role TO replica")
        except DatabaseError:
            pass


def _deferred_indexes(models_: Iterable[type[models.Model]]) -> list[str]:
    """Drop the secondary indexes of empty tables; the statements that make them again.

    Building an index once over 10 million rows is several times cheaper than keeping it up to
    date row by row. Only tables without a row are touched, so this happens in a database made
    for the run, never under real data.
    """
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Rows deleted earlier in this transaction (a reset) leave foreign-key checks pending,
            # and PostgreSQL alters no table with pending checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in models_:
            table = model._meta.db_table
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
            if cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint "
                "c WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(definition)
    return restore


def _restore_settings() -> None:
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role")
        cursor.execute("RESET synchronous_commit")
        cursor.execute("RESET maintenance_work_mem")


def _flush(tables: Iterable[_Table]) -> int:
    written = 0
    with connection.cursor() as cursor:
        for table in tables:
            if not table.rows:
                continue
            quote = connection.ops.quote_name
            columns = ", ".join(quote(c) for c in table.columns)
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", table.rows
                )
            written += len(table.rows)
            table.rows.clear()
    return written


# ---------------------------------------------------------------------------------------------
# The people: names, ages, groups and what they can do, in plausible proportions.

KINH_FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 3),
    ("Huỳnh", 2),
    ("Phan", 4.5),
    ("Vũ", 2),
    ("Võ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 1),
    ("Trương", 1),
    ("Mai", 0.5),
    ("Cao", 0.5),
)
MALE_MIDDLE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Ngọc", "Tiến")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mai", "Hồng", "Kim", "Phương")
MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khoa", "Long",
    "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn",
    "Việt", "Vinh",
)  # fmt: skip
FEMALE_GIVEN = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan", "Liên", "Linh",
    "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Uyên",
    "Vân", "Yến",
)  # fmt: skip
# Ethnic minorities by region: (ethnicity, preferred language, families, male given, female given).
NORTH_MINORITIES = (
    ("Tày", "tyz", ("Nông", "Hoàng", "Ma", "Lương", "Hà"), ("Văn Sáng", "Văn Pảo"), ("Thị Lìu",)),
    ("Thái", "blt", ("Lò", "Lường", "Cầm", "Quàng"), ("Văn Ún", "Văn Pâng"), ("Thị Xuân",)),
    ("H'Mông", "hmn", ("Giàng", "Sùng", "Vàng", "Thào"), ("A Páo", "A Sính"), ("Thị Mỷ", "Thị Dua")),
    ("Dao", "vi", ("Triệu", "Bàn", "Đặng", "Lý"), ("Văn Chàn", "Tài Phú"), ("Thị Mẩy", "Mùi Chạ")),
    ("Nùng", "vi", ("Hoàng", "Nông", "Lục"), ("Văn Sình",), ("Thị Slao",)),
    ("Mường", "vi", ("Bùi", "Đinh", "Quách"), ("Văn Khoát",), ("Thị Mến",)),
)  # fmt: skip
HIGHLAND_MINORITIES = (
    ("Ê Đê", "rad", ("Niê", "Êban", "Mlô", "Byă"), ("Y Blúp", "Y Khoa"), ("H'Hen", "H'Nga")),
    ("Gia Rai", "vi", ("Ksor", "Rơ Châm", "Siu", "Rơ Mah"), ("Y Đinh", "Ama"), ("H'Lan", "Nay")),
    ("Ba Na", "vi", ("Đinh", "A"), ("Văn Blơng",), ("Thị Bơ",)),
    ("Xơ Đăng", "vi", ("A", "Y"), ("Văn Rin",), ("Thị Hiên",)),
)
SOUTH_MINORITIES = (
    ("Khmer", "km", ("Thạch", "Sơn", "Danh", "Lâm", "Kim"), ("Sa Rây", "Văn Ty"), ("Thị Sa Ly",)),
    ("Hoa", "vi", ("Lâm", "Quách", "Tăng"), ("Chí Cường",), ("Mỹ Linh",)),
    ("Chăm", "vi", ("Đàng", "Thiên", "Châu"), ("Văn Sen",), ("Thị Chơn",)),
)
# Share of minority villages and where their people come from, by province (GSO code since 2025).
MINORITY_SHARE = {
    "04": 0.85, "08": 0.6, "11": 0.8, "12": 0.85, "14": 0.8, "15": 0.6, "19": 0.35, "20": 0.8,
    "22": 0.1, "25": 0.25, "38": 0.2, "40": 0.15, "44": 0.1, "51": 0.2, "52": 0.45, "56": 0.1,
    "66": 0.35, "68": 0.25, "75": 0.05, "80": 0.05, "86": 0.1, "91": 0.15, "92": 0.1, "96": 0.05,
}  # fmt: skip
HIGHLAND_PROVINCES = {"51", "52", "66", "68"}
SOUTH_PROVINCES = {"75", "79", "80", "82", "86", "91", "92", "96", "56"}
# Where the digital economy is ahead: adoption a little higher, by province.
URBAN_PROVINCES = {"01", "31", "48", "79", "92", "22", "24"}

VILLAGE_NAMES = (
    "Tân Lập", "Đoàn Kết", "Thống Nhất", "Hợp Nhất", "Quyết Tiến", "Thắng Lợi", "Bình Minh",
    "Trung Tâm", "Làng Mới", "Đồng Tâm", "Tiến Bộ", "Phú Thịnh", "An Lạc", "Hòa Bình", "Tân Tiến",
    "Đông Hưng", "Cầu Trắng", "Đồng Sài", "Hưng Long", "Phú Xuân", "Trung Hậu", "Vĩnh An",
    "Tân Phong", "Đại Đồng", "Xuân Mai", "Thượng", "Hạ", "Đông", "Tây", "Nam", "Bắc", "Yên Phú",
    "Lạc Long", "Minh Khai", "Hồng Phong", "Quang Trung", "Tân Hòa", "Khánh Thiện",
)  # fmt: skip
BAN_NAMES = (
    "Nà Hu", "Pắc Ta", "Khuổi Phầy", "Nậm Tha", "Phìn Ngan", "Lùng Vai", "Tả Van", "Sín Chải",
    "Cốc Lầy", "Nà Lốc", "Bó Mạ", "Nậm Cang", "Hua Nà", "Pá Khoang", "Ta Ly", "Kon Tu",
    "Đăk Rơ", "Plei Ơi", "Buôn Đôn", "Tà Xùa",
)  # fmt: skip
ACTIVITIES = (
    "Hướng dẫn cài đặt và kích hoạt VNeID mức 2",
    "Hướng dẫn mở tài khoản ngân hàng số, chuyển khoản bằng mã QR",
    "Hướng dẫn nộp hồ sơ trên Cổng dịch vụ công quốc gia",
    "Cảnh báo các hình thức lừa đảo qua điện thoại, mạng xã hội",
    "Hướng dẫn sử dụng điện thoại thông minh, Zalo",
    "Hướng dẫn đăng bán nông sản trên sàn thương mại điện tử",
)
CLASS_TOPICS = (
    ("vneid", "Lớp VNeID và định danh điện tử"),
    ("cashless", "Lớp thanh toán không dùng tiền mặt"),
    ("public_services", "Lớp dịch vụ công trực tuyến"),
    ("scams", "Lớp nhận biết lừa đảo trực tuyến"),
    ("smartphone", "Lớp dùng điện thoại thông minh cho người cao tuổi"),
)
# Household sizes (people) and how common they are.
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_WEIGHTS = (8, 15, 20, 27, 17, 8, 5)
# Age bands of the population (years, inclusive) and their shares.
AGE_BANDS = ((0, 14), (15, 24), (25, 39), (40, 59), (60, 90))
AGE_WEIGHTS = (23, 14, 24, 26, 13)
METHODS = (
    MilestoneEvent.Method.VISIT,
    MilestoneEvent.Method.CLASS,
    MilestoneEvent.Method.SELF_REPORT,
    MilestoneEvent.Method.IMPORT,
)
METHOD_WEIGHTS = (45, 20, 20, 15)


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_KINH_FAMILIES = tuple(name for name, _weight in KINH_FAMILY)
_KINH_CUM = _cumulative([weight for _name, weight in KINH_FAMILY])
_HOUSEHOLD_CUM = _cumulative(HOUSEHOLD_WEIGHTS)
_AGE_CUM = _cumulative(AGE_WEIGHTS)
_METHOD_CUM = _cumulative(METHOD_WEIGHTS)


@dataclass(frozen=True)
class _VillagePlan:
    index: int
    pk: int
    code: str
    name: str
    province: str
    residents: int
    minority: tuple | None
    adoption: float


class _Generator:
    """Rows for a batch of villages; one Random per village, so the content follows the seed."""

    def __init__(self, *, seed: int, now: datetime.datetime, today: datetime.date) -> None:
        self.seed = seed
        self.today = today
        self.year = today.year
        self.span = max(1, (today - CAMPAIGN_START).days - 1)
        self.uuid_native = connection.features.has_native_uuid_field
        self.ids = {model: _Ids(model) for model in (User, Team, Household, Resident, Visit)}
        self.ids[LearningSite] = _Ids(LearningSite)
        self.ids[Class] = _Ids(Class)
        self.now = now
        self.tables = {
            User: _Table(
                User,
                ["id", "username", "password", "full_name", "home_area_id", "year_of_birth"],
                now,
            ),
            RoleAssignment: _Table(RoleAssignment, ["user_id", "role", "area_id"], now),
            Team: _Table(Team, ["id", "village_id", "name"], now),
            TeamMembership: _Table(
                TeamMembership,
                ["team_id", "user_id", "role", "joined_on", "training", "trained_on"],
                now,
            ),
            Quota: _Table(
                Quota,
                [
                    "team_id",
                    "period_start",
                    "period_end",
                    "people_supported_target",
                    "sessions_held_target",
                    "problems_solved_target",
                ],
                now,
            ),
            Household: _Table(
                Household, ["id", "village_id", "head_name", "address", "number"], now
            ),
            Resident: _Table(
                Resident,
                [
                    "id",
                    "household_id",
                    "village_id",
                    "full_name",
                    "year_of_birth",
                    "gender",
                    "ethnicity",
                    "target_group",
                    "has_disability",
                    "preferred_language",
                ],
                now,
            ),
            MilestoneEvent: _Table(
                MilestoneEvent,
                ["resident_id", "milestone", "achieved_on", "method", "recorded_by_id"],
                now,
            ),
            Visit: _Table(
                Visit,
                [
                    "id",
                    "client_id",
                    "team_id",
                    "area_id",
                    "recorded_by_id",
                    "visited_on",
                    "channel",
                    "household_id",
                    "activities",
                    "problems_received",
                    "problems_resolved",
                    "problems_forwarded",
                ],
                now,
            ),
            Visit.residents.through: _Table(
                Visit.residents.through, ["visit_id", "resident_id"], now
            ),
            LearningSite: _Table(
                LearningSite,
                ["id", "area_id", "kind", "name", "computers", "has_printer", "has_wifi"],
                now,
            ),
            Class: _Table(
                Class,
                [
                    "id",
                    "site_id",
                    "title",
                    "topic",
                    "starts_at",
                    "ends_at",
                    "trainer_id",
                    "for_elderly",
                    "for_ethnic_minority",
                    "capacity",
                    "created_by_id",
                ],
                now,
            ),
            Attendance: _Table(
                Attendance, ["class_session_id", "resident_id", "marked_by_id"], now
            ),
        }
        starts_at = Class._meta.get_field("starts_at")
        self._datetime = lambda value: starts_at.get_db_prep_save(value, connection)
        self.tz = timezone.get_current_timezone()

    # -- small draws ------------------------------------------------------------------------

    def _date(self, rng: random.Random, after: datetime.date | None = None) -> datetime.date:
        # Later dates are likelier: the movement gathers pace.
        day = CAMPAIGN_START + datetime.timedelta(days=int(self.span * rng.random() ** 0.7))
        return max(day, after) if after else day

    def _age(self, rng: random.Random, *, adult: bool = False) -> int:
        if adult:
            return rng.randint(22, 78)
        low, high = AGE_BANDS[_pick_index(_AGE_CUM, rng)]
        return rng.randint(low, high)

    def _uuid(self, rng: random.Random):
        value = uuid.UUID(int=rng.getrandbits(128), version=4)
        return value if self.uuid_native else value.hex

    def _name(self, rng, plan: _VillagePlan, male: bool, family: str | None = None) -> str:
        if plan.minority is not None:
            _ethnicity, _language, families, male_given, female_given = plan.minority
            family = family or rng.choice(families)
            return f"{family} {rng.choice(male_given if male else female_given)}"
        family = family or _KINH_FAMILIES[_pick_index(_KINH_CUM, rng)]
        middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)
        return f"{family} {middle} {rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)}"

    def _group(self, rng: random.Random, age: int, urban: bool) -> str:
        if 6 <= age <= 17 or (18 <= age <= 22 and rng.random() < 0.45):
            return TargetGroup.STUDENTS
        if 22 <= age <= 60:
            draw = rng.random()
            if draw < 0.05:
                return TargetGroup.OFFICIALS
            if draw < (0.45 if urban else 0.27):
                return TargetGroup.WORKERS
        return TargetGroup.CITIZENS

    def _milestones(self, rng, age: int, group: str, factor: float) -> list[tuple[str, object]]:
        """The milestones one person reached, each on or after the ones it builds on."""
        if age < 10:
            return []
        if age < 15:
            phone = 0.55
        elif age < 60:
            phone = 0.9
        elif age < 70:
            phone = 0.6
        else:
            phone = 0.3
        if group == TargetGroup.OFFICIALS:
            factor = max(factor, 1.15)
        chance = rng.random
        if chance() >= min(0.98, phone * factor):
            return []
        reached = [(Milestone.HAS_SMARTPHONE, self._date(rng))]
        start = reached[0][1]
        if age >= 14 and chance() < min(0.97, 0.82 * factor):
            installed = self._date(rng, start)
            reached.append((Milestone.VNEID_INSTALLED, installed))
            if chance() < min(0.97, 0.88 * factor):
                level2 = self._date(rng, installed)
                reached.append((Milestone.VNEID_LEVEL2, level2))
                if age >= 18 and chance() < min(0.9, 0.45 * factor):
                    reached.append((Milestone.USED_PUBLIC_SERVICE, self._date(rng, level2)))
        if age >= 15 and chance() < min(0.95, 0.7 * factor):
            bank = self._date(rng, start)
            reached.append((Milestone.BANK_ACCOUNT, bank))
            if chance() < min(0.95, 0.8 * factor):
                reached.append((Milestone.PAYS_CASHLESS, self._date(rng, bank)))
            if 18 <= age <= 65 and chance() < 0.08:
                reached.append((Milestone.TAKES_QR_PAYMENT, self._date(rng, bank)))
                if chance() < 0.5:
                    reached.append((Milestone.SELLS_ONLINE, self._date(rng, bank)))
        if age >= 15 and chance() < min(0.8, 0.4 * factor):
            course = self._date(rng, start)
            reached.append((Milestone.COMPLETED_BASIC_COURSE, course))
            if chance() < 0.75:
                reached.append((Milestone.CONFIRMED_BASIC_LEVEL, self._date(rng, course)))
        return reached

    # -- one village ------------------------------------------------------------------------

    def village(self, plan: _VillagePlan) -> None:
        rng = random.Random(self.seed * 1_000_003 + plan.index)
        t = self.tables
        urban = plan.province in URBAN_PROVINCES
        ethnicity, language = (
            (plan.minority[0], plan.minority[1]) if plan.minority else ("Kinh", "vi")
        )

        # The team: a leader and two to five members, each an account scoped to the village.
        members = rng.randint(3, 6)
        user_ids = self.ids[User].take(members)
        code = plan.code.lower()
        for n, user_id in enumerate(user_ids):
            male = rng.random() < 0.5
            t[User].add(
                (
                    user_id,
                    f"{USERNAME_PREFIX}{code}.{n + 1}",
                    "!synthetic",
                    self._name(rng, plan, male),
                    plan.pk,
                    self.year - rng.randint(20, 60),
                )
            )
            role = Role.TEAM_LEADER if n == 0 else Role.TEAM_MEMBER
            t[RoleAssignment].add((user_id, role, plan.pk))
        [team_id] = self.ids[Team].take(1)
        t[Team].add((team_id, plan.pk, f"Tổ công nghệ số cộng đồng {plan.name}"))
        trained_on = CAMPAIGN_START + datetime.timedelta(days=rng.randint(10, 60))
        for n, user_id in enumerate(user_ids):
            t[TeamMembership].add(
                (
                    team_id,
                    user_id,
                    TeamMembership.Role.LEADER if n == 0 else TeamMembership.Role.MEMBER,
                    CAMPAIGN_START.isoformat(),
                    "Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng",
                    trained_on.isoformat(),
                )
            )
        t[Quota].add(
            (
                team_id,
                datetime.date(self.year, 1, 1).isoformat(),
                datetime.date(self.year, 12, 31).isoformat(),
                int(plan.residents * 0.8),
                24,
                plan.residents // 3,
            )
        )

        # Households and their members.
        sizes = []
        left = plan.residents
        while left > 0:
            size = min(left, HOUSEHOLD_SIZES[_pick_index(_HOUSEHOLD_CUM, rng)])
            sizes.append(size)
            left -= size
        household_ids = self.ids[Household].take(len(sizes))
        resident_ids = iter(self.ids[Resident].take(plan.residents))
        adults: list[int] = []
        elderly: list[int] = []
        visit_ids: list[int] = []
        for number, (household_id, size) in enumerate(zip(household_ids, sizes, strict=True)):
            members_of: list[tuple[int, int]] = []
            family = None
            head = ""
            for position in range(size):
                resident_id = next(resident_ids)
                male = rng.random() < 0.5 if position else rng.random() < 0.7
                age = self._age(rng, adult=position < 2)
                if position == 0:
                    name = self._name(rng, plan, male)
                    head = name
                    family = name.split(" ", 1)[0]
                elif position == 1:
                    name = self._name(rng, plan, male)
                else:
                    name = self._name(rng, plan, male, family)
                group = self._group(rng, age, urban)
                minority_language = language if language != "vi" and age >= 50 else "vi"
                t[Resident].add(
                    (
                        resident_id,
                        household_id,
                        plan.pk,
                        name,
                        self.year - age,
                        Resident.Gender.MALE if male else Resident.Gender.FEMALE,
                        ethnicity,
                        group,
                        rng.random() < 0.02,
                        minority_language,
                    )
                )
                members_of.append((resident_id, age))
                if age >= 15:
                    adults.append(resident_id)
                if age >= 60:
                    elderly.append(resident_id)
                for milestone, day in self._milestones(rng, age, group, plan.adoption):
                    method = METHODS[_pick_index(_METHOD_CUM, rng)]
                    recorded_by = (
                        user_ids[rng.randrange(members)]
                        if method in (MilestoneEvent.Method.VISIT, MilestoneEvent.Method.CLASS)
                        else None
                    )
                    t[MilestoneEvent].add(
                        (resident_id, milestone, day.isoformat(), method, recorded_by)
                    )
            t[Household].add(
                (
                    household_id,
                    plan.pk,
                    head,
                    f"Số {number + 1}, {plan.name.removesuffix(NAME_MARK)}",
                    f"{number + 1:03d}",
                )
            )
            # Door-to-door visits: most households at least once, some again.
            if rng.random() < min(0.97, 0.72 * plan.adoption):
                visits = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
                for visit_id in self.ids[Visit].take(visits):
                    received = rng.choice((0, 0, 1, 1, 1, 2, 3))
                    resolved = rng.randint(0, received)
                    forwarded = rng.randint(0, received - resolved)
                    t[Visit].add(
                        (
                            visit_id,
                            self._uuid(rng),
                            team_id,
                            plan.pk,
                            user_ids[rng.randrange(members)],
                            self._date(rng).isoformat(),
                            Visit.Channel.DOOR_TO_DOOR,
                            household_id,
                            rng.choice(ACTIVITIES),
                            received,
                            resolved,
                            forwarded,
                        )
                    )
                    seen = rng.sample(members_of, min(len(members_of), rng.randint(1, 3)))
                    for resident_id, _age in seen:
                        t[Visit.residents.through].add((visit_id, resident_id))
                    visit_ids.append(visit_id)

        # The cultural house and the classes held there.
        [site_id] = self.ids[LearningSite].take(1)
        t[LearningSite].add(
            (
                site_id,
                plan.pk,
                LearningSite.Kind.CULTURAL_HOUSE,
                f"Nhà văn hoá {plan.name}",
                rng.choice((0, 0, 1, 2, 3)),
                rng.random() < 0.3,
                rng.random() < 0.7,
            )
        )
        classes = rng.randint(1, 4)
        for class_id in self.ids[Class].take(classes):
            topic, title = rng.choice(CLASS_TOPICS)
            day = self._date(rng)
            starts = datetime.datetime.combine(day, datetime.time(8 if rng.random() < 0.5 else 19))
            starts = timezone.make_aware(starts, self.tz)
            for_elderly = topic == "smartphone"
            t[Class].add(
                (
                    class_id,
                    site_id,
                    title,
                    topic,
                    self._datetime(starts),
                    self._datetime(starts + datetime.timedelta(hours=2)),
                    user_ids[0],
                    for_elderly,
                    plan.minority is not None and rng.random() < 0.5,
                    30,
                    user_ids[0],
                )
            )
            pool = elderly if for_elderly and len(elderly) >= 5 else adults
            for resident_id in rng.sample(pool, min(len(pool), rng.randint(8, 25))):
                t[Attendance].add((class_id, resident_id, user_ids[0]))


def _pick_index(cumulative: list[float], rng: random.Random) -> int:
    draw = rng.random() * cumulative[-1]
    for index, bound in enumerate(cumulative):
        if draw < bound:
            return index
    return len(cumulative) - 1


# ---------------------------------------------------------------------------------------------
# The plan: how many villages, where, and how many people in each.


def village_count(residents: int) -> int:
    """Villages for a population: the national density of about 156 residents a village."""
    return max(1, round(residents * FULL_SIZE_VILLAGES / FULL_SIZE_RESIDENTS))


def _village_kind(commune: Area, minority: bool) -> str:
    if commune.kind == "phường":
        return "tổ dân phố"
    return "bản" if minority else "thôn"


def _plan(residents: int, seed: int) -> tuple[list[dict], list[int]]:
    """The villages to create (commune, name, kind, traits) and the residents of each."""
    communes = list(Area.objects.filter(level=Area.Level.COMMUNE, is_active=True).order_by("code"))
    if not communes:
        raise SyntheticDataError(_("Chưa có danh mục xã, phường."))
    count = village_count(residents)
    taken: dict[int, set[str]] = {}
    for parent_id, name in Area.objects.filter(
        level=Area.Level.VILLAGE, is_active=True
    ).values_list("parent_id", "name"):
        taken.setdefault(parent_id, set()).add(name.casefold())
    rng = random.Random(seed)
    weights = [rng.uniform(0.4, 1.6) for _ in range(count)]
    total = sum(weights)
    sizes = [int(residents * w / total) for w in weights]
    for index in rng.sample(range(count), residents - sum(sizes)):
        sizes[index] += 1
    villages = []
    per_commune: dict[int, int] = {}
    for index in range(count):
        # Spread over the whole country: village i goes to the commune at i/count of the list.
        commune = communes[index * len(communes) // count]
        province = commune.path.split(PATH_SEPARATOR)[1]
        minority = rng.random() < MINORITY_SHARE.get(province, 0.02)
        kind = _village_kind(commune, minority)
        k = per_commune.get(commune.pk, 0)
        per_commune[commune.pk] = k + 1
        if kind == "tổ dân phố":
            base = f"Tổ dân phố {k + 1}"
        else:
            names = BAN_NAMES if kind == "bản" else VILLAGE_NAMES
            base = f"{kind.capitalize()} {names[(commune.pk + k) % len(names)]}"
            if k >= len(names):
                base = f"{base} {k // len(names) + 1}"
        name = f"{base}{NAME_MARK}"
        while name.casefold() in taken.get(commune.pk, set()):
            name = f"{base} {rng.randint(2, 999)}{NAME_MARK}"
        taken.setdefault(commune.pk, set()).add(name.casefold())
        if minority:
            pool = (
                HIGHLAND_MINORITIES
                if province in HIGHLAND_PROVINCES
                else SOUTH_MINORITIES
                if province in SOUTH_PROVINCES
                else NORTH_MINORITIES
            )
            traits = rng.choice(pool)
        else:
            traits = None
        adoption = rng.uniform(0.6, 1.15) * (1.08 if province in URBAN_PROVINCES else 1.0)
        if minority:
            adoption *= 0.85
        villages.append(
            {
                "commune": commune,
                "province": province,
                "name": name,
                "kind": kind,
                "minority": traits,
                "adoption": adoption,
            }
        )
    return villages, sizes


def _create_villages(planned: list[dict], now) -> list[int]:
    """Insert the villages with codes and paths exactly as places.services.create_village makes
    them, each with its "created" history row carrying the synthetic marker."""
    ids = _Ids(Area)
    pks = list(ids.take(len(planned)))
    area = _Table(Area, ["id", "code", "name", "kind", "level", "parent_id", "path"], now)
    change = _Table(AreaChange, ["area_id", "action", "new_name", "new_parent_id", "note"], now)
    for pk, village in zip(pks, planned, strict=True):
        code = f"V{pk:07d}"
        commune = village["commune"]
        village["pk"], village["code"] = pk, code
        path = f"{commune.path}{code}{PATH_SEPARATOR}"
        area.add((pk, code, village["name"], village["kind"], 3, commune.pk, path))
        change.add((pk, AreaChange.Action.CREATED, village["name"], commune.pk, SYNTHETIC_NOTE))
    _flush([area, change])
    return pks


# ---------------------------------------------------------------------------------------------
# The one entry point.


def generate_population(
    *,
    residents: int,
    seed: int = 2025,
    reset: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Generate `residents` synthetic residents (and everything around them) under the real tree.

    Refuses when synthetic data is already there (unless `reset`, which deletes it first) and when
    the database holds residents of real villages (unless `force`). Not one transaction: the
    villages are committed first, then each batch of BATCH_VILLAGES villages in its own
    transaction, so that 10 million residents do not sit in one; an interrupted run leaves marked
    villages that `reset` takes away.
    """
    if not MIN_RESIDENTS <= residents <= MAX_RESIDENTS:
        raise SyntheticDataError(
            _("Số người dân mô phỏng phải từ %(low)s đến %(high)s.")
            % {"low": f"{MIN_RESIDENTS:,}", "high": f"{MAX_RESIDENTS:,}"}
        )
    say = progress or (lambda message: None)
    started = time.perf_counter()
    if has_synthetic_population():
        if not reset:
            raise SyntheticDataError(
                _(
                    "Cơ sở dữ liệu đã có dữ liệu mô phỏng của một lần chạy trước; "
                    "dùng --reset để xoá và tạo lại."
                )
            )
        say(
            _("Xoá dữ liệu mô phỏng cũ: %(rows)s dòng.")
            % {"rows": f"{delete_synthetic_population():,}"}
        )
    real = real_resident_count()
    if real and not force:
        raise SyntheticDataError(
            _(
                "Cơ sở dữ liệu đang có %(count)s người dân thật; không trộn dữ liệu mô phỏng vào. "
                "Dùng một cơ sở dữ liệu riêng, hoặc --force nếu chắc chắn."
            )
            % {"count": f"{real:,}"}
        )
    if connection.vendor != "postgresql":
        return _generate(residents=residents, seed=seed, say=say, started=started)
    _bulk_load_settings()
    try:
        return _generate(residents=residents, seed=seed, say=say, started=started)
    finally:
        _restore_settings()


def _generate(*, residents: int, seed: int, say, started: float) -> GenerationResult:
    load_administrative_units()
    now = timezone.now()
    today = timezone.localdate()
    planned, sizes = _plan(residents, seed)
    result = GenerationResult()
    with transaction.atomic():
        pks = _create_villages(planned, now)
    result.villages = len(pks)
    result.other_rows += len(pks)
    say(_("Đã tạo %(count)s thôn mô phỏng.") % {"count": f"{len(pks):,}"})

    generator = _Generator(seed=seed, now=now, today=today)
    counted = {
        Household: "households",
        Resident: "residents",
        MilestoneEvent: "milestones",
        User: "users",
        Team: "teams",
        Visit: "visits",
        Visit.residents.through: "visit_residents",
        Class: "classes",
        Attendance: "attendances",
    }
    restore: list[str] = []
    if connection.vendor == "postgresql":
        big = (Household, Resident, MilestoneEvent, Visit, Visit.residents.through, Attendance)
        restore = _deferred_indexes(big)
    try:
        for start in range(0, len(planned), BATCH_VILLAGES):
            with transaction.atomic():
                for index in range(start, min(start + BATCH_VILLAGES, len(planned))):
                    village = planned[index]
                    generator.village(
                        _VillagePlan(
                            index=index,
                            pk=village["pk"],
                            code=village["code"],
                            name=village["name"],
                            province=village["province"],
                            residents=sizes[index],
                            minority=village["minority"],
                            adoption=village["adoption"],
                        )
                    )
                for model, table in generator.tables.items():
                    attribute = counted.get(model)
                    rows = len(table.rows)
                    if attribute:
                        setattr(result, attribute, getattr(result, attribute) + rows)
                    else:
                        result.other_rows += rows
                _flush(generator.tables.values())
            elapsed = time.perf_counter() - started
            say(
                _("%(residents)s/%(total)s người dân, %(rows)s dòng, %(rate)s dòng/giây")
                % {
                    "residents": f"{result.residents:,}",
                    "total": f"{residents:,}",
                    "rows": f"{result.rows:,}",
                    "rate": f"{result.rows / elapsed:,.0f}",
                }
            )
    finally:
        if restore:
            begun = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in restore:
                    cursor.execute(statement)
            say(
                _("Dựng lại %(count)d chỉ mục trong %(seconds).0f giây.")
                % {"count": len(restore), "seconds": time.perf_counter() - begun}
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (*counted, Area):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    result.seconds = time.perf_counter() - started
    return result
