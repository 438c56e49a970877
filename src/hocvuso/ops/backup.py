"""Backup and restore: the database and the uploaded files in one archive, with a manifest.

An archive (`.tar.gz`) holds `manifest.json`, the database (`database.sqlite3`, made with SQLite's
online backup API, consistent while the site runs; or `database.pgdump`, pg_dump's custom format,
taken in an exported snapshot) and the media folder under `media/`. The manifest names the engine
and its version, the migrations applied, the rows of every table (counted in the same snapshot as
the dump) and the SHA-256 of every file, so a restore checks the archive whole before it changes
anything, and checks the restored rows against the counts afterwards.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "hocvuso-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
# Tables that `migrate` fills by itself: a database holding only these counts as empty.
MIGRATE_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator, in Vietnamese."""


# ---- Reading a database, whichever engine -----------------------------------------------------


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Chỉ sao lưu được SQLite và PostgreSQL (đang dùng %s).") % vendor)
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, engine: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(name for (name,) in cursor.fetchall())


def _counts(cursor, engine: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, engine):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, engine: str) -> dict[str, list[str]]:
    if "django_migrations" not in _tables(cursor, engine):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _canonical(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bool):
        value = int(value)
    return repr(value)


def fingerprint(cursor, engine: str) -> dict[str, dict[str, Any]]:
    """Rows and a SHA-256 of the content of every table, rows in order of all their columns.

    Two databases of the same engine with the same fingerprint hold the same data.
    """
    result = {}
    for table in _tables(cursor, engine):
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")
        width = len(cursor.description)
        columns = [d[0] for d in cursor.description]
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
        digest = hashlib.sha256("\x1f".join(columns).encode())
        rows = 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update(("\x1e" + "\x1f".join(_canonical(v) for v in row)).encode())
                rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _pg_settings(alias: str, name: str | None = None) -> dict[str, str]:
    db = connections[alias].settings_dict
    return {
        "dbname": name or db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }


