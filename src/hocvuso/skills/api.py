"""Public certificate API: verify by code or by document, the issuer's keys, the revocation list.

`GET /api/v1/certificates/{code}` is a promise to integrators (see DESIGN.md); its answer names the
outcome in `status`: valid, unknown, revoked, altered or qr_tampered.
"""

import json
from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema

from hocvuso.skills.services.certificates import (
    public_keys,
    status_list_credential,
    verify_code,
    verify_document,
)

router = Router(tags=["certificates"])


class CertificateOut(Schema):
    code: str
    holder: str
    achievement: str
    profile: str
    framework: str
    confirmed_on: str
    issuer: str


class RevocationOut(Schema):
    revoked_at: str
    reason: str


class VerificationOut(Schema):
    status: str
    valid: bool
    message: str
    certificate: CertificateOut | None = None
    revocation: RevocationOut | None = None


def _json(data: dict, *, max_age: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@router.get(
    "/keys",
    url_name="certificate_keys",
    summary="Khoá công khai của đơn vị cấp / Issuer public key",
)
def keys(request):
    """The issuer and its Ed25519 public key (Multikey and PEM), to verify certificates offline."""
    return _json(public_keys(), max_age=86400)


@router.get(
    "/status-list",
    url_name="certificate_status_list",
    summary="Danh sách thu hồi / Revocation status list",
)
def status_list(request):
    """Revoked certificates as a signed W3C BitstringStatusListCredential; cache it for 5 minutes."""
    return _json(status_list_credential(), max_age=300)


@router.post(
    "/verify",
    response=VerificationOut,
    url_name="certificate_verify_document",
    summary="Xác minh tệp chứng nhận / Verify a certificate file",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "required": True,
        }
    },
)
def verify_posted(request):
    """Verify a downloaded certificate JSON or Open Badges credential (the file as the body):
    altered content or a bad signature is `altered`."""
    try:
        document: Any = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        document = None
    return verify_document(document).as_dict()


@router.get(
    "/{code}",
    response=VerificationOut,
    url_name="certificate_verify",
    summary="Xác minh chứng nhận theo mã / Verify a certificate by code",
)
def verify(request, code: str, t: str = ""):
    """Verify a certificate by its code; `t` is the token a scanned QR code carries."""
    return verify_code(code, token=t).as_dict()
