"""Batch runner: input listing, per-file error isolation, determinism across worker counts."""

from __future__ import annotations

import os

import pytest

from planparse import runner
from planparse.runner import list_inputs, process_file, run_batch


@pytest.fixture
def messy_corpus(tmp_path, plan_text):
    """One good plan beside every kind of bad or irrelevant file."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(plan_text, encoding="utf-8")
    (root / "sub" / "also_good.txt").write_bytes(plan_text.replace("某市", "另一市").encode("gb18030"))
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_bytes(b" \n\t\r\n  \n")
    (root / "x.txt").mkdir()
    (root / "notes.md").write_text("# notes")
    (root / "scan.pdf").write_bytes(b"%PDF-1.7")  # a PDF cut to its header: read, and unreadable
    (root / ".hidden.txt").write_text(plan_text)
    return root


def _errors_by_name(batch):
    return {os.path.basename(e.source_path): e for e in batch.errors}


def test_bad_files_are_isolated(messy_corpus):
    batch = run_batch([messy_corpus], workers=1)
    assert sorted(os.path.basename(d.document.source_path) for d in batch.documents) == ["also_good.txt", "good.txt"]
    errors = _errors_by_name(batch)
    assert set(errors) == {"binary.txt", "empty.txt", "blank.txt", "x.txt", "scan.pdf"}
    assert errors["binary.txt"].error_type == "binary" and errors["binary.txt"].stage == "decode"
    assert errors["empty.txt"].error_type == "empty"
    assert errors["blank.txt"].error_type == "empty"
    assert errors["x.txt"].error_type == "is_directory" and errors["x.txt"].stage == "read"
    skipped = {os.path.basename(n.source_path): n.kind for n in batch.skipped}
    assert errors["scan.pdf"].error_type == "unreadable_pdf" and errors["scan.pdf"].stage == "decode"
    assert skipped == {"notes.md": "other_extension"}
    encodings = {os.path.basename(d.document.source_path): d.document.encoding for d in batch.documents}
    assert encodings["also_good.txt"] == "gb18030"


def test_records_hold_all_types_and_errors(messy_corpus):
    records = run_batch([messy_corpus], workers=1).records()
    assert set(records) == set(runner.RECORD_TYPES)
    assert len(records["documents"]) == 2
    assert len(records["errors"]) == 5
    paths = [d.source_path for d in records["documents"]]
    assert paths == sorted(paths)


def test_workers_do_not_change_results(messy_corpus):
    one = run_batch([messy_corpus], workers=1)
    many = run_batch([messy_corpus], workers=3)
    dump = lambda batch: {k: [r.model_dump() for r in v] for k, v in batch.records().items()}  # noqa: E731
    assert dump(one) == dump(many)
    assert one.skipped == many.skipped


def test_unexpected_exception_becomes_internal_error(messy_corpus, monkeypatch):
    real = runner.process_bytes

    def flaky(data, source_path):
        if source_path.endswith("good.txt") and "sub" not in source_path:
            raise KeyError("a bug")
        return real(data, source_path)

    monkeypatch.setattr(runner, "process_bytes", flaky)
    batch = run_batch([messy_corpus], workers=1)
    error = _errors_by_name(batch)["good.txt"]
    assert error.error_type == "internal"
    assert "KeyError" in error.message
    assert "Traceback" in batch.tracebacks[error.source_path]
    assert [os.path.basename(d.document.source_path) for d in batch.documents] == ["also_good.txt"]


def test_failed_stage_is_named_from_the_traceback():
    assert runner._failed_stage(_exception_raised_in("planparse.segment.tables")) == "segment"
    assert runner._failed_stage(_exception_raised_in("planparse.extract.targets")) == "extract"
    assert runner._failed_stage(_exception_raised_in("somewhere.else")) == "pipeline"


def _exception_raised_in(module_name: str) -> Exception:
    namespace = {"__name__": module_name}  # frames of f report this module name
    exec("def f():\n    raise ValueError('bug')\n", namespace)
    try:
        namespace["f"]()
    except ValueError as exc:
        return exc
    raise AssertionError("f did not raise")


def test_symlink_loop_and_vanished_file(tmp_path, plan_text):
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    outcome = process_file(str(loop))
    assert outcome.result is None and outcome.error.error_type == "symlink_loop"

    gone = tmp_path / "gone.txt"
    gone.write_text(plan_text)
    files, _ = list_inputs([tmp_path])
    assert str(gone) in files
    gone.unlink()
    assert process_file(str(gone)).error.error_type == "vanished"


def test_explicit_files_and_duplicates(tmp_path, plan_text):
    utf8 = tmp_path / "plan.text"  # named explicitly: processed whatever the extension
    utf8.write_text(plan_text, encoding="utf-8")
    gbk = tmp_path / "plan_gbk.txt"
    gbk.write_bytes(plan_text.encode("gb18030"))
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-")  # read by the PDF reader: a PDF with nothing after its header
    batch = run_batch([gbk, utf8, pdf], workers=1)
    # same cleaned text -> one document; the first by path is kept and names the other
    assert [d.document.source_path for d in batch.documents] == [str(utf8)]
    assert any(str(gbk) in w for w in batch.documents[0].document.warnings)
    kinds = {os.path.basename(n.source_path): n.kind for n in batch.skipped}
    assert kinds == {"plan_gbk.txt": "duplicate"}
    assert [(os.path.basename(e.source_path), e.error_type) for e in batch.errors] == [("plan.pdf", "unreadable_pdf")]
    assert len(run_batch([gbk, utf8], workers=1, dedupe=False).documents) == 2


@pytest.fixture
def duplicated_corpus(tmp_path, messy_corpus, plan_text):
    """The messy corpus plus the same text under later names, in one encoding and another."""
    (messy_corpus / "sub" / "copy.txt").write_text(plan_text, encoding="utf-8")
    (messy_corpus / "zz_gbk.txt").write_bytes(plan_text.encode("gb18030"))
    (messy_corpus / "good_again.txt").write_text(plan_text, encoding="utf-8")
    return messy_corpus


@pytest.mark.parametrize("shard_size, workers", [(1, 1), (2, 2), (3, 1), (100, 2)])
def test_streamed_outputs_equal_in_memory_records(duplicated_corpus, tmp_path, shard_size, workers):
    """Part files hold exactly the in-memory batch's rows, in order, whatever the shards: the
    duplicate-text rule (first path in sorted order wins, the kept one names the others) included."""
    from planparse.load import read_record_table
    from planparse.write import records_table

    expected = run_batch([duplicated_corpus], workers=1)
    seen = []
    out = tmp_path / "out"
    batch = runner.extract_to_folder(
        [duplicated_corpus], out, workers=workers, shard_size=shard_size, progress=lambda o, n: seen.append(o)
    )
    for name, records in expected.records().items():
        assert read_record_table(out, name).equals(records_table(name, records)), name
    assert batch.documents == [] and all(o.result is None for o in seen)  # no records reached this process
    assert [(n.source_path, n.message) for n in batch.skipped] == [(n.source_path, n.message) for n in expected.skipped]
    assert [s.warnings for s in batch.summaries] == [s.warnings for s in expected.summaries]
    assert any("same text as" in w for s in batch.summaries for w in s.warnings)
    assert [e.source_path for e in batch.errors] == [e.source_path for e in expected.errors]


def test_load_names_a_missing_record_type(tmp_path, plan_text):
    import shutil

    import planparse

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(plan_text, encoding="utf-8")
    runner.extract_to_folder([tmp_path / "in"], tmp_path / "out", workers=1)
    shutil.rmtree(tmp_path / "out" / "deadlines")
    with pytest.raises(FileNotFoundError, match="'deadlines' is missing"):
        planparse.load(tmp_path / "out")


def test_workers_tune_the_collector_and_library_callers_keep_theirs(tmp_path, plan_text):
    """Pool workers freeze the loaded rules out of collections and collect the young generation at
    GC_THRESHOLD; a library call in the caller's own process leaves its collector as it was."""
    import gc
    import subprocess
    import sys

    probe = (
        "import gc; from planparse.runner import _init_worker; _init_worker(None);"
        "from planparse.segment.tables import _rules; rules = _rules();"
        "print(gc.get_threshold(), gc.is_tracked(rules), any(o is rules for o in gc.get_objects()))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    # the table rules are a tracked object that no collection walks: frozen
    assert shown == f"{runner.GC_THRESHOLD} True False"

    before = gc.get_threshold()
    (tmp_path / "plan.txt").write_text(plan_text, encoding="utf-8")
    runner.extract_to_folder([tmp_path / "plan.txt"], tmp_path / "out", workers=1)
    assert gc.get_threshold() == before
    assert (tmp_path / "out" / "targets").is_dir()
