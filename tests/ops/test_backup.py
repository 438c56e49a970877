"""Backup and restore: a restored copy equals the original, table by table, on SQLite and on
PostgreSQL (restored into another database); a foreign, corrupt or newer archive is refused."""

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hocvuso.ops.backup import FORMAT, FORMAT_VERSION, BackupError, fingerprint, restore_backup
from hocvuso.people.services import record_consent, register_household, register_resident
from hocvuso.places.models import Area
from hocvuso.places.services import create_village, load_administrative_units


def _fingerprint_of(target: str) -> dict:
    """The fingerprint read through a plain driver connection, the same way for both sides."""
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(target, uri=True)
        try:
            return fingerprint(raw.cursor(), "sqlite")
        finally:
            raw.close()
    import psycopg

    settings = connection.settings_dict
    params = {
        "dbname": target,
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"],
        "password": settings["PASSWORD"],
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as raw:
        return fingerprint(raw.cursor(), "postgresql")


@pytest.fixture
def restore_target(tmp_path):
    """Where the copy goes: another SQLite file, or another PostgreSQL database (dropped after)."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "khoi-phuc.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_khoi_phuc"
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def populated(transactional_db, settings, tmp_path):
    """Committed data of every kind the site holds, and an uploaded file."""
    load_administrative_units()
    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Sài Lương")
    household = register_household(village=village, head_name="Triệu Văn Sơn", created_by=None)
    resident = register_resident(
        village=village,
        household=household,
        full_name="Triệu Văn Sơn",
        phone="0912345678",
        citizen_id="010068123456",
        created_by=None,
    )
    record_consent(resident=resident, purpose="support", text_version="2026-01", recorded_by=None)
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "bai-hoc").mkdir(parents=True)
    (settings.MEDIA_ROOT / "bai-hoc" / "anh.png").write_bytes(b"\x89PNG khong phai anh that")
    return resident


def test_a_restored_copy_equals_the_original_table_by_table(
    populated, restore_target, tmp_path, capsys
):
    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", "--output", str(archive))
    assert "Đã sao lưu" in capsys.readouterr().out
    original = _fingerprint_of(connection.settings_dict["NAME"])

    media = tmp_path / "media-khoi-phuc"
    call_command("restore", str(archive), "--into", restore_target, "--media-root", str(media))
    assert "khớp bảng kê" in capsys.readouterr().out

    restored = _fingerprint_of(restore_target)
    assert restored == original
    assert original["people_resident"]["rows"] == 1
    assert original["places_area"]["rows"] > 3000
    assert (media / "bai-hoc" / "anh.png").read_bytes() == b"\x89PNG khong phai anh that"
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["people_resident"] == 1
    assert "0003_personal_data_access" in manifest["migrations"]["people"]
    assert {name for name in manifest["files"] if name.startswith("media/")} == {
        "media/bai-hoc/anh.png"
    }


def test_a_restore_over_data_needs_force(populated, restore_target, tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", "--output", str(archive))
    media = tmp_path / "media-khoi-phuc"
    restore_backup(archive_path=archive, into=restore_target, media_root=media)
    with pytest.raises(BackupError, match="đã có dữ liệu"):
        restore_backup(archive_path=archive, into=restore_target, media_root=media)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive), "--into", restore_target, "--media-root", str(media))
    result = restore_backup(archive_path=archive, into=restore_target, media_root=media, force=True)
    assert result.rows == sum(_rows(_fingerprint_of(restore_target)).values())
    assert _fingerprint_of(restore_target) == _fingerprint_of(connection.settings_dict["NAME"])


def _rows(found: dict) -> dict[str, int]:
    return {table: entry["rows"] for table, entry in found.items()}


# ---- Archives refused before anything is written ---------------------------------------------


def _archive(path: Path, manifest: dict | None, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        items = dict(members)
        if manifest is not None:
            items = {"manifest.json": json.dumps(manifest).encode(), **items}
        for name, data in items.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes) -> dict:
    member = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "engine": connection.vendor,
        "migrations": {},
        "tables": {},
        "files": {member: hashlib.sha256(b"ban goc").hexdigest()},
    }
    manifest.update(changes)
    return manifest


def _member() -> str:
    return "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("manifest", "members", "message"),
    [
        (None, {"ghi-chu.txt": b"xin chao"}, "không phải là bản sao lưu của hocvuso"),
        ({"format": "khac"}, {}, "không phải là bản sao lưu của hocvuso"),
        (_manifest.__name__, {"__member__": b"da bi sua"}, "không khớp mã kiểm tra"),
        ("extra", {"__member__": b"ban goc", "la.txt": b"x"}, "không có trong bảng kê"),
        ("missing", {}, "thiếu"),
        ("other_engine", {"__member__": b"ban goc"}, "không khôi phục chéo"),
        ("newer", {"__member__": b"ban goc"}, "phiên bản mới hơn"),
        ("version", {"__member__": b"ban goc"}, "định dạng phiên bản 99"),
    ],
)
def test_a_foreign_corrupt_or_newer_archive_is_refused_and_nothing_written(
    tmp_path, manifest, members, message
):
    built = {
        _manifest.__name__: _manifest(),
        "extra": _manifest(),
        "missing": _manifest(),
        "other_engine": _manifest(
            engine="postgresql" if connection.vendor == "sqlite" else "sqlite"
        ),
        "newer": _manifest(migrations={"people": ["9999_tu_tuong_lai"]}),
        "version": _manifest(format_version=99),
    }
    manifest = built.get(manifest, manifest) if isinstance(manifest, str) else manifest
    members = {(_member() if k == "__member__" else k): v for k, v in members.items()}
    archive = _archive(tmp_path / "hong.tar.gz", manifest, members)
    target = tmp_path / "dich.sqlite3"
    media = tmp_path / "media-dich"
    with pytest.raises(BackupError, match=message):
        restore_backup(archive_path=archive, into=str(target), media_root=media)
    assert not target.exists()
    assert not media.exists()


@pytest.mark.django_db
def test_a_truncated_or_unreadable_file_is_refused(tmp_path):
    good = _archive(tmp_path / "tot.tar.gz", _manifest(), {_member(): b"ban goc" * 50000})
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(BackupError, match="bị hỏng"):
        restore_backup(archive_path=truncated, into=str(tmp_path / "x"), media_root=tmp_path / "m")
    garbage = tmp_path / "rac.tar.gz"
    garbage.write_bytes(b"khong phai tep nen")
    with pytest.raises(BackupError, match="không phải bản sao lưu hoặc đã bị hỏng"):
        restore_backup(archive_path=garbage, into=str(tmp_path / "x"), media_root=tmp_path / "m")
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("restore", str(tmp_path / "khong-co.tar.gz"))
