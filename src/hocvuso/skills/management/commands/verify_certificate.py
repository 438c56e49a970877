"""hocvuso verify_certificate <file>: check a certificate offline, with the public key only.

The file is a downloaded certificate JSON, an Open Badges 3.0 credential, or the text of its QR
code. No database is read: the key comes from --key (multibase, base64url or PEM text, or a file
holding the JSON of /api/v1/certificates/keys), else from this installation's own key; revocations
from a cached status list (--status-list, the JSON of /api/v1/certificates/status-list), if given.
"""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError

from hocvuso.skills import signing
from hocvuso.skills.services.certificates import decode_bits, is_set


def _load_key(text: str | None):
    if not text:
        return signing.signing_key().public_key()
    path = Path(text)
    try:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if text.lstrip().startswith("{"):
                methods = json.loads(text).get("verificationMethod", [])
                if not methods:
                    raise CommandError("Tệp khoá không có verificationMethod.")
                text = methods[0]["publicKeyMultibase"]
        return signing.public_key_from_text(text)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise CommandError(
            f"Không đọc được khoá công khai “{text[:60]}”: cần tệp JSON tải từ "
            "/api/v1/certificates/keys, hoặc khoá dạng multibase, base64url hay PEM."
        ) from None


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CommandError(f"Không đọc được {what} “{path}”.") from None


class Command(BaseCommand):
    help = "Xác minh chứng nhận ngoại tuyến bằng khoá công khai, không cần cơ sở dữ liệu."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--key", help="khoá công khai hoặc tệp JSON các khoá")
        parser.add_argument("--status-list", help="tệp danh sách thu hồi đã tải về")

    def handle(self, *args, file, key, status_list, **options):
        public_key = _load_key(key)
        text = _read(file, "tệp chứng nhận").strip()
        content, ok, kind = self._check(text, public_key)
        if not ok:
            self.stdout.write(kind)
            raise CommandError("KHÔNG HỢP LỆ")
        index = content.get("status_index")
        if status_list and index is not None:
            try:
                listing = json.loads(_read(status_list, "danh sách thu hồi"))
            except ValueError:
                raise CommandError("Danh sách thu hồi không phải JSON hợp lệ.") from None
            if not signing.verify_data_integrity(listing, public_key):
                raise CommandError("Danh sách thu hồi không có chữ ký hợp lệ của khoá này.")
            bits = decode_bits(listing["credentialSubject"]["encodedList"])
            if is_set(bits, int(index)):
                self.stdout.write(f"Mã {content.get('code')}: chữ ký đúng nhưng ĐÃ BỊ THU HỒI.")
                raise CommandError("ĐÃ THU HỒI")
        self.stdout.write(f"HỢP LỆ ({kind}): chữ ký Ed25519 đúng, nội dung không bị sửa.")
        for label, key_ in (
            ("Mã", "code"),
            ("Người được chứng nhận", "holder"),
            ("Khung", "profile_title"),
            ("Ngày xác nhận", "confirmed_on"),
        ):
            if key_ in content:
                self.stdout.write(f"  {label}: {content[key_]}")
        if not status_list:
            self.stdout.write("  (Chưa kiểm tra thu hồi: hãy thêm --status-list.)")

    def _check(self, text: str, public_key) -> tuple[dict, bool, str]:
        if text.startswith("{"):
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CommandError(f"Tệp JSON hỏng: {exc.msg}") from exc
            if "proof" in document:
                ok = signing.verify_data_integrity(document, public_key)
                subject = document.get("credentialSubject", {})
                identity = (subject.get("identifier") or [{}])[0]
                content = {
                    "code": str(document.get("id", "")).rstrip("/").rsplit("/", 1)[-1],
                    "holder": identity.get("identityHash", ""),
                    "profile_title": subject.get("achievement", {}).get("description", ""),
                    "confirmed_on": str(subject.get("activityEndDate", ""))[:10],
                    "status_index": document.get("credentialStatus", {}).get("statusListIndex"),
                }
                message = "Open Badges 3.0"
                if not ok:
                    message = "Nội dung chứng chỉ số đã bị sửa hoặc chữ ký không đúng."
                return content, ok, message
            content, signature = document.get("certificate"), document.get("signature", "")
            if not isinstance(content, dict) or not signing.verify(content, signature, public_key):
                return {}, False, "Nội dung chứng nhận đã bị sửa hoặc chữ ký số không đúng."
            return content, True, "tệp chứng nhận"
        query = parse_qs(urlsplit(text).query)
        token = query.get("t", [text])[0]
        parsed = signing.parse_qr_token(token)
        if parsed is None or not signing.verify(parsed[0], parsed[1], public_key):
            return {}, False, "Mã QR đã bị sửa hoặc không do nền tảng tạo ra."
        path_code = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1]
        if query and path_code != parsed[0].get("code"):
            return {}, False, "Mã QR đã bị sửa: mã trong đường dẫn khác mã đã ký."
        return parsed[0], True, "mã QR"
