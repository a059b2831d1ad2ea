"""planparse show: the tree of one document from a text file or an outputs folder (--doc)."""

from __future__ import annotations

from rich.console import Console
from typer.testing import CliRunner

from planparse.cli import app
from planparse.pipeline import process_bytes
from planparse.show import build_tree, describe_target

from conftest import make_result
from outputs_helper import write_corpus_outputs

cli = CliRunner()


def _render(result) -> str:
    console = Console(width=400, record=True, file=open("/dev/null", "w"))
    console.print(build_tree(result))
    return console.export_text()


def test_tree_nests_measure_with_its_records():
    result = make_result()
    lines = _render(result).splitlines()
    section = next(i for i, line in enumerate(lines) if "第二章 主要任务" in line)
    measure = next(i for i, line in enumerate(lines) if "1. 加强公共卫生体系建设" in line)
    assert section < measure
    # The measure's deadline and agencies follow it inline (deeper indentation than the section).
    assert "deadline 2024年12月底前 → 2024-12-31" in lines[measure + 1]
    assert "agencies lead: 市卫生健康局 · responsible: 市财政局" in lines[measure + 2]
    assert lines[measure].index("1.") > lines[section].index("第二章")
    # The target has no measure: it hangs under the document root, before the chapter.
    target = next(i for i, line in enumerate(lines) if "target 每千常住人口医疗卫生机构床位数: 5.76张 by 2025" in line)
    assert target < section
    assert "table 主要指标 (indicator, 2 rows)" in "\n".join(lines)


def test_describe_target():
    t = make_result().targets[0]
    assert describe_target(t) == "每千常住人口医疗卫生机构床位数: 5.76张 by 2025"
    assert describe_target(t.model_copy(update={"comparator": ">=", "nature": "约束性"})) == "每千常住人口医疗卫生机构床位数: ≥5.76张 by 2025 约束性"


def test_show_text_file_lists_every_record(tmp_path, corpus_dir):
    path = corpus_dir / "003_56dd83259761b121.txt"
    result = process_bytes(path.read_bytes(), str(path))
    shown = cli.invoke(app, ["show", str(path)])
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    for s in result.sections:
        assert s.title[:20] in text
    for m in result.measures:
        assert f"{m.label} {m.title[:20]}" in text
    for d in result.deadlines:
        assert f"{d.text} → {d.date.isoformat()}" in text
    for r in result.responsibilities:
        assert r.canonical_name in text


def test_show_outputs_folder_by_doc(tmp_path, corpus_results):
    out = write_corpus_outputs(corpus_results, tmp_path / "outputs")
    doc = corpus_results[1].document
    by_name = cli.invoke(app, ["show", str(out), "--doc", doc.source_path.rsplit("/", 1)[-1]])
    by_id = cli.invoke(app, ["show", str(out), "--doc", doc.doc_id])
    assert by_name.exit_code == by_id.exit_code == 0
    assert by_name.stdout == by_id.stdout and doc.doc_id in by_id.stdout

    no_doc = cli.invoke(app, ["show", str(out)])
    assert no_doc.exit_code == 2 and "--doc" in no_doc.stderr and doc.doc_id in no_doc.stderr
    unknown = cli.invoke(app, ["show", str(out), "--doc", "nope"])
    assert unknown.exit_code == 2 and "no document 'nope'" in unknown.stderr
    missing = cli.invoke(app, ["show", str(tmp_path / "missing.txt")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
