"""Certificates: signature, PDF, QR, revocation and its status list, Open Badges credential."""

import copy

import pytest
from django.core.exceptions import ValidationError

from hocvuso.accounts.models import Role
from hocvuso.skills import signing
from hocvuso.skills.models import Certificate, Confirmation
from hocvuso.skills.pdf import certificate_pdf
from hocvuso.skills.services.certificates import (
    CODE_ALPHABET,
    certificate_document,
    decode_bits,
    encode_bits,
    is_set,
    normalise_code,
    open_badge_credential,
    qr_payload,
    revoke_certificate,
    status_list_credential,
)
from hocvuso.skills.signals import confirmation_revoked
from tests.skills.pdftext import pdf_text


@pytest.fixture
def certificate(confirm) -> Certificate:
    return confirm("Triệu Thị Hoa").confirmation.certificate


def test_the_code_is_short_and_unambiguous(certificate):
    prefix, first, second = certificate.code.split("-")
    assert prefix == "HVS" and len(first) == len(second) == 4
    assert set(first + second) <= set(CODE_ALPHABET)
    assert not set("01ILOU") & set(CODE_ALPHABET)
    assert normalise_code(f" hvs {first.lower()}{second.lower()} ") == certificate.code


def test_the_signature_covers_the_content(certificate):
    key = signing.signing_key().public_key()
    assert signing.verify(certificate.content, certificate.signature, key)
    altered = dict(certificate.content, holder="Triệu Thị Hoà")
    assert not signing.verify(altered, certificate.signature, key)
    assert certificate.content["holder"] == "Triệu Thị Hoa"
    assert certificate.content["confirmed_on"] == certificate.confirmation.confirmed_on.isoformat()
    assert certificate.content["mode"] == "assisted"
    assert certificate.key_id == signing.key_id()


def test_the_downloadable_document_carries_no_key_to_trust(certificate):
    document = certificate_document(certificate)
    assert document["certificate"] == certificate.content
    assert "public_key" not in document
    assert document["verify_url"].endswith(f"/ky-nang-so/xac-minh/{certificate.code}/")


def test_the_qr_code_carries_the_signed_content(certificate):
    payload = qr_payload(certificate)
    token = payload.split("?t=", 1)[1]
    content, signature = signing.parse_qr_token(token)
    assert content == certificate.content and signature == certificate.signature


def test_the_pdf_is_a_real_pdf_with_the_name_in_vietnamese(certificate):
    data = certificate_pdf(certificate)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"+DejaVuSansBold" in data and b"+DejaVuSansBook" in data
    assert b"/ToUnicode" in data
    text = pdf_text(data)
    assert "Triệu Thị Hoa" in text
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Đạt trình độ phổ cập kỹ năng số" in text
    assert certificate.code in text
    assert b"/Subtype /Image" in data


def test_revoking_withdraws_the_confirmation_and_is_sent(certificate, make_user, area):
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    received = []

    def receiver(sender, confirmation, area, target_group, reason, **kwargs):
        received.append((confirmation.pk, target_group, reason))

    confirmation_revoked.connect(receiver)
    try:
        revoke_certificate(certificate=certificate, reason="Cấp nhầm người", revoked_by=admin)
    finally:
        confirmation_revoked.disconnect(receiver)
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Cấp nhầm người" and certificate.revoked_by == admin
    confirmation = Confirmation.objects.get(pk=certificate.confirmation_id)
    assert confirmation.revoked_at is not None
    assert received == [(confirmation.pk, "citizens", "Cấp nhầm người")]
    with pytest.raises(ValidationError, match="đã bị thu hồi trước đó"):
        revoke_certificate(certificate=certificate, reason="Lần nữa", revoked_by=admin)
    with pytest.raises(ValidationError, match="lý do"):
        revoke_certificate(certificate=Certificate(pk=certificate.pk), reason=" ", revoked_by=admin)


def test_the_status_list_sets_the_bit_of_each_revoked_certificate(confirm, make_user, area):
    kept = confirm("Lý Văn Sáng").confirmation.certificate
    revoked = confirm("Đặng Thị Lụa").confirmation.certificate
    revoke_certificate(certificate=revoked, reason="Gian lận khi làm bài", revoked_by=None)
    listing = status_list_credential()
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = listing["credentialSubject"]
    assert subject["statusPurpose"] == "revocation" and subject["encodedList"].startswith("u")
    bits = decode_bits(subject["encodedList"])
    assert len(bits) * 8 >= 131072
    assert is_set(bits, revoked.status_index) and not is_set(bits, kept.status_index)
    key = signing.signing_key().public_key()
    assert signing.verify_data_integrity(listing, key)
    tampered = copy.deepcopy(listing)
    # A forger hiding the revocation: the list of nothing revoked, under the old proof.
    tampered["credentialSubject"]["encodedList"] = encode_bits([])
    assert not signing.verify_data_integrity(tampered, key)


def test_the_open_badge_credential_verifies_and_detects_changes(certificate):
    credential = open_badge_credential(certificate)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in credential["@context"]
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofValue"].startswith("z")
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Triệu Thị Hoa"
    key = signing.signing_key().public_key()
    assert signing.verify_data_integrity(credential, key)
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Người Khác"
    assert not signing.verify_data_integrity(forged, key)


def test_keys_read_back_from_every_published_form():
    key = signing.signing_key().public_key()
    raw = signing.public_key_bytes(key)
    for text in (signing.public_key_multibase(), signing.public_key_pem(), signing.b64url(raw)):
        assert signing.public_key_bytes(signing.public_key_from_text(text)) == raw
    assert signing.public_key_multibase().startswith("z6Mk")


def test_canonical_json_is_stable_and_keeps_vietnamese():
    assert signing.canonical({"b": 1, "a": "Đạt"}) == '{"a":"Đạt","b":1}'.encode()
    data = bytes(range(0, 40))
    assert signing.b58decode(signing.b58encode(b"\0\0" + data)) == b"\0\0" + data
