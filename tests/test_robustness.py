"""Bad input: one clear error line and one errors.parquet row per bad file, the rest fully extracted."""

from __future__ import annotations

import io
import os
import random
import shutil
import zipfile

import pyarrow.compute as pc
import pytest

from planparse.ingest import clean_text, decode_bytes
from planparse.models import RECORD_TYPES
from planparse.pipeline import process_bytes
from robust_helpers import CORPUS, read_outputs, run_cli, snapshot

GOOD = ["01_wufei_chengshi_shidian_fangan.txt", "04_sanji_gongli_yiyuan_jixiao_kaohe_gb18030.txt"]


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body>第一章 总则</w:body></w:document>")
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    """Two good corpus texts, two odd but readable texts, every kind of bad file, and non-text files."""
    root = tmp_path_factory.mktemp("bad") / "in"
    root.mkdir()
    for name in GOOD:
        shutil.copy(CORPUS / name, root / name)
    rng = random.Random(5)
    bad = {
        "empty.txt": b"",
        "whitespace.txt": b" \n\t\r\n\xe3\x80\x80\n",  # \u3000 included: full-width space is blank too
        "pdf.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(rng.randrange(256) for _ in range(2000)),
        "zip.txt": _zip_of("第一章 总则".encode()),
        "docx.txt": _docx_bytes(),
        "random.txt": bytes(rng.randrange(256) for _ in range(4000)),
        "undecodable.txt": bytes(rng.randrange(1, 256) for _ in range(3000)),  # no NUL: every decoder gets a go
    }
    for name, data in bad.items():
        (root / name).write_bytes(data)
    os.symlink("loop.txt", root / "loop.txt")  # a symlink loop
    os.symlink("moved_away.txt", root / "vanished.txt")  # listed, gone by the time it is read
    (root / "folder.txt").mkdir()  # a directory named like a file
    (root / "folder.txt" / "inside.md").write_text("not a plan")
    expected_bad = set(bad) | {"loop.txt", "vanished.txt", "folder.txt"}
    if os.geteuid() != 0:  # root reads every file whatever its mode
        (root / "unreadable.txt").write_text("第一章 总则\n")
        (root / "unreadable.txt").chmod(0)
        expected_bad.add("unreadable.txt")
    plan = clean_text(decode_bytes((CORPUS / "02_zhiye_jiaoyu_gaige_shishi_fangan.txt").read_bytes())[0])
    (root / "one_line.txt").write_text(plan.replace("\n", ""), encoding="utf-8")  # crawler text, no breaks
    (root / "no_structure.txt").write_text("这份材料没有标题也没有编号，只是一段一段的说明文字。\n" * 40, encoding="utf-8")
    (root / "notes.md").write_text("# notes")
    (root / "scan.pdf").write_bytes(b"%PDF-1.4")  # read by the PDF reader (any .pdf is), and unreadable
    expected_bad.add("scan.pdf")
    (root / "table.xlsx").write_bytes(b"PK\x03\x04")
    return root, expected_bad


def _zip_of(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_run(bad_folder, tmp_path_factory):
    root, expected_bad = bad_folder
    out = tmp_path_factory.mktemp("out") / "out"
    before = snapshot(root)
    result = run_cli("extract", root, "--out", out, "--workers", "2")
    assert snapshot(root) == before  # no input file changed
    return root, expected_bad, out, result


def test_exit_code_1_and_no_traceback(bad_run):
    _, _, _, result = bad_run
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_one_error_line_per_bad_file(bad_run):
    root, expected_bad, _, result = bad_run
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    named = sorted(os.path.basename(line.split(": ", 2)[1]) for line in lines)
    assert named == sorted(expected_bad)
    for line in lines:
        source, message = line.split(": ", 2)[1:]
        assert source.startswith(str(root)) and len(message) > 10


def test_one_errors_row_per_bad_file(bad_run):
    _, expected_bad, out, _ = bad_run
    rows = read_outputs(out)["errors"].to_pylist()
    assert sorted(os.path.basename(r["source_path"]) for r in rows) == sorted(expected_bad)
    by_name = {os.path.basename(r["source_path"]): r for r in rows}
    for row in rows:
        assert row["stage"] and row["error_type"] and row["message"]
    kinds = {name: (r["stage"], r["error_type"]) for name, r in by_name.items()}
    assert kinds["empty.txt"] == kinds["whitespace.txt"] == ("read", "empty")
    for name in ("zip.txt", "random.txt"):
        assert kinds[name] == ("decode", "binary"), name
    # read as PDF by its content whatever its name, and reported as a broken PDF
    assert kinds["pdf.txt"] == kinds["scan.pdf"] == ("decode", "unreadable_pdf")
    # read as Word by its content whatever its name, and reported as a broken Word package
    assert kinds["docx.txt"] == ("decode", "unreadable_docx")
    assert kinds["undecodable.txt"] == ("decode", "undecodable")
    assert kinds["loop.txt"] == ("read", "symlink_loop")
    assert kinds["vanished.txt"] == ("read", "vanished")
    assert kinds["folder.txt"] == ("read", "is_directory")


def test_non_text_files_are_notices_not_errors(bad_run):
    _, _, out, result = bad_run
    errors = {os.path.basename(r["source_path"]) for r in read_outputs(out)["errors"].to_pylist()}
    assert not errors & {"notes.md", "table.xlsx", "inside.md"}
    assert "table.xlsx" in result.stdout


def test_good_files_fully_extracted(bad_run):
    """The good files give in the batch exactly what the pipeline gives for them alone."""
    root, _, out, _ = bad_run
    tables = read_outputs(out)
    assert set(tables) == set(RECORD_TYPES)
    docs = _doc_ids(tables)
    assert sorted(docs) == sorted(GOOD + ["one_line.txt", "no_structure.txt"])
    for name in GOOD + ["one_line.txt"]:
        expected = process_bytes((root / name).read_bytes(), str(root / name))
        assert docs[name] == expected.document.doc_id
        for kind, records in expected.records().items():
            got = tables[kind].filter(pc.equal(tables[kind]["doc_id"], docs[name]))
            assert got.num_rows == len(records), (name, kind)
        assert expected.sections and expected.measures and expected.agencies, name


def _doc_ids(tables) -> dict[str, str]:
    documents = tables["documents"]
    return {os.path.basename(p): d for p, d in zip(documents["source_path"].to_pylist(), documents["doc_id"].to_pylist())}


def test_enormous_line_still_yields_structure(bad_run):
    _, _, out, _ = bad_run
    tables = read_outputs(out)
    sections = tables["sections"].filter(pc.equal(tables["sections"]["doc_id"], _doc_ids(tables)["one_line.txt"]))
    assert sections.num_rows >= 3  # headings are found inside the one line


def test_text_without_structure_is_kept_with_one_warning(bad_run):
    _, _, out, _ = bad_run
    documents = read_outputs(out)["documents"].to_pylist()
    (doc,) = [d for d in documents if d["source_path"].endswith("no_structure.txt")]
    assert len(doc["warnings"]) == 1 and "structure" in doc["warnings"][0]
    assert doc["n_chars"] > 0 and doc["text"].startswith("这份材料")
