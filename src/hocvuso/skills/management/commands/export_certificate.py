"""hocvuso export_certificate <code>: write a certificate's PDF, JSON, QR payload or Open Badge."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hocvuso.skills.models import Certificate
from hocvuso.skills.pdf import certificate_pdf
from hocvuso.skills.services.certificates import (
    certificate_document,
    normalise_code,
    open_badge_credential,
    qr_payload,
)


class Command(BaseCommand):
    help = "Xuất một chứng nhận ra tệp PDF, JSON có chữ ký, nội dung mã QR hoặc Open Badges 3.0."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--pdf")
        parser.add_argument("--json")
        parser.add_argument("--qr", help="tệp văn bản chứa nội dung mã QR")
        parser.add_argument("--badge", help="tệp OpenBadgeCredential (JSON)")

    def handle(self, *args, code, pdf, json: str | None = None, qr, badge, **options):
        certificate = Certificate.objects.filter(code=normalise_code(code)).first()
        if certificate is None:
            raise CommandError(f"Không có chứng nhận mã {code}.")
        if pdf:
            Path(pdf).write_bytes(certificate_pdf(certificate))
            self.stdout.write(f"PDF: {pdf}")
        if json:
            _write_json(json, certificate_document(certificate))
            self.stdout.write(f"JSON: {json}")
        if qr:
            Path(qr).write_text(qr_payload(certificate) + "\n", encoding="utf-8")
            self.stdout.write(f"QR: {qr}")
        if badge:
            _write_json(badge, open_badge_credential(certificate))
            self.stdout.write(f"Open Badge: {badge}")


def _write_json(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
