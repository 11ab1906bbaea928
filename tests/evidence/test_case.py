"""Opening a case: folders, archives, compressed and rotated files, and the refusals."""

import gzip
import io
import os
import tarfile
import zipfile

import pytest

from evidence.case import CaseError, open_case, sha256_of

LINE = b"Nov 22 10:00:01 web-01 sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2\n"


def test_folder_inputs_are_listed_in_name_order_with_hashes(tmp_path):
    (tmp_path / "b.log").write_bytes(LINE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.log").write_bytes(LINE * 2)
    case = open_case(tmp_path, tmp_path / "work")
    names = [i.source.name for i in case.inputs]
    assert names == ["b.log", "sub/a.log"]
    assert case.inputs[1].sha256 == sha256_of(tmp_path / "sub" / "a.log")


def test_rotated_gzip_is_read_transparently(tmp_path):
    (tmp_path / "syslog.2.gz").write_bytes(gzip.compress(LINE))
    case = open_case(tmp_path, tmp_path / "work")
    source = case.inputs[0].source
    assert source.compression == "gz"
    assert source.stem_name() == "syslog"
    assert source.read_bytes() == LINE


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)


def test_zip_is_unpacked_and_members_hashed(tmp_path):
    archive = tmp_path / "bundle.zip"
    _zip(archive, [("var/log/auth.log", LINE), ("var/log/syslog", LINE * 3)])
    case = open_case(archive, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["var/log/auth.log", "var/log/syslog"]
    assert case.root == str(archive)


def test_zip_with_parent_member_is_refused_naming_it(tmp_path):
    archive = tmp_path / "evil.zip"
    _zip(archive, [("../../etc/cron.d/x", LINE)])
    with pytest.raises(CaseError, match=r"\.\./\.\./etc/cron\.d/x.*path traversal"):
        open_case(archive, tmp_path / "work")
    assert not (tmp_path / "etc").exists()


def test_zip_with_symlink_out_of_the_case_is_refused(tmp_path):
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("logs/passwd")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(CaseError, match="link to '/etc/passwd', outside the case"):
        open_case(archive, tmp_path / "work")


def test_tar_with_symlink_escaping_by_dots_is_refused(tmp_path):
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("logs/shadow")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc/shadow"
        tf.addfile(info)
    with pytest.raises(CaseError, match="outside the case"):
        open_case(archive, tmp_path / "work")


def test_tar_with_absolute_member_is_refused(tmp_path):
    archive = tmp_path / "abs.tar"
    with tarfile.open(archive, "w") as tf:
        info = tarfile.TarInfo("/tmp/owned")
        info.size = len(LINE)
        tf.addfile(info, io.BytesIO(LINE))
    with pytest.raises(CaseError, match="path traversal"):
        open_case(archive, tmp_path / "work")


def test_member_count_limit_names_the_member(tmp_path):
    archive = tmp_path / "many.zip"
    _zip(archive, [(f"f{i}.log", LINE) for i in range(5)])
    with pytest.raises(CaseError, match=r"more than 3 members \(stopped at 'f3.log'\)"):
        open_case(archive, tmp_path / "work", max_members=3)


def test_size_limit_names_the_member(tmp_path):
    archive = tmp_path / "big.zip"
    _zip(archive, [("a.log", LINE * 10), ("b.log", LINE * 10)])
    with pytest.raises(CaseError, match="passes 1000 bytes at member 'b.log'"):
        open_case(archive, tmp_path / "work", max_total_bytes=1000)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CaseError, match="no such file or folder"):
        open_case(tmp_path / "nope", tmp_path / "work")


def test_symlink_in_folder_pointing_outside_is_skipped_and_said(tmp_path):
    outside = tmp_path / "outside.log"
    outside.write_bytes(LINE)
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    (case_dir / "real.log").write_bytes(LINE)
    os.symlink(outside, case_dir / "sneaky.log")
    case = open_case(case_dir, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["real.log"]
    assert any("sneaky.log" in s and "outside the case" in s for s in case.skipped)


def test_password_protected_zip_is_refused_naming_the_member(tmp_path):
    archive = tmp_path / "protected.zip"
    _zip(archive, [("var/log/syslog", LINE)])
    data = bytearray(archive.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        start = data.find(signature)
        data[start + flags_at] |= 0x1  # the "encrypted" flag, as a password-protected zip has it
    archive.write_bytes(bytes(data))
    with pytest.raises(CaseError, match=r"'var/log/syslog' is password-protected.*unpack the archive"):
        open_case(archive, tmp_path / "work")


def _zip_bytes(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _tgz_bytes(members) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_archives_inside_the_case_are_unpacked_and_named_by_their_path(tmp_path):
    inner = _zip_bytes([("syslog", LINE)])
    outer = tmp_path / "bundle.zip"
    _zip(outer, [("exports/logs.zip", inner), ("notes.txt", b"hello\n")])
    case = open_case(outer, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["exports/logs.zip/syslog", "notes.txt"]
    assert case.inputs[0].source.path.read_bytes() == LINE
    note = next(n for n in case.skipped if n.startswith("exports/logs.zip: an archive inside the case"))
    assert f"sha256 {sha256_of((tmp_path / 'work' / 'case' / 'exports' / 'logs.zip'))}" in note
    # a folder holding a .tar.gz
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "logs.tar.gz").write_bytes(_tgz_bytes([("var/log/auth.log", LINE)]))
    case = open_case(folder, tmp_path / "work2")
    assert [i.source.name for i in case.inputs] == ["logs.tar.gz/var/log/auth.log"]


def test_an_office_document_is_not_unpacked(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "report.docx").write_bytes(_zip_bytes([("word/document.xml", b"<w/>")]))
    case = open_case(folder, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["report.docx"]


def test_nesting_stops_at_two_levels(tmp_path):
    level3 = _zip_bytes([("syslog", LINE)])
    level2 = _zip_bytes([("c.zip", level3)])
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.zip").write_bytes(_zip_bytes([("b.zip", level2)]))
    case = open_case(folder, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["a.zip/b.zip/c.zip"]  # read as a file


def test_a_nested_archive_with_a_traversal_member_refuses_the_case_naming_both(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "logs.zip").write_bytes(_zip_bytes([("../../escape", LINE)]))
    with pytest.raises(CaseError, match=r"logs\.zip, an archive inside the case: .*\.\./\.\./escape"):
        open_case(folder, tmp_path / "work")
    assert not (tmp_path / "escape").exists()


def test_a_file_sent_twice_is_read_once(tmp_path):
    folder = tmp_path / "folder"
    (folder / "extracted" / "var" / "log").mkdir(parents=True)
    (folder / "extracted" / "var" / "log" / "auth.log").write_bytes(LINE * 2)
    (folder / "logs.zip").write_bytes(_zip_bytes([("var/log/auth.log", LINE * 2), ("var/log/syslog", LINE)]))
    (folder / "auth.log.bak").write_bytes(LINE * 2)
    case = open_case(folder, tmp_path / "work")
    assert [i.source.name for i in case.inputs] == ["auth.log.bak", "logs.zip/var/log/syslog"]
    notes = [n for n in case.skipped if "the same bytes as" in n]
    assert sorted(n.split(":")[0] for n in notes) == ["extracted/var/log/auth.log", "logs.zip/var/log/auth.log"]
    assert all("read once, as auth.log.bak" in n for n in notes)
