"""The demo localities and accounts, taken from the launches reported in the news.

Only the village names the reports give are named; the rest follow the numbered style ("Thôn 1",
"Tổ dân phố số 1") that communes really use, rather than invented names.
"""

from dataclasses import dataclass

from hocvuso.accounts.models import Role
from hocvuso.places.models import COUNTRY_CODE

SAI_LUONG = "Thôn Sài Lương"
QUANG = "Thôn Quẵng"


@dataclass(frozen=True)
class DemoCommune:
    code: str
    kind: str
    villages: tuple[str, ...]


def _numbered(prefix: str, count: int, *, skip: int = 0) -> tuple[str, ...]:
    return tuple(f"{prefix} {n}" for n in range(skip + 1, skip + count + 1))


# Xã Đông Cuông, Lào Cai: 26 community teams, one per village.
DONG_CUONG = DemoCommune(code="04399", kind="thôn", villages=(SAI_LUONG, *_numbered("Thôn", 25)))
# Xã Tiên Lữ, Hưng Yên (12364; not Xã Tiên Lữ of Phú Thọ, 08842): 35 villages, 35 teams.
TIEN_LU = DemoCommune(code="12364", kind="thôn", villages=(QUANG, *_numbered("Thôn", 34)))
# Xã Măng Đen, Quảng Ngãi: Kon Pring and Kon Tu Rằng are its well-known villages.
MANG_DEN = DemoCommune(
    code="23473",
    kind="thôn",
    villages=("Thôn Kon Pring", "Thôn Kon Tu Rằng", *_numbered("Thôn", 9)),
)
# Phường Đống Đa, Hà Nội: a ward, divided into residential groups.
DONG_DA = DemoCommune(code="00235", kind="tổ dân phố", villages=_numbered("Tổ dân phố số", 15))

COMMUNES: tuple[DemoCommune, ...] = (DONG_CUONG, TIEN_LU, MANG_DEN, DONG_DA)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    phone: str
    role: Role
    # An area code ("VN", "15", "04399"), or the name of a village in `village_of`.
    area: str
    village_of: str = ""
    is_staff: bool = False


USERS: tuple[DemoUser, ...] = (
    DemoUser("demo.hocvien", "Hoàng Thị Lan", "0912000101", Role.LEARNER, SAI_LUONG, "04399"),
    DemoUser("demo.daisuso", "Lý Văn Hùng", "0912000102", Role.AMBASSADOR, SAI_LUONG, "04399"),
    DemoUser("demo.totv", "Triệu Thị Mai", "0912000103", Role.TEAM_MEMBER, SAI_LUONG, "04399"),
    DemoUser(
        "demo.totruong", "Nguyễn Văn Thắng", "0912000104", Role.TEAM_LEADER, SAI_LUONG, "04399"
    ),
    DemoUser("demo.canboxa", "Phạm Thị Hồng", "0912000105", Role.COMMUNE_OFFICER, "04399"),
    DemoUser("demo.canboxa.tienlu", "Đỗ Văn Quyết", "0912000106", Role.COMMUNE_OFFICER, "12364"),
    DemoUser("demo.canboxa.mangden", "A Thịnh", "0912000107", Role.COMMUNE_OFFICER, "23473"),
    DemoUser("demo.canboxa.dongda", "Trần Thu Hà", "0912000108", Role.COMMUNE_OFFICER, "00235"),
    DemoUser("demo.canbotinh", "Vũ Minh Tuấn", "0912000109", Role.PROVINCE_OFFICER, "15"),
    DemoUser(
        "demo.quantri",
        "Lê Quang Huy",
        "0912000110",
        Role.NATIONAL_ADMIN,
        COUNTRY_CODE,
        is_staff=True,
    ),
    DemoUser(
        "demo.bientap", "Bùi Thị Thanh Hương", "0912000111", Role.CONTENT_EDITOR, COUNTRY_CODE
    ),
)
