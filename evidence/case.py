"""The case: what the customer sent (a folder, an archive or one file), hashed, safely unpacked."""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from parsers.base import Source, sniff_compression

MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 8 * 1024**3
# Files that are part of the bundle's packaging, not evidence.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class CaseError(Exception):
    """A case that cannot be opened; the message names the path or member and what to do."""


@dataclass(frozen=True)
class CaseInput:
    source: Source
    sha256: str
    size: int
    mtime: datetime


@dataclass
class Case:
    root: str
    inputs: list[CaseInput] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _input(path: Path, name: str) -> CaseInput:
    info = path.stat()
    mtime = datetime.fromtimestamp(info.st_mtime, tz=timezone.utc)
    return CaseInput(Source(path, name, sniff_compression(path)), sha256_of(path), info.st_size, mtime)


def is_archive(path: Path) -> bool:
    if zipfile.is_zipfile(path):
        return True
    try:
        return tarfile.is_tarfile(path)
    except (OSError, tarfile.TarError, EOFError):
        return False


def open_case(path: Path, workdir: Path, max_members: int = MAX_MEMBERS,
              max_total_bytes: int = MAX_TOTAL_BYTES) -> Case:
    """Every input file of the case, in name order. Archives are unpacked into workdir;
    inputs are only ever read."""
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: no such file or folder")
    if path.is_dir():
        case = _open_folder(path)
    elif is_archive(path):
        root = workdir / "case"
        root.mkdir(parents=True, exist_ok=True)
        unpack(path, root, max_members, max_total_bytes)
        case = _open_folder(root)
        case.root = str(path)
    else:
        case = Case(str(path), [_input(path, path.name)])
    _unpack_nested(case, workdir, max_members, max_total_bytes)
    case.inputs.sort(key=lambda item: item.source.name)
    _read_copies_once(case)
    return case


def _read_copies_once(case: Case) -> None:
    """A file sent twice (a bundle and its unpacked folder, a .bak copy) is read once, under
    the first of its names: its events would otherwise count double."""
    first: dict[str, str] = {}
    kept = []
    for item in case.inputs:
        original = first.setdefault(item.sha256, item.source.name)
        if original != item.source.name:
            case.skipped.append(f"{item.source.name}: the same bytes as {original} (sha256 "
                                f"{item.sha256}); read once, as {original}")
            continue
        kept.append(item)
    case.inputs = kept


# An archive inside the case (a zip of zips, a folder holding a .tar.gz) is unpacked too, by
# name and content both: an Office document is a zip, and not a bundle of logs.
NESTED_ARCHIVE_NAMES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
MAX_NESTING = 2


def _unpack_nested(case: Case, workdir: Path, max_members: int, max_total_bytes: int, depth: int = 1) -> None:
    """Replace each archive among the case's inputs by its files, named `<archive>/<member>`."""
    inputs = []
    for item in case.inputs:
        name = item.source.name
        if (depth > MAX_NESTING or not name.lower().endswith(NESTED_ARCHIVE_NAMES)
                or not is_archive(item.source.path)):
            inputs.append(item)
            continue
        (workdir / "nested").mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(dir=workdir / "nested"))
        try:
            unpack(item.source.path, target, max_members, max_total_bytes)
        except CaseError as err:
            raise CaseError(f"{name}, an archive inside the case: {err}") from None
        inner = _open_folder(target)
        _unpack_nested(inner, workdir, max_members, max_total_bytes, depth + 1)
        case.skipped.append(f"{name}: an archive inside the case (sha256 {item.sha256}); its files "
                            f"are read as {name}/...")
        case.skipped.extend(f"{name}/{note}" for note in inner.skipped)
        inputs.extend(replace(i, source=replace(i.source, name=f"{name}/{i.source.name}")) for i in inner.inputs)
    case.inputs = inputs


