"""Warning signs of fraud in a pasted SMS or Zalo message ("Kiểm tra tin nhắn"), each explained.

Reads the text only; never opens a link. A link is suspect when its address imitates an official one
(vneid.gov.vn, dichvucong.gov.vn, chinhphu.vn, the banks, the electricity company): letters swapped
for look-alikes, extra words, a wrong ending, a bare IP address, or a link shortener hiding where
it goes.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.assistant.text import strip_diacritics

MESSAGE_MAX_LENGTH = 5000

# Official sites, by the name an impostor imitates, with their real domain.
OFFICIAL_DOMAINS: dict[str, str] = {
    "vneid": "vneid.gov.vn",
    "dichvucong": "dichvucong.gov.vn",
    "chinhphu": "chinhphu.vn",
    "vietcombank": "vietcombank.com.vn",
    "vietinbank": "vietinbank.vn",
    "agribank": "agribank.com.vn",
    "bidv": "bidv.com.vn",
    "techcombank": "techcombank.com",
    "mbbank": "mbbank.com.vn",
    "vpbank": "vpbank.com.vn",
    "sacombank": "sacombank.com.vn",
    "acb": "acb.com.vn",
    "tpbank": "tpb.vn",
    "evn": "evn.com.vn",
    "baohiemxahoi": "baohiemxahoi.gov.vn",
    "vssid": "baohiemxahoi.gov.vn",
    "thuedientu": "thuedientu.gdt.gov.vn",
    "congan": "bocongan.gov.vn",
    "bocongan": "bocongan.gov.vn",
    "zalo": "zalo.me",
}
# Other real domains a message may carry without being a sign in itself.
TRUSTED_SUFFIXES = (
    ".gov.vn",
    "chinhphu.vn",
    "vietcombank.com.vn",
    "vietinbank.vn",
    "agribank.com.vn",
    "bidv.com.vn",
    "techcombank.com",
    "techcombank.com.vn",
    "mbbank.com.vn",
    "vpbank.com.vn",
    "sacombank.com.vn",
    "acb.com.vn",
    "tpb.vn",
    "evn.com.vn",
    "zalo.me",
    "zalo.vn",
)
SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.ly",
        "shorturl.at",
        "cutt.ly",
        "rb.gy",
        "is.gd",
        "goo.gl",
        "tiny.cc",
        "s.id",
        "ow.ly",
        "v.gd",
        "t.co",
        "buff.ly",
        "rebrand.ly",
        "short.io",
        "bitly.com",
    ]
)
# Endings a bare address (no http://, no www.) must have to count as a link, so that "TP.HCM" or
# "Q.1" in a text is not taken for one.
BARE_LINK_ENDINGS = frozenset(
    [
        "vn",
        "com",
        "net",
        "org",
        "info",
        "top",
        "xyz",
        "cc",
        "io",
        "me",
        "ly",
        "site",
        "online",
        "shop",
        "club",
        "app",
        "link",
        "live",
        "co",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "asia",
        "biz",
        "us",
        "ru",
        "cn",
        "icu",
        "vip",
        "pro",
        "tv",
        "id",
        "at",
        "gd",
        "so",
        "gl",
        "win",
        "bid",
        "cyou",
        "sbs",
        "click",
        "store",
    ]
)
# Look-alike characters mapped to the letter they imitate.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ı": "i",
        "ԁ": "d",
        "ɡ": "g",
        "ո": "n",
        "ν": "v",
        "0": "o",
        "1": "l",
        "3": "e",
        "5": "s",
    }
)
_LINK = re.compile(
    r"(?:(?:https?|hxxps?)://)?(?:www\.)?"
    r"((?:[\w-]+\.)+[a-z\u0400-\u04ff]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sign:
    code: str
    title: str
    explanation: str
    # The words or the link in the message that show the sign.
    evidence: str = ""


@dataclass
class CheckResult:
    signs: list[Sign] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        """How likely the message is a scam: "high", "medium" or "none"."""
        codes = {sign.code for sign in self.signs}
        asks = codes & {"otp", "password", "card", "money", "install"}
        if "lookalike" in codes or (asks and codes - asks) or len(codes) >= 3:
            return "high"
        return "medium" if codes else "none"


# (code, pattern over the text without diacritics, title, explanation)
_TEXT_SIGNS: list[tuple[str, str, object, object]] = [
    (
        "otp",
        r"\botp\b|ma (xac thuc|xac nhan|kich hoat|bao mat)|\bma (so|gom) \d|ma 6 so",
        gettext_lazy("Đòi mã OTP, mã xác thực"),
        gettext_lazy(
            "Mã OTP là chìa khoá tài khoản của bạn. Ngân hàng, công an, nhà mạng không bao giờ hỏi "
            "mã này. Ai đòi mã OTP là kẻ lừa đảo."
        ),
    ),
    (
        "password",
        r"mat khau|\bmk\b|\bpass(word)?\b|ma pin|passcode",
        gettext_lazy("Hỏi mật khẩu hoặc mã PIN"),
        gettext_lazy(
            "Không cơ quan, ngân hàng nào hỏi mật khẩu hay mã PIN qua tin nhắn, cuộc gọi hay đường link."
        ),
    ),
    (
        "card",
        r"so the\b|\bcvv\b|\bcvc\b|ngay het han the|mat sau the|so tai khoan va",
        gettext_lazy("Hỏi số thẻ, mã CVV"),
        gettext_lazy("Có số thẻ và mã ở mặt sau thẻ, kẻ gian rút được tiền của bạn."),
    ),
    (
        "money",
        r"chuyen (tien|khoan|truoc|gap|ngay)|\bck\b|nap tien|dong phi|phi (ho so|giai ngan|kich hoat"
        r"|xac minh|bao hiem)|dat coc|chuyen vao tai khoan|muon (tam|tien)|cho (minh|em|anh|chi|to)"
        r" muon|vay (tam|gap)",
        gettext_lazy("Yêu cầu chuyển tiền, nộp phí, cho vay"),
        gettext_lazy(
            "Tin nhắn đòi chuyển tiền hay nộp phí trước là dấu hiệu lừa đảo hay gặp nhất. Người thân "
            "nhắn vay tiền qua Zalo, Facebook có thể là tài khoản đã bị chiếm: hãy gọi lại số quen."
        ),
    ),
    (
        "urgency",
        r"khan cap|khan truong|\bgap gap\b|can gap|ngay lap tuc|ngay bay gio|trong (vong )?\d+ ?(phut|gio|h\b)|truoc \d+ ?(h|gio)"
        r"|trong hom nay|het han|lan cuoi|sap bi",
        gettext_lazy("Hối thúc, doạ hết hạn"),
        gettext_lazy(
            "Kẻ lừa đảo giục làm ngay để bạn không kịp suy nghĩ hay hỏi ai. Việc thật không cần vội "
            "đến vài phút."
        ),
    ),
    (
        "threat",
        r"khoa (tai khoan|sim|the)|bi khoa|tam khoa|vo hieu hoa|bat giu|bat tam giam|khoi to|lenh bat"
        r"|truy na|rua tien|dieu tra|cat dien|ngung cap dien|thu hoi|phat (hanh chinh|nguoi|tien)"
        r"|cuong che",
        gettext_lazy("Đe doạ khoá tài khoản, bắt giữ, cắt dịch vụ"),
        gettext_lazy(
            "Doạ khoá tài khoản, cắt điện hay bị bắt để bạn sợ mà làm theo. Cơ quan thật gửi giấy mời "
            "hoặc làm việc trực tiếp, không doạ qua tin nhắn."
        ),
    ),
    (
        "authority",
        r"cong an|toa an|vien kiem sat|co quan thue|cuc thue|chi cuc thue|dien luc|\bevn\b"
        r"|bao hiem xa hoi|ngan hang nha nuoc|bo cong an|can bo",
        gettext_lazy("Tự xưng là cơ quan nhà nước, điện lực"),
        gettext_lazy(
            "Công an, thuế, điện lực không làm việc hay đòi tiền qua tin nhắn, Zalo. Hãy tự gọi số "
            "của cơ quan đó (tra trên trang chính thức) hoặc đến trụ sở để hỏi."
        ),
    ),
    (
        "prize",
        r"trung thuong|qua tang|tri an khach hang|nhan thuong|giai thuong|duoc tang|mien phi nhan",
        gettext_lazy("Báo trúng thưởng, tặng quà"),
        gettext_lazy("Không ai trao thưởng cho người không tham gia; đòi phí nhận quà là lừa đảo."),
    ),
    (
        "job",
        r"viec nhe luong cao|lam nhiem vu|nhiem vu|hoa hong|loi nhuan|dau tu|tien ao|lai suat cao"
        r"|cam ket (lai|loi)|thu nhap \d|like (video|tiktok)|tha tim|x2 |gap doi",
        gettext_lazy("Mời việc nhẹ lương cao, đầu tư lãi lớn"),
        gettext_lazy(
            "Trả hoa hồng cao cho việc đơn giản hay hứa lãi lớn để dụ bạn nạp tiền; sau vài lần nhận "
            "ít tiền, bạn sẽ bị giữ số tiền lớn."
        ),
    ),
    (
        "install",
        r"cai (dat )?(ung dung|app)|tai (ung dung|app)|\.apk\b|cap nhat (vneid|dinh danh|ung dung)"
        r"|ho tro cai dat",
        gettext_lazy("Bảo cài ứng dụng qua đường link"),
        gettext_lazy(
            "Ứng dụng giả có thể đọc tin nhắn OTP và điều khiển điện thoại. Chỉ cài ứng dụng từ CH "
            "Play hoặc App Store."
        ),
    ),
    (
        "secrecy",
        r"khong duoc (noi|ke|bao|chia se)|giu bi mat|bi mat dieu tra|dung noi",
        gettext_lazy("Dặn giữ bí mật"),
        gettext_lazy(
            "Kẻ gian dặn không kể với ai để người thân không kịp ngăn. Hãy hỏi người thân hoặc Tổ "
            "công nghệ số cộng đồng."
        ),
    ),
]


def clean_message(text: str | None) -> str:
    """The pasted message, or a ValidationError in Vietnamese when empty or too long."""
    message = (text or "").strip()
    if not message:
        raise ValidationError(_("Hãy dán nội dung tin nhắn cần kiểm tra."))
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("Tin nhắn dài quá %(limit)s ký tự. Hãy dán phần chính của tin nhắn.")
            % {"limit": MESSAGE_MAX_LENGTH}
        )
    return message


def _host_of(link: str) -> str:
    host = re.sub(r"^(?:https?|hxxps?)://", "", link, flags=re.IGNORECASE)
    host = re.split(r"[/:?#]", host, maxsplit=1)[0].lower().rstrip(".")
    return host.removeprefix("www.")


def _is_trusted(host: str) -> bool:
    return any(
        host == s.lstrip(".") or host.endswith("." + s.lstrip(".")) for s in TRUSTED_SUFFIXES
    )


def _skeleton(host: str) -> str:
    """The host as it reads at a glance: look-alike letters replaced, no dots or dashes."""
    folded = unicodedata.normalize("NFKC", host).translate(_HOMOGLYPHS)
    folded = strip_diacritics(folded).replace("rn", "m").replace("vv", "w")
    return re.sub(r"[^a-z]", "", folded)


def _imitated(host: str) -> str | None:
    """The official name a host imitates, or None."""
    skeleton = _skeleton(host)
    for name in sorted(OFFICIAL_DOMAINS, key=len, reverse=True):
        if len(name) >= 4 and name in skeleton:
            return name
        if len(name) < 4 and re.search(rf"(^|[.-]){name}([.-]|$)", host):
            return name
    if "gov" in skeleton and not host.endswith(".gov.vn"):
        return "gov"
    return None


def _link_signs(text: str) -> tuple[list[Sign], list[str]]:
    signs: list[Sign] = []
    links: list[str] = []
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(".,;:!?)")
        host = _host_of(link)
        if "." not in host or host in links:
            continue
        bare = not re.match(r"(?:https?|hxxps?)://|www\.", link, flags=re.IGNORECASE)
        is_ip = re.fullmatch(r"[\d.]+", host) is not None
        if bare and not is_ip and host.rsplit(".", 1)[-1] not in BARE_LINK_ENDINGS:
            continue
        links.append(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            signs.append(
                Sign(
                    "ip_link",
                    _("Đường link là dãy số (địa chỉ IP)"),
                    _("Trang của cơ quan, ngân hàng thật luôn có tên miền, không phải một dãy số."),
                    link,
                )
            )
            continue
        if _is_trusted(host):
            continue
        if host in SHORTENERS:
            signs.append(
                Sign(
                    "shortener",
                    _("Đường link rút gọn, giấu địa chỉ thật"),
                    _("Link rút gọn che mất trang sẽ mở. Đừng bấm; hãy tự gõ địa chỉ chính thức."),
                    link,
                )
            )
            continue
        imitated = _imitated(host)
        non_ascii = host.startswith("xn--") or ".xn--" in host or not host.isascii()
        if imitated == "gov":
            signs.append(
                Sign(
                    "lookalike",
                    _("Tên miền giả dạng cơ quan nhà nước"),
                    _(
                        "Trang của cơ quan nhà nước Việt Nam kết thúc bằng “.gov.vn”. "
                        "“%(host)s” không phải."
                    )
                    % {"host": host},
                    link,
                )
            )
        elif imitated is not None or non_ascii:
            real = OFFICIAL_DOMAINS.get(imitated or "", "")
            explanation = (
                _(
                    "Địa chỉ “%(host)s” bắt chước “%(real)s” (thêm chữ, đổi đuôi hoặc thay chữ cái "
                    "trông giống nhau). Trang thật chỉ là %(real)s."
                )
                % {"host": host, "real": real}
                if real
                else _("Địa chỉ “%(host)s” dùng chữ cái lạ trông giống chữ thường.")
                % {"host": host}
            )
            signs.append(
                Sign("lookalike", _("Tên miền giả mạo trang chính thức"), explanation, link)
            )
        else:
            signs.append(
                Sign(
                    "unknown_link",
                    _("Có đường link lạ"),
                    _(
                        "Đừng bấm link trong tin nhắn lạ. Muốn xem, hãy tự mở ứng dụng hoặc gõ địa "
                        "chỉ trang chính thức."
                    ),
                    link,
                )
            )
    return signs, links


def _evidence(original: str, folded: str, match: re.Match) -> str:
    # Folding keeps one character per character of NFC text, so positions carry over.
    start, end = match.span()
    return original[start:end] if len(original) == len(folded) else match.group(0)


def check_message(text: str) -> CheckResult:
    """The warning signs in a pasted message and what to do about them."""
    message = unicodedata.normalize("NFC", clean_message(text))
    result = CheckResult()
    result.signs, result.links = _link_signs(message)
    folded = strip_diacritics(message)
    for code, pattern, title, explanation in _TEXT_SIGNS:
        match = re.search(pattern, folded)
        if match:
            evidence = _evidence(message, folded, match)
            result.signs.append(Sign(code, str(title), str(explanation), evidence))
    result.advice = _advice({sign.code for sign in result.signs})
    return result


def _advice(codes: set[str]) -> list[str]:
    advice = []
    if codes & {"otp", "password", "card"}:
        advice.append(
            _("Không đưa mã OTP, mật khẩu, số thẻ cho bất kỳ ai, kể cả người xưng là ngân hàng.")
        )
    if codes & {"lookalike", "ip_link", "shortener", "unknown_link", "install"}:
        advice.append(
            _("Không bấm đường link, không cài ứng dụng theo tin nhắn. Tự mở ứng dụng chính thức.")
        )
    if codes & {"money", "job", "prize"}:
        advice.append(
            _("Không chuyển tiền. Người thân hỏi vay: gọi lại đúng số quen hoặc hỏi trực tiếp.")
        )
    if "authority" in codes or "threat" in codes:
        advice.append(
            _(
                "Cơ quan nhà nước không làm việc qua tin nhắn, Zalo. Gọi 113 hoặc đến công an xã nếu lo."
            )
        )
    if codes:
        advice.append(
            _(
                "Đã lỡ làm theo? Gọi ngay tổng đài ngân hàng (số in ở mặt sau thẻ) để khoá tài khoản, "
                "rồi báo công an xã."
            )
        )
        advice.append(
            _(
                "Báo tin nhắn rác, lừa đảo: soạn “S <số gửi> <nội dung>” gửi 156; cuộc gọi: “V <số gọi> "
                "<nội dung>” gửi 156."
            )
        )
    else:
        advice.append(
            _(
                "Không thấy dấu hiệu quen thuộc, nhưng vẫn hãy cẩn thận: không đưa OTP, mật khẩu, "
                "không chuyển tiền cho người chưa gặp."
            )
        )
    return advice
