"""Certificates: issuing and revoking them, verifying them, and what verifiers can cache."""

import base64
import gzip
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.skills import signing
from hocvuso.skills.models import Certificate, Confirmation
from hocvuso.skills.signals import confirmation_revoked

ISSUER_NAME = "Nền tảng Bình dân học vụ số"
FORMAT = "hocvuso-certificate"
# Without 0/O, 1/I/L and U, so a code read aloud or copied by hand is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 2
# The W3C Bitstring Status List minimum (16 KB), so a list does not reveal how many were issued.
STATUS_LIST_BITS = 131072


def public_url() -> str:
    """The address the platform is reached at from outside, for links printed on certificates."""
    return settings.PUBLIC_URL.rstrip("/")


def verify_url(code: str) -> str:
    return public_url() + reverse("skills:verify_code", args=[code])


def keys_url() -> str:
    return public_url() + reverse("api-v1:certificate_keys")


def status_list_url() -> str:
    return public_url() + reverse("api-v1:certificate_status_list")


def new_code() -> str:
    groups = [
        "".join(secrets.choice(CODE_ALPHABET) for _i in range(4)) for _g in range(CODE_GROUPS)
    ]
    return "HVS-" + "-".join(groups)


def normalise_code(text: str) -> str:
    """A code as typed: upper case, spaces and dashes as printed, with or without "HVS"."""
    plain = "".join(text.split()).upper().replace("-", "")
    plain = plain.removeprefix("HVS")
    if len(plain) != 4 * CODE_GROUPS:
        return "".join(text.split()).upper()
    return "HVS-" + "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def _content(confirmation: Confirmation, code: str, index: int) -> dict[str, Any]:
    profile = confirmation.profile
    return {
        "format": FORMAT,
        "v": 1,
        "code": code,
        "holder": confirmation.holder_name,
        "achievement": "Đạt trình độ phổ cập kỹ năng số",
        "profile": profile.code,
        "profile_title": profile.title,
        "framework": f"{profile.framework.code}@{profile.framework.version}",
        "target_group": confirmation.target_group,
        "confirmed_on": confirmation.confirmed_on.isoformat(),
        "mode": confirmation.mode,
        "issuer": ISSUER_NAME,
        "kid": signing.key_id(),
        "status_index": index,
    }


