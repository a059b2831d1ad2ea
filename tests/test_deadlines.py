"""Deadlines: date normalisation, grounding on every corpus document, F1 floor against gold."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from planparse.extract.deadlines import find_deadlines, reference_year
from planparse.ingest import clean_text, decode_bytes
from planparse.models import Measure, Table

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PLAN = "某市卫生健康事业发展“十四五”规划\n"


def corpus_docs():
    """(stem, cleaned text, gold) for every corpus document."""
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        gold = json.loads((CORPUS / "gold" / f"{path.stem}.gold.json").read_text(encoding="utf-8"))
        out.append((path.stem, clean_text(decode_bytes(path.read_bytes())[0]), gold))
    return out


def _key(s: str) -> str:
    return "".join(s.split())


def multiset_f1(gold: Counter, pred: Counter) -> float:
    tp = sum((gold & pred).values())
    if not tp:
        return 0.0
    p, r = tp / sum(pred.values()), tp / sum(gold.values())
    return 2 * p * r / (p + r)


@pytest.mark.parametrize(
    "sentence,date,granularity",
    [
        ("到2025年，床位数达到5.76张。", dt.date(2025, 12, 31), "year"),
        ("2024年年底前完成。", dt.date(2024, 12, 31), "year"),
        ("2024年上半年完成。", dt.date(2024, 6, 30), "half"),
        ("2024年下半年完成。", dt.date(2024, 12, 31), "half"),
        ("2024年第三季度前完成。", dt.date(2024, 9, 30), "quarter"),
        ("2024年一季度末完成。", dt.date(2024, 3, 31), "quarter"),
        ("2024年2月底前完成。", dt.date(2024, 2, 29), "month"),
        ("2023年2月底前完成。", dt.date(2023, 2, 28), "month"),
        ("2024年十一月底前完成。", dt.date(2024, 11, 30), "month"),
        ("2024年6月15日前完成。", dt.date(2024, 6, 15), "day"),
        ("二〇二五年底前完成。", dt.date(2025, 12, 31), "year"),
    ],
)
def test_date_normalisation(sentence, date, granularity):
    (d,) = find_deadlines(PLAN + sentence, "t", [])
    assert (d.date, d.granularity) == (date, granularity)


def test_impossible_dates_are_dropped():
    assert find_deadlines(PLAN + "2024年13月底前完成。2024年2月30日前完成。", "t", []) == []


def test_reference_year_from_issue_date_and_plan_period():
    assert reference_year("国务院办公厅\n2019年1月16日\n正文") == 2019
    assert reference_year(PLAN) == 2021
    assert reference_year("无日期的文本") is None


def test_bare_year_needs_a_reference_year():
    # Without an issue date or plan period the plan's "now" is unknown: a bare year is not trusted.
    assert find_deadlines("2022年，在全国启动考核工作。", "t", []) == []
    assert [d.text for d in find_deadlines(PLAN + "2022年，在全国启动考核工作。", "t", [])] == ["2022年"]


def test_ids_order_and_measure_link():
    text = PLAN + "1.加强建设。到2023年，建成平台。\n2.完善制度。2024年6月底前出台办法。\n"
    s1, s2 = text.index("1."), text.index("2.")
    measures = [
        Measure(doc_id="t", measure_id=f"t-m{i}", label=f"{i}.", title="x", text=text[a:b], char_start=a, char_end=b)
        for i, (a, b) in enumerate([(s1, s2), (s2, len(text))], start=1)
    ]
    got = find_deadlines(text, "t", measures)
    assert [d.deadline_id for d in got] == ["t-dl0001", "t-dl0002"]
    assert [d.measure_id for d in got] == ["t-m1", "t-m2"]
    assert got[0].quote == "到2023年，建成平台"


def test_task_table_time_column_makes_bare_year_a_deadline():
    rows = "序号\t任务\t牵头单位\t完成时限\n1\t出台办法\t市卫生健康局\t2023年\n"
    text = PLAN + "附件\n" + rows
    start = text.index("序号")
    table = Table(doc_id="t", table_id="t-t1", kind="task", header=["序号", "任务", "牵头单位", "完成时限"],
                  rows=[["1", "出台办法", "市卫生健康局", "2023年"]], n_rows=1,
                  char_start=start, char_end=len(text))
    assert find_deadlines(text, "t", []) == []
    (d,) = find_deadlines(text, "t", [], [table])
    assert (d.text, d.date) == ("2023年", dt.date(2023, 12, 31))


def test_relative_deadlines_take_their_anchor_and_keep_their_ids_in_text_order():
    text = "某区卫生健康局\n2023年10月19日\n到2024年，建成平台；各街道于本文印发后3个月内出台方案。"
    got = find_deadlines(text, "t", [])
    assert [(d.text, d.date, d.anchor) for d in got] == [
        ("到2024年", dt.date(2024, 12, 31), None),
        ("于本文印发后3个月内", dt.date(2024, 1, 19), "issue_date"),
    ]
    assert [d.deadline_id for d in got] == ["t-dl0001", "t-dl0002"]
    # The issue date a reader found (gov.cn 成文日期) wins over the text; a plan period anchors spans.
    (d,) = find_deadlines("各街道于本文印发后3个月内出台方案。", "t", [], issued=dt.date(2022, 11, 30))
    assert d.date == dt.date(2023, 2, 28)
    (d,) = find_deadlines("力争用3年时间建成体系。", "t", [], plan_start_year=2021)
    assert (d.date, d.granularity, d.anchor) == (dt.date(2023, 12, 31), "year", "plan_start")


def test_a_relative_deadline_without_its_anchor_keeps_the_expression_with_a_null_date(tmp_path):
    from planparse.runner import extract_to_folder

    (d,) = find_deadlines("各街道于本文印发后3个月内出台方案。", "t", [])
    assert (d.text, d.date, d.anchor) == ("于本文印发后3个月内", None, "issue_date")
    plan = tmp_path / "plan.txt"
    plan.write_text("某市实施意见\n\n一、目标\n\n经过五到十年时间，基本建成产教融合体系。\n", encoding="utf-8")
    extract_to_folder([str(plan)], str(tmp_path / "out"))
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "out" / "deadlines").to_pylist()
    assert [(r["text"], r["date"], r["anchor"]) for r in rows] == [("经过五到十年时间", None, "issue_date")]


DOCS = corpus_docs()


def test_grounded_on_corpus(corpus_results):
    for result in corpus_results:
        text = result.document.text
        for d in result.deadlines:
            assert text[d.char_start : d.char_end] == d.quote
            assert d.text in d.quote


def test_f1_floor_on_corpus():
    gold, pred = Counter(), Counter()
    for stem, text, g in DOCS:
        gold.update((stem, _key(d["text"]), d["date"]) for d in g["deadlines"])
        pred.update((stem, _key(d.text), d.date and d.date.isoformat()) for d in find_deadlines(text, stem, []))
    assert multiset_f1(gold, pred) >= 0.90
