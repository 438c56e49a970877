"""The built-in indicators: each a sum of counters over (optionally) another sum of counters."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hocvuso.monitoring import metrics as m
from hocvuso.people.choices import Milestone, TargetGroup

PERCENT = "percent"
COUNT = "count"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    # For table headers, where the full name does not fit.
    short: str = ""

    @property
    def label(self) -> str:
        return self.short or self.name

    @property
    def is_percent(self) -> bool:
        return self.unit == PERCENT


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "residents_guided",
        _("Tỷ lệ người dân được hướng dẫn sử dụng các nền tảng thiết yếu"),
        PERCENT,
        (m.GUIDED,),
        (m.RESIDENTS,),
        _("Người dân được hướng dẫn"),
    ),
    Indicator(
        "households_guided",
        _("Tỷ lệ hộ gia đình được Tổ công nghệ số đến hướng dẫn"),
        PERCENT,
        (m.HOUSEHOLDS_GUIDED,),
        (m.HOUSEHOLDS,),
        _("Hộ được hướng dẫn"),
    ),
    Indicator(
        "adults_skilled",
        _("Tỷ lệ người trưởng thành có kiến thức, kỹ năng số cơ bản"),
        PERCENT,
        (m.ADULTS_CONFIRMED,),
        (m.ADULTS,),
        _("Người trưởng thành có kỹ năng số"),
    ),
    Indicator(
        "adults_confirmed",
        _("Số người trưởng thành được xác nhận đạt phổ cập kỹ năng số"),
        COUNT,
        (m.ADULTS_CONFIRMED,),
    ),
    Indicator(
        "officials_skilled",
        _("Tỷ lệ cán bộ, công chức, viên chức có kỹ năng số"),
        PERCENT,
        (m.skilled_metric(TargetGroup.OFFICIALS),),
        (m.group_metric(TargetGroup.OFFICIALS),),
        _("Cán bộ có kỹ năng số"),
    ),
    Indicator(
        "students_skilled",
        _("Tỷ lệ học sinh, sinh viên có kỹ năng số"),
        PERCENT,
        (m.skilled_metric(TargetGroup.STUDENTS),),
        (m.group_metric(TargetGroup.STUDENTS),),
    ),
    Indicator(
        "workers_skilled",
        _("Tỷ lệ người lao động trong doanh nghiệp có kỹ năng số"),
        PERCENT,
        (m.skilled_metric(TargetGroup.WORKERS),),
        (m.group_metric(TargetGroup.WORKERS),),
    ),
    Indicator(
        "smartphone",
        _("Tỷ lệ người dân sử dụng điện thoại thông minh"),
        PERCENT,
        (m.milestone_metric(Milestone.HAS_SMARTPHONE),),
        (m.RESIDENTS,),
    ),
    Indicator(
        "vneid_level2",
        _("Số tài khoản định danh điện tử VNeID mức 2 được kích hoạt"),
        COUNT,
        (m.milestone_metric(Milestone.VNEID_LEVEL2),),
    ),
    Indicator(
        "bank_accounts",
        _("Số người có tài khoản ngân hàng số"),
        COUNT,
        (m.milestone_metric(Milestone.BANK_ACCOUNT),),
    ),
    Indicator(
        "cashless",
        _("Số người thanh toán không dùng tiền mặt"),
        COUNT,
        (m.milestone_metric(Milestone.PAYS_CASHLESS),),
    ),
    Indicator(
        "confirmations",
        _("Số người được xác nhận đạt trình độ phổ cập kỹ năng số (mọi nhóm)"),
        COUNT,
        tuple(m.confirmed_metric(g) for g in TargetGroup.values),
    ),
    Indicator("classes_held", _("Số lớp học đã tổ chức"), COUNT, (m.CLASSES_HELD,)),
    Indicator(
        "people_supported",
        _("Lượt người dân được hỗ trợ (thăm hộ, lớp học)"),
        COUNT,
        (m.VISITS, m.ATTENDANCES),
    ),
    Indicator("quiz_passes", _("Lượt vượt qua bài kiểm tra trực tuyến"), COUNT, (m.QUIZ_PASSES,)),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

# The headline figures of the public page and the default of rankings.
HEADLINE = ("residents_guided", "households_guided", "adults_skilled", "officials_skilled")