@transaction.atomic
def issue_certificate(*, confirmation: Confirmation) -> Certificate:
    """Sign and store the certificate of a confirmation, with a fresh code and status index."""
    existing = Certificate.objects.filter(confirmation=confirmation).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        top = Certificate.objects.aggregate(top=Max("status_index"))["top"]
        index = 0 if top is None else top + 1
        code = new_code()
        content = _content(confirmation, code, index)
        certificate = Certificate(
            confirmation=confirmation,
            code=code,
            status_index=index,
            content=content,
            signature=signing.sign(content),
            key_id=content["kid"],
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            continue
        return certificate
    raise ValidationError(_("Không cấp được mã chứng nhận, hãy thử lại."))


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, reason: str, revoked_by) -> Certificate:
    """Revoke a certificate with a reason; its confirmation no longer counts and
    `confirmation_revoked` is sent. Revoking twice is refused."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Hãy ghi lý do thu hồi."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("Chứng nhận này đã bị thu hồi trước đó."))
    now = timezone.now()
    locked.revoked_at = now
    locked.revoked_reason = reason[:500]
    locked.revoked_by = revoked_by
    locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    confirmation = locked.confirmation
    confirmation.revoked_at = now
    confirmation.save(update_fields=["revoked_at"])
    confirmation_revoked.send(
        sender=Confirmation,
        confirmation=confirmation,
        area=confirmation.area,
        target_group=confirmation.target_group,
        reason=locked.revoked_reason,
    )
    return locked


def certificate_document(certificate: Certificate) -> dict[str, Any]:
    """The downloadable certificate: the signed content, its signature and where to check it."""
    return {
        "format": FORMAT,
        "certificate": certificate.content,
        "signature": certificate.signature,
        "alg": signing.ALGORITHM,
        "kid": certificate.key_id,
        "verify_url": verify_url(certificate.code),
        "keys_url": keys_url(),
    }


def qr_payload(certificate: Certificate) -> str:
    """What the QR code holds: the verification page, carrying the signed content."""
    token = signing.qr_token(certificate.content, certificate.signature)
    return f"{verify_url(certificate.code)}?t={token}"


class Outcome(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    ALTERED = "altered"
    QR_TAMPERED = "qr_tampered"


def outcome_message(outcome: Outcome, certificate: Certificate | None = None) -> str:
    if outcome == Outcome.VALID:
        return _(
            "Chứng nhận hợp lệ: do nền tảng cấp, nội dung đúng như khi cấp và chưa bị thu hồi."
        )
    if outcome == Outcome.UNKNOWN:
        return _("Không có chứng nhận nào mang mã này. Hãy kiểm tra lại mã.")
    if outcome == Outcome.REVOKED:
        return _("Chứng nhận này đã bị thu hồi ngày %(date)s. Lý do: %(reason)s") % {
            "date": timezone.localtime(certificate.revoked_at).strftime("%d/%m/%Y"),
            "reason": certificate.revoked_reason,
        }
    if outcome == Outcome.ALTERED:
        return _(
            "Nội dung chứng nhận đã bị sửa hoặc chữ ký số không đúng: chứng nhận này không "
            "được tin dùng."
        )
    return _(
        "Mã QR đã bị sửa hoặc không do nền tảng tạo ra: nội dung trong mã QR không khớp với "
        "chứng nhận mang mã này."
    )


@dataclass
class Verification:
    outcome: Outcome
    certificate: Certificate | None = None

    @property
    def message(self) -> str:
        return outcome_message(self.outcome, self.certificate)

    @property
    def is_valid(self) -> bool:
        return self.outcome == Outcome.VALID

    def as_dict(self) -> dict[str, Any]:
        """The public answer: no personal data beyond the name as printed."""
        data: dict[str, Any] = {
            "status": str(self.outcome),
            "valid": self.is_valid,
            "message": self.message,
        }
        cert = self.certificate
        if cert is not None and self.outcome in {Outcome.VALID, Outcome.REVOKED}:
            data["certificate"] = {
                "code": cert.code,
                "holder": cert.content["holder"],
                "achievement": cert.content["achievement"],
                "profile": cert.content["profile_title"],
                "framework": cert.content["framework"],
                "confirmed_on": cert.content["confirmed_on"],
                "issuer": cert.content["issuer"],
            }
            data["revocation"] = (
                {
                    "revoked_at": cert.revoked_at.isoformat(),
                    "reason": cert.revoked_reason,
                }
                if cert.revoked_at
                else None
            )
        return data


def _public_key():
    return signing.signing_key().public_key()


def _stored(certificate: Certificate) -> Verification:
    if not signing.verify(certificate.content, certificate.signature, _public_key()):
        return Verification(Outcome.ALTERED)
    if certificate.revoked_at is not None:
        return Verification(Outcome.REVOKED, certificate)
    return Verification(Outcome.VALID, certificate)


def verify_code(code: str, *, token: str = "") -> Verification:
    """Verify a certificate by its code, and the QR token that came with it when scanned."""
    certificate = Certificate.objects.filter(code=normalise_code(code)).first()
    if token:
        parsed = signing.parse_qr_token(token)
        if (
            parsed is None
            or not signing.verify(parsed[0], parsed[1], _public_key())
            or parsed[0].get("code") != normalise_code(code)
        ):
            return Verification(Outcome.QR_TAMPERED)
        if certificate is not None and parsed[0] != certificate.content:
            return Verification(Outcome.QR_TAMPERED)
    if certificate is None:
        return Verification(Outcome.UNKNOWN)
    return _stored(certificate)


def verify_document(document: Any) -> Verification:
    """Verify a downloaded certificate (the JSON document, or its Open Badges credential)."""
    if not isinstance(document, dict):
        return Verification(Outcome.ALTERED)
    if "proof" in document:
        if not signing.verify_data_integrity(document, _public_key()):
            return Verification(Outcome.ALTERED)
        code = str(document.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
        certificate = Certificate.objects.filter(code=code).first()
        if certificate is None:
            return Verification(Outcome.UNKNOWN)
        return _stored(certificate)
    content, signature = document.get("certificate"), document.get("signature")
    if not isinstance(content, dict) or not isinstance(signature, str):
        return Verification(Outcome.ALTERED)
    if not signing.verify(content, signature, _public_key()):
        return Verification(Outcome.ALTERED)
    certificate = Certificate.objects.filter(code=content.get("code")).first()
    if certificate is None:
        return Verification(Outcome.UNKNOWN)
    if certificate.content != content:
        return Verification(Outcome.ALTERED)
    return _stored(certificate)


def public_keys() -> dict[str, Any]:
    """The issuer and its public key: an Open Badges issuer Profile that is also the controller
    document of the key, so a verifier can check signatures offline."""
    url = keys_url()
    kid = signing.key_id()
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": url,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": public_url() + "/",
        "verificationMethod": [
            {
                "id": f"{url}#{kid}",
                "type": "Multikey",
                "controller": url,
                "publicKeyMultibase": signing.public_key_multibase(),
                "publicKeyPem": signing.public_key_pem(),
                "algorithm": signing.ALGORITHM,
            }
        ],
        "assertionMethod": [f"{url}#{kid}"],
        "statusList": status_list_url(),
    }


def encode_bits(indexes: list[int], size: int = STATUS_LIST_BITS) -> str:
    """A Bitstring Status List encodedList: bit i (from the first byte's high bit) set for each
    index, GZIP-compressed, multibase base64url ('u', no padding)."""
    size = max(size, ((max(indexes, default=0) // 8) + 1) * 8)
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode_bits(encoded: str) -> bytes:
    text = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return index // 8 < len(bits) and bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential() -> dict[str, Any]:
    """The revocation status list of every certificate, as a signed BitstringStatusListCredential."""
    url = status_list_url()
    revoked = list(
        Certificate.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True)
    )
    now = timezone.now().replace(microsecond=0).isoformat()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys_url(),
        "validFrom": now,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked),
        },
    }
    credential["proof"] = signing.data_integrity_proof(
        credential, created=now, verification_method=f"{keys_url()}#{signing.key_id()}"
    )
    return credential


def open_badge_credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate as an Open Badges 3.0 OpenBadgeCredential with an eddsa-jcs-2022
    DataIntegrityProof and its entry in the revocation status list."""
    content = certificate.content
    issued = timezone.localtime(certificate.issued_at).replace(microsecond=0).isoformat()
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": verify_url(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": keys_url(), "type": ["Profile"], "name": content["issuer"]},
        "validFrom": issued,
        "name": content["achievement"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": content["holder"],
                }
            ],
            "activityEndDate": content["confirmed_on"] + "T00:00:00+07:00",
            "achievement": {
                "id": public_url()
                + reverse("skills:profile_detail", args=[certificate.confirmation.profile.pk]),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"{content['achievement']} — {content['profile_title']}",
                "description": content["profile_title"],
                "criteria": {
                    "narrative": _(
                        "Đạt các năng lực và mức theo khung %(framework)s của nhóm đối tượng, "
                        "qua bài đánh giá trên nền tảng."
                    )
                    % {"framework": content["framework"]}
                },
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_list_url(),
        },
    }
    credential["proof"] = signing.data_integrity_proof(
        credential, created=issued, verification_method=f"{keys_url()}#{certificate.key_id}"
    )
    return credential
