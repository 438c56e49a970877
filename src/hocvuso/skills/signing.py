"""Ed25519 signatures of certificates, and what a verifier needs without the database.

The private key comes from CERTIFICATE_SIGNING_KEY (32 bytes, base64url, as `hocvuso` prints it) or is
generated once into DATA_DIR/certificate_signing_key. Everything below `public_key_from_text` works
with the public key alone, so the offline verifier imports nothing else.
"""

import base64
import hashlib
import json
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"
# Multicodec prefix of an Ed25519 public key in a Multikey (publicKeyMultibase).
ED25519_MULTICODEC = b"\xed\x01"
QR_PREFIX = "HVS1"
B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b58encode(data: bytes) -> str:
    """base58btc (Bitcoin alphabet), as multibase 'z' values use."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = B58_ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + B58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def canonical(value: Any) -> bytes:
    """JSON Canonicalization (RFC 8785) for the values certificates hold: strings, integers,
    booleans, lists and objects with ASCII keys (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _key_file():
    from django.conf import settings

    return settings.DATA_DIR / "certificate_signing_key"


@cache
def signing_key() -> Ed25519PrivateKey:
    """The platform's certificate signing key (see the module docstring)."""
    text = os.environ.get("CERTIFICATE_SIGNING_KEY", "").strip()
    if not text:
        path = _key_file()
        if not path.exists():
            path.write_text(b64url(Ed25519PrivateKey.generate().private_bytes_raw()))
            path.chmod(0o600)
        text = path.read_text().strip()
    return Ed25519PrivateKey.from_private_bytes(unb64url(text))


def public_key_bytes(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or signing_key().public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """A short, stable name of a public key: the start of its SHA-256."""
    return b64url(hashlib.sha256(public_key_bytes(key)).digest()[:9])


def public_key_multibase(key: Ed25519PublicKey | None = None) -> str:
    return "z" + b58encode(ED25519_MULTICODEC + public_key_bytes(key))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from its multibase ('z6Mk…'), base64url or PEM form."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        return key
    if text.startswith("z"):
        raw = b58decode(text[1:])
        if not raw.startswith(ED25519_MULTICODEC):
            raise ValueError("not an Ed25519 multikey")
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    return Ed25519PublicKey.from_public_bytes(unb64url(text))


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or signing_key().public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def sign(content: dict) -> str:
    """The base64url Ed25519 signature of the canonical JSON of `content`."""
    return b64url(signing_key().sign(canonical(content)))


def verify(content: dict, signature: str, key: Ed25519PublicKey) -> bool:
    try:
        key.verify(unb64url(signature), canonical(content))
    except (InvalidSignature, ValueError):
        return False
    return True


def qr_token(content: dict, signature: str) -> str:
    """What the QR code carries after the verification URL: the signed content, self-contained so
    that a scanner can check it offline. HVS1.<base64url canonical content>.<signature>"""
    return f"{QR_PREFIX}.{b64url(canonical(content))}.{signature}"


def parse_qr_token(token: str) -> tuple[dict, str] | None:
    """(content, signature) from a QR token, or None when it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        return None
    try:
        content = json.loads(unb64url(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(content, dict):
        return None
    return content, parts[2]


def data_integrity_proof(document: dict, *, created: str, verification_method: str) -> dict:
    """A DataIntegrityProof with the eddsa-jcs-2022 cryptosuite (W3C VC Data Integrity EdDSA):
    the signature covers SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without proof))."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in document:
        options["@context"] = document["@context"]
    data = (
        hashlib.sha256(canonical(options)).digest() + hashlib.sha256(canonical(document)).digest()
    )
    proof = {key: value for key, value in options.items() if key != "@context"}
    proof["proofValue"] = "z" + b58encode(signing_key().sign(data))
    return proof


def verify_data_integrity(secured: dict, key: Ed25519PublicKey) -> bool:
    """Check an eddsa-jcs-2022 DataIntegrityProof on a document with the given public key."""
    proof = secured.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    document = {key_: item for key_, item in secured.items() if key_ != "proof"}
    options = {key_: item for key_, item in proof.items() if key_ != "proofValue"}
    if "@context" in document:
        options["@context"] = document["@context"]
    data = (
        hashlib.sha256(canonical(options)).digest() + hashlib.sha256(canonical(document)).digest()
    )
    try:
        key.verify(b58decode(value[1:]), data)
    except (InvalidSignature, ValueError):
        return False
    return True
