"""Evaluation: matching rules on small hand-made gold / prediction pairs, exact vs soft."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from planparse.evaluate import (
    METRICS,
    Score,
    evaluate_corpus,
    evaluate_document,
    match_tables,
    norm_label,
    related,
    soft,
)
from planparse.models import AgencyMention, Deadline, Document, Measure, Responsibility, Section, Table, Target
from planparse.pipeline import DocumentResult

TEXT = "x" * 200


def _doc(**kw) -> Document:
    return Document(doc_id="d", source_path="p.txt", sha256="0", encoding="utf-8", n_chars=len(TEXT), text=TEXT, **kw)


def _result(**lists) -> DocumentResult:
    return DocumentResult(document=lists.pop("document", _doc()), **lists)


def _section(label, title, i=0):
    return Section(doc_id="d", section_id=f"s{i}", level=1, label=label, title=title, path=label, heading_end=1, char_start=0, char_end=1)


def _measure(label, title, i=0):
    return Measure(doc_id="d", measure_id=f"m{i}", label=label, title=title, text=title, char_start=0, char_end=1)


def _table(caption, kind="indicator", n_rows=2, header=(), i=0):
    return Table(doc_id="d", table_id=f"t{i}", kind=kind, caption=caption, header=list(header), n_rows=n_rows, char_start=0, char_end=1)


def _target(source="table", table_id=None, indicator="", i=0, **kw):
    return Target(doc_id="d", target_id=f"g{i}", source=source, table_id=table_id, indicator=indicator, quote=kw.pop("quote", "q"), char_start=0, char_end=1, **kw)


def _deadline(text, date, i=0):
    return Deadline(doc_id="d", deadline_id=f"d{i}", text=text, date=date, granularity="year", quote=text, char_start=0, char_end=1)


def _resp(agency, role, position=0):
    return Responsibility(doc_id="d", assignment_id="a", agency=agency, canonical_name=agency, role=role, position=position, quote="q", char_start=0, char_end=1)


def _mention(name, i=0):
    return AgencyMention(doc_id="d", mention_id=f"n{i}", name=name, canonical_name=name, level="city", source="rule", char_start=0, char_end=1)


def test_score_conventions():
    s = Score(tp=3, n_pred=4, n_gold=6)
    assert s.precision == 0.75 and s.recall == 0.5 and s.f1 == pytest.approx(0.6)
    assert Score().f1 == 1.0  # nothing expected, nothing predicted
    assert Score(0, 0, 5).precision == 0.0 and Score(0, 0, 5).f1 == 0.0
    assert Score(0, 3, 0).recall == 0.0
    assert (Score(1, 2, 3) + Score(1, 1, 1)) == Score(2, 3, 4)


def test_normalisers():
    assert norm_label("(一)") == "（一）"
    assert norm_label("1．") == "1."
    assert norm_label("（二）") == "（二）"
    assert soft("（一） 主要\n目标。") == "(一)主要目标"
    assert soft("１．") == "1"  # NFKC, trailing dot dropped
    assert related("居民健康素养水平", "全市居民健康素养")
    assert not related("床位数", "医师数")


def test_headings_exact_vs_soft():
    gold = {"headings": [{"level": 1, "label": "（一）", "title": "主要目标"}, {"level": 1, "label": "第一章", "title": "规划背景"}]}
    pred = _result(sections=[_section("(一)", "主要目标"), _section("第一章", "规划 背景", 1), _section("第二章", "多余", 2)])
    m = evaluate_document(gold, pred).metrics["headings"]
    # exact: the label is normalised "(一)" -> "（一）", but the space inside the title does not match
    assert (m["exact"].tp, m["exact"].n_pred, m["exact"].n_gold) == (1, 3, 2)
    assert m["soft"].tp == 2
    assert m["soft"].recall == 1.0 and m["soft"].precision == pytest.approx(2 / 3)


def test_measures_are_a_multiset():
    gold = {"measures": [{"label": "1.", "title": "加强领导"}, {"label": "1.", "title": "加强领导"}]}
    pred = _result(measures=[_measure("1．", "加强领导。")])
    m = evaluate_document(gold, pred).metrics["measures"]
    assert m["exact"].tp == 1 and m["exact"].recall == 0.5  # "1．" normalised, trailing 。 dropped
    assert m["soft"].tp == 1


def test_tables_matching_kind_rows_and_invented():
    gold = {
        "tables": [
            {"caption": "2025年主要发展指标", "kind": "indicator", "n_data_rows": 2, "header": ["指标", "单位"]},
            {"caption": "专栏1 重点工程", "kind": "box", "n_data_rows": 3, "header": []},
        ]
    }
    tables = [
        _table("2025年 主要发展指标", kind="indicator", n_rows=2, i=0),  # differs by a space
        _table("专栏1 重点工程", kind="other", n_rows=3, i=1),  # same caption, wrong kind
        _table("附表 无关", kind="task", n_rows=9, header=["甲"], i=2),  # invented
    ]
    report = evaluate_document(gold, _result(tables=tables))
    m = report.metrics
    assert (m["tables"]["exact"].tp, m["tables"]["soft"].tp) == (1, 2)
    assert m["tables"]["soft"].n_pred == 3 and m["tables"]["soft"].n_gold == 2
    assert m["table_kind"]["soft"].tp == 1  # the box was called "other"
    assert m["table_rows"]["soft"].tp == 2 and m["table_rows"]["exact"].tp == 1
    assert report.details["soft"]["invented_tables"] == ["附表 无关"]
    assert report.details["exact"]["missed_tables"] == ["2025年主要发展指标"]


def test_tables_soft_fallback_by_header_overlap():
    gold = [{"caption": "主要指标", "kind": "indicator", "n_data_rows": 1, "header": ["序号", "指标", "单位", "目标"]}]
    pred = [_table(None, header=["序号", "指标", "单位", "目标"])]
    assert match_tables(gold, pred, "exact") == []
    assert match_tables(gold, pred, "soft") == [(0, 0)]
    assert match_tables(gold, [_table("完全不同的标题")], "soft") == []


def test_indicator_rows_and_cells():
    caption = "主要指标"
    gold = {
        "tables": [{"caption": caption, "kind": "indicator", "n_data_rows": 2, "header": []}],
        "indicators": [
            {"table": caption, "domain": None, "name": "人均预期寿命", "unit": "岁", "baseline": "77.8", "baseline_year": 2020,
             "target": "78.5", "target_year": 2025, "nature": "预期性"},
            {"table": caption, "domain": None, "name": "婴儿死亡率", "unit": "‰", "baseline": None, "baseline_year": 2020,
             "target": "＜3", "target_year": 2025, "nature": "约束性"},
            {"table": caption, "domain": None, "name": "未找到的指标", "unit": "%", "baseline": None, "baseline_year": None,
             "target": "90", "target_year": 2025, "nature": None},
        ],
    }
    targets = [
        _target(table_id="t0", indicator="人均预期寿命", unit="岁", baseline_text="77.8", baseline_year=2020,
                target_text="78.5", target_year=2025, nature="预期性", i=0),
        # baseline written "—" and target "<3" with a half-width sign: wrong in exact, right in soft
        _target(table_id="t0", indicator="婴儿死亡率", unit="‰", baseline_text="—", baseline_year=2020,
                target_text="<3", target_year=2025, nature="约束性", i=1),
        _target(table_id="t0", indicator="多出来的行", i=2),
        _target(source="text", indicator="人均预期寿命", i=3),  # text targets are not table rows
    ]
    report = evaluate_document(gold, _result(tables=[_table("主要 指标")], targets=targets))
    m = report.metrics
    # the predicted caption has a space: rows can only match once the table matched (soft)
    assert m["indicator_rows"]["exact"].tp == 0
    assert (m["indicator_rows"]["soft"].tp, m["indicator_rows"]["soft"].n_pred, m["indicator_rows"]["soft"].n_gold) == (2, 3, 3)
    assert m["indicator_cells"]["soft"].tp == 14 and m["indicator_cells"]["soft"].n_gold == 21
    acc = report.details["soft"]["cell_accuracy"]
    assert acc["baseline"] == {"correct": 2, "compared": 2}

    same_caption = evaluate_document(gold, _result(tables=[_table(caption)], targets=targets)).metrics
    assert same_caption["indicator_rows"]["exact"].tp == 2
    assert same_caption["indicator_cells"]["exact"].tp == 12  # "—" vs null and "<3" vs "＜3" differ


def test_text_targets():
    gold = {
        "text_targets": [
            {"quote": "到2025年，全市居民健康素养水平达到30%", "indicator": "居民健康素养水平", "comparator": "=", "value": 30, "unit": "%", "year": 2025},
            {"quote": "全市市域内住院率达到95%以上", "indicator": "市域内住院率", "comparator": ">=", "value": 95, "unit": "%", "year": 2025},
            {"quote": "每千人口床位数达到5.76张", "indicator": "每千人口床位数", "comparator": "=", "value": 5.76, "unit": "张", "year": 2025},
        ]
    }
    targets = [
        _target(source="text", indicator="全市居民健康素养水平", target_value=30.0, unit="％", quote="全市居民健康素养水平达到30％", i=0),
        _target(source="text", indicator="市域内住院率", target_value=90.0, unit="%", quote="全市市域内住院率达到95%以上", i=1),  # wrong value
        _target(source="text", indicator="每千人口床位数", target_value=5.76, unit="张", quote="每千人口床位数达到5.76\n张", i=2),
    ]
    m = evaluate_document(gold, _result(targets=targets)).metrics["text_targets"]
    # exact: the full-width ％ differs; the line break inside the third quote still leaves a long overlap
    assert (m["exact"].tp, m["exact"].n_pred, m["exact"].n_gold) == (1, 3, 3)
    assert m["soft"].tp == 2
    wrong_unit = [_target(source="text", indicator="居民健康素养水平", target_value=30.0, unit="个", quote="居民健康素养水平达到30%")]
    assert evaluate_document(gold, _result(targets=wrong_unit)).metrics["text_targets"]["soft"].tp == 0


def test_deadlines_exact_vs_soft():
    gold = {"deadlines": [{"text": "2024年12月底前", "date": "2024-12-31", "quote": "…"}, {"text": "到2025年", "date": "2025-12-31", "quote": "…"}]}
    pred = _result(deadlines=[_deadline("2024年12月 底前", dt.date(2024, 12, 31)), _deadline("到2025年", dt.date(2025, 6, 30), 1)])
    m = evaluate_document(gold, pred).metrics["deadlines"]
    assert m["exact"].tp == 0  # space in the text; wrong date for the second
    assert m["soft"].tp == 1


def test_responsibilities_and_agency_names():
    gold = {
        "responsibilities": [
            {"quote": "（市卫生健康局、市财政局负责）", "measure": "1.", "lead": "市卫生健康局", "agencies": ["市卫生健康局", "市财政局"]},
            {"quote": "（市财政局负责）", "measure": "2.", "lead": None, "agencies": ["市财政局"]},
        ],
        "agency_names": ["市卫生健康局", "市财政局", "市医改领导小组"],
    }
    pred = _result(
        responsibilities=[_resp("市卫生健康局", "lead"), _resp("市财政局", "support", 1), _resp("市财政局", "lead")],
        agencies=[_mention("市卫生健康局"), _mention("市卫生健康局", 1), _mention("市 财政局", 2)],
    )
    m = evaluate_document(gold, pred).metrics
    assert (m["resp_agencies"]["exact"].tp, m["resp_agencies"]["exact"].n_pred, m["resp_agencies"]["exact"].n_gold) == (3, 3, 3)
    assert (m["resp_leads"]["exact"].tp, m["resp_leads"]["exact"].n_pred, m["resp_leads"]["exact"].n_gold) == (1, 2, 1)
    # names are a set: the duplicate mention counts once; the spaced name matches only in soft mode
    assert (m["agency_names"]["exact"].tp, m["agency_names"]["exact"].n_pred) == (1, 2)
    assert m["agency_names"]["soft"].tp == 2


def test_metadata():
    gold = {"title": "某市规划", "doc_number": None, "region": "某市", "plan_period": [2021, 2025]}
    doc = _doc(title="某市规划", region="某省", doc_number="某发〔2021〕1号", plan_start_year=2021, plan_end_year=2025)
    m = evaluate_document(gold, _result(document=doc)).metrics["metadata"]["exact"]
    assert (m.tp, m.n_pred, m.n_gold) == (3, 5, 4)


def test_evaluate_corpus_micro_average_and_missing_document(tmp_path, plan_text):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (tmp_path / "a.txt").write_text(plan_text, encoding="utf-8")
    gold_a = {"doc": "a.txt", "deadlines": [{"text": "2024年12月底前", "date": "2024-12-31", "quote": "2024年12月底前完成"}]}
    gold_b = {"doc": "b.txt", "deadlines": [{"text": "到2025年", "date": "2025-12-31", "quote": "到2025年"}]}
    (gold_dir / "a.gold.json").write_text(json.dumps(gold_a, ensure_ascii=False), encoding="utf-8")
    (gold_dir / "b.gold.json").write_text(json.dumps(gold_b, ensure_ascii=False), encoding="utf-8")
    report = evaluate_corpus(tmp_path, gold_dir)
    # A gold file whose document is missing is not scored as all misses: it is a problem of the run.
    assert [d.doc for d in report.documents] == ["a.txt"]
    assert report.problems == [f"no document for gold file {gold_dir / 'b.gold.json'}: b.txt is not in {tmp_path}"]
    assert not report.ok
    for metric in METRICS:
        for mode in ("exact", "soft"):
            assert report.overall[metric][mode] == report.documents[0].metrics[metric][mode]
    assert report.overall["deadlines"]["soft"].n_gold == 1
    assert json.loads(json.dumps(report.to_dict()))["problems"] == report.problems


def test_checked_in_gold_loads_and_scores(corpus_dir, gold_dir):
    report = evaluate_corpus(corpus_dir, gold_dir)
    assert len(report.documents) == len(list(gold_dir.glob("*.gold.json")))
    assert all(d.error is None for d in report.documents), [d.error for d in report.documents if d.error]
    assert report.overall["headings"]["soft"].n_gold > 100
    assert report.overall["indicator_cells"]["soft"].n_gold == 7 * report.overall["indicator_rows"]["soft"].n_gold


def test_unlabelled_gold_heading_matches_an_unlabelled_section(tmp_path):
    """FORMAT.md: a heading such as 前言 has label null; a section for it has label ""."""
    from planparse.evaluate import _label_key

    assert _label_key("exact", None) == _label_key("exact", "") == ""
    assert _label_key("soft", None) == ""


def test_responsibility_matches_by_canonical_name_when_the_span_is_shorter():
    from planparse.evaluate import alternatives_score

    score = alternatives_score(["国务院教育行政部门", "市财政局"], [("教育行政部门", "国务院教育行政部门"), ("市财政局", "市财政局"), ("市财政局", "市财政局")])
    assert (score.tp, score.n_pred, score.n_gold) == (2, 3, 2)


def test_gold_document_of_a_native_format_is_found_in_a_subfolder(tmp_path):
    from planparse.evaluate import _find_document

    (tmp_path / "native").mkdir()
    page = tmp_path / "native" / "plan.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert _find_document(tmp_path, "plan.html") == page
    assert _find_document(tmp_path, "absent.txt") == tmp_path / "absent.txt"


def test_gold_file_without_doc_finds_its_source_of_any_supported_format(tmp_path):
    import json

    from planparse.evaluate import evaluate_corpus

    (tmp_path / "gold").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "plan.html").write_text(
        "<html><body><div id='UCAP-CONTENT'><p>一、总体要求</p><p>（一）加强领导。到2025年底前完成。</p></div></body></html>", encoding="utf-8"
    )
    (tmp_path / "gold" / "plan.gold.json").write_text(json.dumps({"headings": [{"level": 1, "label": "一、", "title": "总体要求"}]}), encoding="utf-8")
    (doc,) = evaluate_corpus(tmp_path, tmp_path / "gold").documents
    assert doc.error is None and doc.doc == "plan.html"
    assert doc.metrics["headings"]["soft"].tp == 1
