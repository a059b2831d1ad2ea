"""CLI: exit codes 0 / 1 / 2, one line per failed file, no traceback unless --debug, eval output."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from typer.testing import CliRunner

from planparse import runner as runner_module
from planparse.cli import app
from planparse.models import RECORD_TYPES

cli = CliRunner()


def _corpus(tmp_path, plan_text, bad: bool):
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text(plan_text, encoding="utf-8")
    if bad:
        (root / "empty.txt").write_bytes(b"")
    return root


def test_all_extracted_exit_0(tmp_path, plan_text):
    root = _corpus(tmp_path, plan_text, bad=False)
    out = tmp_path / "out"
    result = cli.invoke(app, ["extract", str(root), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1 file(s) read in " in result.output and "1 document(s) extracted, 0 failed" in result.output
    assert {p.name for p in out.iterdir()} == {f"{n}.parquet" for n in RECORD_TYPES}
    assert pq.read_table(out / "documents.parquet").num_rows == 1


def test_some_failed_exit_1_outputs_written(tmp_path, plan_text):
    root = _corpus(tmp_path, plan_text, bad=True)
    out = tmp_path / "out"
    result = cli.invoke(app, ["extract", str(root), "--out", str(out)])
    assert result.exit_code == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and "empty.txt" in error_lines[0] and "empty" in error_lines[0]
    assert "Traceback" not in result.output
    assert pq.read_table(out / "documents.parquet").num_rows == 1
    assert pq.read_table(out / "errors.parquet").to_pylist()[0]["error_type"] == "empty"


def test_quiet_prints_only_errors(tmp_path, plan_text):
    root = _corpus(tmp_path, plan_text, bad=True)
    (root / "notes.md").write_text("x")
    result = cli.invoke(app, ["extract", str(root), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "empty.txt" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    result = cli.invoke(app, ["extract", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "missing" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "no_txt").mkdir()
    (tmp_path / "no_txt" / "a.md").write_text("x")
    assert cli.invoke(app, ["extract", str(tmp_path / "no_txt"), "--out", str(tmp_path / "out")]).exit_code == 2
    assert cli.invoke(app, ["extract", str(tmp_path), "--workers", "0"]).exit_code == 2
    assert cli.invoke(app, ["eval", str(tmp_path)]).exit_code == 2  # --gold missing


def test_traceback_only_with_debug(tmp_path, plan_text, monkeypatch):
    root = _corpus(tmp_path, plan_text, bad=False)

    def broken(data, source_path):
        raise ZeroDivisionError("bug in a stage")

    monkeypatch.setattr(runner_module, "process_bytes", broken)
    args = ["extract", str(root), "--out", str(tmp_path / "out"), "--workers", "1"]
    plain = cli.invoke(app, args)
    assert plain.exit_code == 1
    assert "ZeroDivisionError: bug in a stage" in plain.stderr
    assert "Traceback" not in plain.output
    debug = cli.invoke(app, args + ["--debug"])
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr


def test_write_failure_reported_without_traceback(tmp_path, plan_text):
    root = _corpus(tmp_path, plan_text, bad=False)
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should go")
    result = cli.invoke(app, ["extract", str(root), "--out", str(blocker)])
    assert result.exit_code == 1
    assert "could not write" in result.stderr and "Traceback" not in result.output
    assert blocker.read_text().startswith("a file")


def test_eval_json(tmp_path, plan_text):
    corpus = tmp_path / "corpus"
    gold = corpus / "gold"
    gold.mkdir(parents=True)
    (corpus / "plan.txt").write_text(plan_text, encoding="utf-8")
    (gold / "plan.gold.json").write_text(
        json.dumps({"doc": "plan.txt", "headings": [{"level": 1, "label": "第一章", "title": "发展目标"}]}),
        encoding="utf-8",
    )
    result = cli.invoke(app, ["eval", str(corpus), "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["headings"]["soft"]["n_gold"] == 1
    assert report["documents"][0]["doc"] == "plan.txt"
    table = cli.invoke(app, ["eval", str(corpus), "--gold", str(gold)])
    assert table.exit_code == 0 and "headings" in table.stdout
    assert cli.invoke(app, ["eval", str(corpus), "--gold", str(tmp_path / "nowhere")]).exit_code == 2