def _open_folder(root: Path) -> Case:
    case = Case(str(root))
    resolved_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            name = full.relative_to(root).as_posix()
            if filename in IGNORED_NAMES:
                case.skipped.append(f"{name}: packaging file, not evidence")
                continue
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(resolved_root):
                    case.skipped.append(f"{name}: symbolic link to {target}, outside the case; not read")
                    continue
                case.skipped.append(f"{name}: symbolic link inside the case; its target is read once")
                continue
            mode = full.stat().st_mode
            if not stat.S_ISREG(mode):
                case.skipped.append(f"{name}: not a regular file")
                continue
            if full.stat().st_size == 0:
                case.skipped.append(f"{name}: empty file")
                continue
            case.inputs.append(_input(full, name))
    return case


def _safe_name(archive: Path, member: str) -> PurePosixPath:
    name = PurePosixPath(member.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
        raise CaseError(f"{archive}: member {member!r} would be written outside the case (path traversal); "
                        "the archive is refused")
    return name


def unpack(archive: Path, target: Path, max_members: int = MAX_MEMBERS,
           max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
    """Unpack a zip or tar archive under target, refusing traversal, links out and bombs."""
    if zipfile.is_zipfile(archive):
        _unpack_zip(archive, target, max_members, max_total_bytes)
    else:
        _unpack_tar(archive, target, max_members, max_total_bytes)


def _check_limits(archive: Path, member: str, count: int, total: int, max_members: int, max_total: int) -> None:
    if count > max_members:
        raise CaseError(f"{archive}: more than {max_members} members (stopped at {member!r}); "
                        "unpack it by hand or raise the limit")
    if total > max_total:
        raise CaseError(f"{archive}: unpacked size passes {max_total} bytes at member {member!r}; "
                        "unpack it by hand or raise the limit")


def _unpack_zip(archive: Path, target: Path, max_members: int, max_total: int) -> None:
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        total = 0
        for count, info in enumerate(members, 1):
            name = _safe_name(archive, info.filename)
            total += info.file_size
            _check_limits(archive, info.filename, count, total, max_members, max_total)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                link = zf.read(info).decode("utf-8", errors="replace")
                _check_link(archive, info.filename, name, link)
                continue  # links are never materialised: their target is read as itself
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:  # the zip "encrypted" flag
                raise CaseError(f"{archive}: member {info.filename!r} is password-protected; caseline "
                                "does not take passwords: unpack the archive and give the folder")
            out = target.joinpath(*name.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, open(out, "wb") as dst:
                for block in iter(lambda: src.read(1024 * 1024), b""):
                    written += len(block)
                    if written > info.file_size or total - info.file_size + written > max_total:
                        raise CaseError(f"{archive}: member {info.filename!r} is larger than its header says; "
                                        "the archive is refused")
                    dst.write(block)
            stamp = datetime(*info.date_time, tzinfo=timezone.utc).timestamp()
            os.utime(out, (stamp, stamp))


def _check_link(archive: Path, member: str, name: PurePosixPath, link: str) -> None:
    link_path = PurePosixPath(link.replace("\\", "/"))
    resolved = (name.parent / link_path).parts
    depth = 0
    for part in resolved:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            break
    if link_path.is_absolute() or depth < 0:
        raise CaseError(f"{archive}: member {member!r} is a link to {link!r}, outside the case; "
                        "the archive is refused")


def _unpack_tar(archive: Path, target: Path, max_members: int, max_total: int) -> None:
    try:
        tf = tarfile.open(archive)
    except tarfile.TarError as err:
        raise CaseError(f"{archive}: not a readable tar archive ({err})") from None
    with tf:
        total = 0
        for count, info in enumerate(tf, 1):
            name = _safe_name(archive, info.name)
            total += max(info.size, 0)
            _check_limits(archive, info.name, count, total, max_members, max_total)
            if info.issym() or info.islnk():
                _check_link(archive, info.name, name if info.issym() else PurePosixPath("x"),
                            info.linkname)
                continue
            if not info.isfile():
                continue
            out = target.joinpath(*name.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tf.extractfile(info)
            if src is None:
                continue
            with src, open(out, "wb") as dst:
                for block in iter(lambda: src.read(1024 * 1024), b""):
                    dst.write(block)
            os.utime(out, (info.mtime, info.mtime))
