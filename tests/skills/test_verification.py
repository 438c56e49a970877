"""Verification says exactly which: valid, unknown code, revoked, altered content, tampered QR;
online (page and API) and offline (the command, with the public key only)."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from hocvuso.skills import signing
from hocvuso.skills.services.certificates import (
    certificate_document,
    open_badge_credential,
    public_keys,
    qr_payload,
    revoke_certificate,
    status_list_credential,
)


@pytest.fixture
def certificate(confirm):
    return confirm("Triệu Thị Hoa").confirmation.certificate


def _api(client, code, **params):
    return client.get(reverse("api-v1:certificate_verify", args=[code]), params)


def test_a_valid_certificate(certificate, client):
    data = _api(client, certificate.code).json()
    assert data["status"] == "valid" and data["valid"] is True
    assert data["message"].startswith("Chứng nhận hợp lệ")
    assert data["certificate"]["holder"] == "Triệu Thị Hoa"
    assert data["certificate"]["confirmed_on"] == certificate.content["confirmed_on"]
    assert data["revocation"] is None
    assert set(data["certificate"]) == {
        "code",
        "holder",
        "achievement",
        "profile",
        "framework",
        "confirmed_on",
        "issuer",
    }
    page = client.get(reverse("skills:verify_code", args=[certificate.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "Chứng nhận hợp lệ" in html and "Triệu Thị Hoa" in html
    # No personal data beyond the name as printed: not the village, not the phone.
    assert "Sài Lương" not in html


def test_an_unknown_code(db, client):
    data = _api(client, "HVS-2345-6789").json()
    assert data == {
        "status": "unknown",
        "valid": False,
        "message": "Không có chứng nhận nào mang mã này. Hãy kiểm tra lại mã.",
        "certificate": None,
        "revocation": None,
    }
    page = client.get(reverse("skills:verify_code", args=["HVS-2345-6789"]))
    assert (
        page.status_code == 404 and "Không có chứng nhận nào mang mã này" in page.content.decode()
    )


def test_a_revoked_certificate_with_reason_and_date(certificate, client):
    revoke_certificate(certificate=certificate, reason="Cấp nhầm người", revoked_by=None)
    certificate.refresh_from_db()
    data = _api(client, certificate.code).json()
    day = certificate.revoked_at.astimezone().strftime("%d/%m/%Y")
    assert data["status"] == "revoked" and not data["valid"]
    assert data["message"] == f"Chứng nhận này đã bị thu hồi ngày {day}. Lý do: Cấp nhầm người"
    assert data["revocation"]["reason"] == "Cấp nhầm người"
    page = client.get(reverse("skills:verify_code", args=[certificate.code]))
    assert "Đã bị thu hồi" in page.content.decode()


def test_altered_content_is_caught_online(certificate, client):
    document = certificate_document(certificate)
    url = reverse("api-v1:certificate_verify_document")
    good = client.post(url, json.dumps(document), content_type="application/json").json()
    assert good["status"] == "valid"
    forged = copy.deepcopy(document)
    forged["certificate"]["holder"] = "Nguyễn Văn Giả"
    data = client.post(url, json.dumps(forged), content_type="application/json").json()
    assert data["status"] == "altered"
    assert data["message"].startswith("Nội dung chứng nhận đã bị sửa hoặc chữ ký số không đúng")
    assert "certificate" not in data or data["certificate"] is None
    page = client.post(reverse("skills:verify"), {"document": json.dumps(forged)})
    assert "Nội dung bị sửa" in page.content.decode()


def test_a_stored_certificate_altered_in_the_database_is_caught(certificate, client):
    certificate.content = dict(certificate.content, confirmed_on="2020-01-01")
    certificate.save(update_fields=["content"])
    assert _api(client, certificate.code).json()["status"] == "altered"


def test_a_tampered_qr_code(certificate, confirm, client):
    token = qr_payload(certificate).split("?t=", 1)[1]
    assert _api(client, certificate.code, t=token).json()["status"] == "valid"
    other = confirm("Lý Văn Sáng").confirmation.certificate
    # A real QR of one certificate pasted under another's code.
    assert _api(client, other.code, t=token).json()["status"] == "qr_tampered"
    prefix, body, signature = token.split(".")
    content = json.loads(signing.unb64url(body))
    content["holder"] = "Người Khác"
    forged = f"{prefix}.{signing.b64url(signing.canonical(content))}.{signature}"
    data = _api(client, certificate.code, t=forged).json()
    assert data["status"] == "qr_tampered"
    assert data["message"].startswith("Mã QR đã bị sửa")
    page = client.get(reverse("skills:verify_code", args=[certificate.code]), {"t": forged})
    assert "Mã QR bị sửa" in page.content.decode()


def test_the_open_badge_credential_verifies_online(certificate, client):
    credential = open_badge_credential(certificate)
    url = reverse("api-v1:certificate_verify_document")
    assert client.post(url, credential, content_type="application/json").json()["status"] == (
        "valid"
    )
    credential["name"] = "Chứng chỉ khác"
    assert client.post(url, credential, content_type="application/json").json()["status"] == (
        "altered"
    )


def test_keys_and_status_list_are_published_for_caching(certificate, client):
    keys = client.get(reverse("api-v1:certificate_keys"))
    assert keys["Cache-Control"] == "public, max-age=86400"
    method = keys.json()["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    listing = client.get(reverse("api-v1:certificate_status_list"))
    assert listing["Cache-Control"] == "public, max-age=300"
    assert listing.json()["credentialSubject"]["type"] == "BitstringStatusList"


def _offline(tmp_path, name, data, *extra):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(public_keys()))
    return ["verify_certificate", str(path), "--key", str(keys), *extra]


def test_offline_verification_of_the_json_the_qr_and_the_badge(certificate, tmp_path, capsys):
    for name, data in (
        ("chung-nhan.json", certificate_document(certificate)),
        ("qr.txt", qr_payload(certificate)),
        ("badge.json", open_badge_credential(certificate)),
    ):
        call_command(*_offline(tmp_path, name, data))
        out = capsys.readouterr().out
        assert out.startswith("HỢP LỆ"), name
        assert "Triệu Thị Hoa" in out and certificate.code in out


def test_offline_verification_refuses_altered_content_and_a_tampered_qr(
    certificate, tmp_path, capsys
):
    forged = certificate_document(certificate)
    forged["certificate"]["holder"] = "Nguyễn Văn Giả"
    with pytest.raises(CommandError, match="KHÔNG HỢP LỆ"):
        call_command(*_offline(tmp_path, "forged.json", forged))
    assert "Nội dung chứng nhận đã bị sửa" in capsys.readouterr().out
    payload = qr_payload(certificate).replace(certificate.code + "/", "HVS-2345-6789/")
    with pytest.raises(CommandError, match="KHÔNG HỢP LỆ"):
        call_command(*_offline(tmp_path, "qr.txt", payload))
    assert "Mã QR đã bị sửa" in capsys.readouterr().out


def test_offline_verification_with_another_key_fails(certificate, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = signing.b64url(signing.public_key_bytes(Ed25519PrivateKey.generate().public_key()))
    path = tmp_path / "c.json"
    path.write_text(json.dumps(certificate_document(certificate)))
    with pytest.raises(CommandError):
        call_command("verify_certificate", str(path), "--key", stranger)


def test_offline_verification_reads_revocations_from_a_cached_status_list(
    certificate, tmp_path, capsys
):
    revoke_certificate(certificate=certificate, reason="Gian lận", revoked_by=None)
    listing = tmp_path / "status.json"
    listing.write_text(json.dumps(status_list_credential()))
    args = _offline(tmp_path, "c.json", certificate_document(certificate))
    with pytest.raises(CommandError, match="ĐÃ THU HỒI"):
        call_command(*args, "--status-list", str(listing))


def test_a_code_typed_in_the_form_is_read_as_printed(certificate, client):
    typed = certificate.code.lower().replace("-", " ")
    response = client.post(reverse("skills:verify"), {"code": typed})
    assert response["Location"] == reverse("skills:verify_code", args=[certificate.code])
    page = client.post(reverse("skills:verify"), {"code": "abc/../x"}).content.decode()
    assert "Không có chứng nhận nào mang mã này" in page


def test_the_certificate_api_is_in_the_openapi_document(db, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/certificates/{code}"]
    assert "post" in paths["/api/v1/certificates/verify"]
    assert "get" in paths["/api/v1/certificates/keys"]
    assert "get" in paths["/api/v1/certificates/status-list"]
