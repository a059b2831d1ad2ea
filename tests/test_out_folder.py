"""``--out`` never touches the user's files (issue 13 §1), through the real CLI.

planparse owns only what its manifest lists: a folder holding anything else is refused with exit 2
unless ``--force``, and then only manifest entries are replaced. The folder's mode, a symlinked
``--out`` and hard links are kept; ``--out`` is checked before any document is read.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from planparse.load import read_record_table
from planparse.models import RECORD_TYPES
from planparse.write import MANIFEST, read_manifest
from robust_helpers import SETPRIV, corpus_texts, run_cli, snapshot


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("src")
    for path in corpus_texts()[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def _ok(result, code: int = 0):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _work_left(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def test_folder_with_user_files_is_refused_and_untouched(src, tmp_path):
    out = tmp_path / "o"
    (out / "documents").mkdir(parents=True)
    (out / "documents" / "important.md").write_text("x")
    (out / "errors").write_text("y")
    before = snapshot(out)
    result = _ok(run_cli("extract", src, "--out", out), 2)
    assert "important.md" in result.stderr and "--force" in result.stderr
    assert "[1/" not in result.stderr  # refused before any document was read
    assert snapshot(out) == before
    # With --force the file in planparse's way (``errors``, a user file) is still not replaced.
    result = _ok(run_cli("extract", src, "--out", out, "--force"), 2)
    assert "errors" in result.stderr and "in the way" in result.stderr
    assert snapshot(out) == before
    assert _work_left(tmp_path) == []


def test_force_replaces_only_manifest_entries(src, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    elsewhere = tmp_path / "keep.bin"
    elsewhere.write_bytes(b"z" * 1000)
    os.link(elsewhere, out / "linked.bin")
    inode = elsewhere.stat().st_ino
    _ok(run_cli("extract", src, "--out", out, "--force", "--shard-size", "1"))
    (out / "documents" / "mine.md").write_text("also mine")
    _ok(run_cli("extract", src, "--out", out, "--force", "--shard-size", "2"))  # one shard: part 1 goes
    assert (out / "notes.md").read_text() == "mine"
    assert (out / "documents" / "mine.md").read_text() == "also mine"
    assert (out / "linked.bin").stat().st_ino == inode and elsewhere.stat().st_nlink == 2  # not copied
    assert read_record_table(out, "documents").num_rows == 2
    assert sorted(read_manifest(out)) == sorted(f"{n}/part-000000.parquet" for n in RECORD_TYPES)
    assert sorted(p.name for p in (out / "documents").iterdir()) == ["mine.md", "part-000000.parquet"]
    assert _work_left(tmp_path) == []


def test_planparse_folder_is_replaced_keeping_its_mode(src, tmp_path):
    out = tmp_path / "o"
    _ok(run_cli("extract", src, "--out", out, "--shard-size", "1"))
    os.chmod(out, 0o750)
    _ok(run_cli("extract", src, "--out", out, "--shard-size", "2"))  # one shard now: the old second parts go
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert sorted(p.name for p in (out / "documents").iterdir()) == ["part-000000.parquet"]
    assert _work_left(tmp_path) == []


def test_new_folders_get_normal_modes(src, tmp_path):
    out = tmp_path / "new" / "o"
    _ok(run_cli("extract", src, "--out", out))
    umask = os.umask(0)
    os.umask(umask)
    for folder in (out, out / "targets"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder
    assert stat.S_IMODE((out / "targets" / "part-000000.parquet").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((out / MANIFEST).stat().st_mode) == 0o666 & ~umask


def test_symlinked_out_stays_a_symlink(src, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    _ok(run_cli("extract", src, "--out", link))
    _ok(run_cli("extract", src, "--out", link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert read_record_table(real, "documents").num_rows == 2
    assert _work_left(tmp_path) == []


@pytest.mark.parametrize("kind", ["file", "devnull"])
def test_out_that_is_not_a_folder_is_refused_before_reading(src, tmp_path, kind):
    out = tmp_path / "plain" if kind == "file" else Path("/dev/null")
    if kind == "file":
        out.write_text("keep")
    result = _ok(run_cli("extract", src, "--out", out), 2)
    assert "--out must be a folder" in result.stderr and "[1/" not in result.stderr
    assert out.is_char_device() if kind == "devnull" else out.read_text() == "keep"


@pytest.mark.skipif(SETPRIV is None, reason="needs setpriv (util-linux) to run without CAP_DAC_OVERRIDE")
def test_read_only_out_is_refused_and_nothing_left_behind(src, tmp_path):
    out = tmp_path / "o"
    _ok(run_cli("extract", src, "--out", out))
    before = snapshot(out)
    os.chmod(out, 0o555)
    try:
        result = _ok(run_cli("extract", src, "--out", out, as_user=True), 2)
    finally:
        os.chmod(out, 0o755)
    assert "not writable" in result.stderr and "[1/" not in result.stderr
    assert snapshot(out) == before
    assert _work_left(tmp_path) == []


def test_old_single_file_outputs_are_planparse_s(src, tmp_path):
    """Outputs of planparse before part files (``<type>.parquet`` with planparse metadata) are
    recognised as planparse's and replaced; any other Parquet file is not."""
    import pyarrow.parquet as pq

    from planparse.write import records_table

    out = tmp_path / "o"
    out.mkdir()
    for name in RECORD_TYPES:
        pq.write_table(records_table(name, []), out / f"{name}.parquet")
    _ok(run_cli("extract", src, "--out", out))
    assert sorted(p.name for p in out.iterdir()) == sorted([*RECORD_TYPES, MANIFEST])
    pq.write_table(records_table("targets", []).replace_schema_metadata({}), out / "mine.parquet")
    _ok(run_cli("extract", src, "--out", out), 2)


def test_out_named_with_invalid_bytes_and_control_characters(src, tmp_path):
    """pyarrow takes str paths as strict UTF-8: such a folder once failed every write."""
    out = Path(os.fsdecode(os.fsencode(tmp_path) + b"/o_\xff\x1b[2J"))
    shown = f"{tmp_path}/o_\\xff\\x1b[2J"
    result = _ok(run_cli("extract", src, "--out", out))
    assert f"-> {shown}/" in result.stdout and "\x1b" not in result.stdout + result.stderr
    assert read_record_table(out, "documents").num_rows == 2
    for command in (["validate", out], ["show", out, "--doc", corpus_texts()[0].name], ["export", out, "--out", tmp_path / "jsonl"]):
        result = _ok(run_cli(*command))
        assert "\x1b" not in result.stdout + result.stderr
    assert shown in run_cli("validate", out).stdout
