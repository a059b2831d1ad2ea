"""planparse coverage: announcements found by shape, and the share that produced records."""

from __future__ import annotations

import json

from planparse.coverage import announced, coverage_paths, document_coverage
from planparse.pipeline import process_bytes

from conftest import run_cli

PLAN = (
    "某县推进数字乡村建设实施方案\n"
    "一、重点任务\n"
    "（一）完善基础设施。2024年底前实现行政村5G全覆盖。（县工信局牵头，县财政局配合）\n"
    "（二）发展数字农业。到2025年，建成10个数字农业示范基地。\n"
    "专栏1  数字乡村重点工程\n"
    "1.信息进村入户工程。\n"
    "2.智慧农业示范工程。\n"
)


def test_announcements_are_found_by_shape_with_their_spans():
    items = announced(PLAN)
    kinds = {(a.signal, a.text) for a in items}
    assert ("responsibility_clauses", "（县工信局牵头，县财政局配合）") in kinds
    assert ("deadline_expressions", "2024年底前") in kinds
    assert ("deadline_expressions", "到2025年") in kinds
    assert ("table_captions", "专栏1") in kinds
    assert ("agency_words", "县工信局") in kinds
    for a in items:
        assert PLAN[a.start : a.end] == a.text


def test_document_coverage_counts_what_produced_a_record():
    result = process_bytes(PLAN.encode("utf-8"), "plan.txt")
    cov = document_coverage(result)
    s = cov.signals
    assert s["deadline_expressions"].announced == 2
    assert s["deadline_expressions"].produced == len({(d.char_start) for d in result.deadlines}) == 2
    assert s["responsibility_clauses"].announced == 1
    assert s["responsibility_clauses"].produced == (1 if result.responsibilities else 0)
    assert s["table_captions"].announced == 1
    assert s["table_captions"].produced == (1 if result.tables else 0)
    assert cov.n_headings == len(result.sections) > 0


def test_a_missed_announcement_is_listed_with_its_offset():
    # No extractor reads a deadline inside a word salad like this; the detector still sees it.
    text = "总体要求\n" + "推进工作。" * 700 + "\n专栏2  无内容\n"
    result = process_bytes(text.encode("utf-8"), "x.txt")
    cov = document_coverage(result)
    c = cov.signals["table_captions"]
    assert c.announced == 1
    if c.produced == 0:
        (offset, caption), = c.missed
        assert text.startswith("专栏2", offset) and caption == "专栏2"


def test_cli_json_and_headingless_documents(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "flat.txt").write_text("这是一段没有任何标题的长文本。" * 250, encoding="utf-8")
    proc = run_cli("coverage", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["overall"]["documents"] == 2
    assert report["overall"]["headingless_documents"] == [str(tmp_path / "flat.txt")]
    assert report["overall"]["deadline_expressions"]["announced"] == 2
    by_name = {d["source_path"]: d for d in report["documents"]}
    assert by_name[str(tmp_path / "plan.txt")]["n_headings"] >= 1
    text = run_cli("coverage", str(tmp_path), "--overall")
    assert text.returncode == 0 and "documents over 3,000 chars with no heading: 1" in text.stdout
    assert "Traceback" not in text.stderr


def test_cli_usage_errors(tmp_path):
    missing = run_cli("coverage", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    empty = run_cli("coverage", str(tmp_path))
    assert empty.returncode == 2 and "no plan files" in empty.stderr


def test_coverage_paths_reports_unreadable_files_as_errors(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    report = coverage_paths([tmp_path])
    assert [p for p, _ in report.errors] == [str(tmp_path / "bad.txt")]
    assert len(report.documents) == 1