def _pg_connect(params: dict[str, str], **kwargs):
    import psycopg

    return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
    ):
        if params[key]:
            env[variable] = params[key]
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "Không tìm thấy lệnh %(tool)s. Hãy cài gói postgresql-client "
                "(apt-get install postgresql-client)."
            )
            % {"tool": name}
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---- Backup ---------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def default_backup_path(alias: str = "default") -> Path:
    """Where a backup goes without --output: DATA_DIR/backups/hocvuso-<engine>-<time>.tar.gz."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return settings.DATA_DIR / "backups" / f"hocvuso-{_engine(alias)}-{stamp}.tar.gz"


def _dump_sqlite(alias: str, target: Path) -> dict[str, Any]:
    connection = connections[alias]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError(_("Không sao lưu được khi đang ở giữa một giao dịch."))
    destination = sqlite3.connect(target)
    try:
        # One step copies every page under one read lock: a consistent snapshot, writers wait.
        connection.connection.backup(destination)
        cursor = destination.cursor()
        state = {
            "server_version": sqlite3.sqlite_version,
            "tables": _counts(cursor, "sqlite"),
            "migrations": _migrations(cursor, "sqlite"),
        }
    finally:
        destination.close()
    return state


def _dump_postgresql(alias: str, target: Path) -> dict[str, Any]:
    pg_dump = _tool("pg_dump")
    params = _pg_settings(alias)
    with _pg_connect(params) as snapshot:
        # The counts and the dump read the same exported snapshot: the manifest matches the dump
        # exactly even while the site keeps writing.
        snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot_id = snapshot.execute("SELECT pg_export_snapshot()").fetchone()[0]
        cursor = snapshot.cursor()
        state = {
            "server_version": snapshot.execute("SHOW server_version").fetchone()[0],
            "tables": _counts(cursor, "postgresql"),
            "migrations": _migrations(cursor, "postgresql"),
        }
        completed = subprocess.run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                params["dbname"],
            ],
            env=_pg_env(params),
            capture_output=True,
            text=True,
        )
        snapshot.rollback()
    if completed.returncode != 0:
        raise BackupError(_("pg_dump báo lỗi: %s") % completed.stderr.strip()[:500])
    return state


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(
        path
        for path in media_root.rglob("*")
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
    )


def _version() -> str:
    try:
        return metadata.version("hocvuso")
    except metadata.PackageNotFoundError:
        return "0"


def create_backup(
    *, output: Path | None = None, alias: str = "default", media_root: Path | None = None
) -> BackupResult:
    """Write one archive of the database and the media folder; return its path and manifest.

    The archive is written beside its final name and renamed when complete: an interrupted
    backup leaves no file that looks whole.
    """
    engine = _engine(alias)
    output = Path(output) if output else default_backup_path(alias)
    media_root = Path(media_root) if media_root else Path(settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hocvuso-backup-") as work:
        member = SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER
        dump = Path(work) / member
        state = _dump_sqlite(alias, dump) if engine == "sqlite" else _dump_postgresql(alias, dump)
        media = {
            MEDIA_PREFIX + path.relative_to(media_root).as_posix(): path
            for path in _media_files(media_root)
        }
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "hocvuso_version": _version(),
            "django_version": django.get_version(),
            "engine": engine,
            "server_version": state["server_version"],
            "migrations": state["migrations"],
            "tables": state["tables"],
            "files": {
                member: _sha256(dump),
                **{name: _sha256(path) for name, path in media.items()},
            },
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=member)
            for name, path in media.items():
                archive.add(path, arcname=name)
        os.replace(partial, output)
    return BackupResult(path=output, manifest=manifest)


# ---- Restore --------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    engine: str
    target: str
    tables: int
    rows: int
    media_files: int
    missing_migrations: list[str] = field(default_factory=list)


def _foreign() -> BackupError:
    return BackupError(_("Tệp này không phải là bản sao lưu của hocvuso."))


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise _foreign() from None
    handle = archive.extractfile(member)
    if handle is None:
        raise _foreign()
    try:
        manifest = json.loads(handle.read().decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _foreign() from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _foreign()
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("Bản sao lưu có định dạng phiên bản %(found)s; phần mềm này đọc phiên bản %(ours)s.")
            % {"found": manifest.get("format_version"), "ours": FORMAT_VERSION}
        )
    for key in ("engine", "migrations", "tables", "files"):
        if key not in manifest:
            raise _foreign()
    return manifest


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _extract_checked(archive: tarfile.TarFile, manifest: dict, work: Path) -> None:
    """Extract every file the manifest lists, refusing anything else or any altered byte."""
    expected = dict(manifest["files"])
    for member in archive.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(
                _("Tệp sao lưu chứa “%(name)s” không có trong bảng kê; không khôi phục.")
                % {"name": member.name}
            )
        if not _safe_member_name(member.name):
            raise BackupError(_("Tệp sao lưu có đường dẫn không an toàn: %s") % member.name)
        archive.extract(member, work, filter="data")
        if _sha256(work / member.name) != expected.pop(member.name):
            raise BackupError(
                _("Tệp sao lưu bị hỏng: “%(name)s” không khớp mã kiểm tra SHA-256.")
                % {"name": member.name}
            )
    if expected:
        raise BackupError(
            _("Tệp sao lưu thiếu: %(names)s.") % {"names": ", ".join(sorted(expected)[:5])}
        )


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup from a newer version; return the migrations it lacks (run migrate)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    ours = {key for key in applied if key[0] in loader.migrated_apps or key in known}
    unknown = sorted(f"{app}.{name}" for app, name in ours - known)
    if unknown:
        raise BackupError(
            _(
                "Bản sao lưu được tạo từ phiên bản mới hơn phần mềm này (có migration "
                "%(names)s chưa có ở đây). Hãy cập nhật phần mềm rồi khôi phục lại."
            )
            % {"names": ", ".join(unknown[:5])}
        )
    return sorted(f"{app}.{name}" for app, name in known - applied)


def _has_data(cursor, engine: str) -> bool:
    for table in _tables(cursor, engine):
        if table in MIGRATE_TABLES:
            continue
        cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
        if cursor.fetchone() is not None:
            return True
    return False


def _compare_counts(found: dict[str, int], manifest: dict) -> None:
    wrong = [
        f"{table}: {found.get(table)} ≠ {rows}"
        for table, rows in manifest["tables"].items()
        if found.get(table) != rows
    ]
    if wrong:
        raise BackupError(
            _("Số dòng sau khi khôi phục không khớp bảng kê: %s") % "; ".join(wrong[:5])
        )


def _target_has_data(engine: str, target) -> bool:
    """Whether the restore target already holds data (a missing database holds none)."""
    if engine == "sqlite":
        if not Path(target).exists():
            return False
        probe = sqlite3.connect(target, timeout=30)
        try:
            return _has_data(probe.cursor(), "sqlite")
        finally:
            probe.close()
    import psycopg

    try:
        with _pg_connect(target, autocommit=True) as probe:
            return _has_data(probe.cursor(), "postgresql")
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return False
        raise BackupError(_("Không kết nối được PostgreSQL: %s") % error) from None


def _not_empty(target: str) -> BackupError:
    return BackupError(
        _(
            "Cơ sở dữ liệu đích (%(target)s) đã có dữ liệu. Không ghi đè; thêm --force nếu "
            "thật sự muốn thay toàn bộ bằng bản sao lưu."
        )
        % {"target": target}
    )


def _restore_sqlite(dump: Path, manifest: dict, target: Path, force: bool) -> None:
    source = sqlite3.connect(dump)
    try:
        cursor = source.cursor()
        if cursor.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(_("Tệp cơ sở dữ liệu trong bản sao lưu bị hỏng."))
        _compare_counts(_counts(cursor, "sqlite"), manifest)
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target, timeout=30)
        try:
            if not force and _has_data(destination.cursor(), "sqlite"):
                raise _not_empty(str(target))
            # The backup API replaces the whole target in one step under its write lock: the
            # target is either the old database or the restored one, never a mixture.
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _restore_postgresql(
    dump: Path, manifest: dict, params: dict[str, str], force: bool
) -> dict[str, int]:
    pg_restore = _tool("pg_restore")
    import psycopg
    from psycopg import sql

    try:
        target = _pg_connect(params, autocommit=True)
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise BackupError(_("Không kết nối được PostgreSQL: %s") % error) from None
        with _pg_connect({**params, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
        target = _pg_connect(params, autocommit=True)
    with target:
        if not force and _has_data(target.cursor(), "postgresql"):
            raise _not_empty(params["dbname"])
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={params['dbname']}",
    ]
    if force:
        command += ["--clean", "--if-exists"]
    completed = subprocess.run(
        [*command, str(dump)], env=_pg_env(params), capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise BackupError(
            _("pg_restore báo lỗi, cơ sở dữ liệu đích không thay đổi: %s")
            % completed.stderr.strip()[:500]
        )
    with _pg_connect(params) as restored:
        return _counts(restored.cursor(), "postgresql")


def restore_backup(
    *,
    archive_path: Path,
    force: bool = False,
    into: str | None = None,
    alias: str = "default",
    media_root: Path | None = None,
) -> RestoreResult:
    """Restore an archive into the site's database (or `into`: an SQLite file, or a PostgreSQL
    database name on the same server, created if missing) and its media folder.

    Everything is checked first (format, engine, SHA-256 of every file, migrations known to this
    version); a database with data is refused unless `force`. The database is replaced in one
    step, then the media folder is swapped in by renaming; a failure leaves both as they were.
    """
    engine = _engine(alias)
    archive_path = Path(archive_path)
    media_root = Path(media_root) if media_root else Path(settings.MEDIA_ROOT)
    if not archive_path.is_file():
        raise BackupError(_("Không tìm thấy tệp %s.") % archive_path)
    try:
        # Closed by the `with archive` below, once the opening error is told apart.
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(
            _("Không đọc được %s: tệp không phải bản sao lưu hoặc đã bị hỏng.") % archive_path.name
        ) from None
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with archive, tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
        work_path = Path(work)
        try:
            manifest = _read_manifest(archive)
            if manifest["engine"] != engine:
                raise BackupError(
                    _(
                        "Bản sao lưu là của %(found)s, còn cơ sở dữ liệu đích là %(ours)s: "
                        "không khôi phục chéo được."
                    )
                    % {"found": manifest["engine"], "ours": engine}
                )
            missing = _check_migrations(manifest)
            _extract_checked(archive, manifest, work_path)
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise BackupError(_("Tệp sao lưu bị hỏng, không đọc hết được: %s") % error) from None
        staged_media = work_path / MEDIA_PREFIX.rstrip("/")
        if engine == "sqlite":
            target = Path(into) if into else Path(connections[alias].settings_dict["NAME"])
            target_name = str(target)
        else:
            params = _pg_settings(alias, into)
            target_name = params["dbname"]
        if not force and _target_has_data(engine, target if engine == "sqlite" else params):
            raise _not_empty(target_name)
        has_media = media_root.is_dir() and any(media_root.iterdir())
        if has_media and not force:
            raise BackupError(
                _("Thư mục tệp tải lên (%(path)s) không trống. Thêm --force để thay.")
                % {"path": media_root}
            )
        if engine == "sqlite":
            _restore_sqlite(work_path / SQLITE_MEMBER, manifest, target, force)
        else:
            _compare_counts(
                _restore_postgresql(work_path / PG_MEMBER, manifest, params, force), manifest
            )
        media_count = len([name for name in manifest["files"] if name.startswith(MEDIA_PREFIX)])
        if staged_media.is_dir() or has_media:
            staged_media.mkdir(exist_ok=True)
            if media_root.exists():
                stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
                media_root.rename(
                    media_root.with_name(f"{media_root.name}.truoc-khoi-phuc-{stamp}")
                )
            staged_media.rename(media_root)
    return RestoreResult(
        engine=engine,
        target=target_name,
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        media_files=media_count,
        missing_migrations=missing,
    )
