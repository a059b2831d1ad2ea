"""Quotes are bounded (issue 13 §4): a quote is its clause, sentence, table row or assignment, at most
``QUOTE_MAX_CHARS`` characters, cut around what the record states. Over the corpus outputs, and on
plan-shaped texts built to make each record type's quote long (a long 评价标准 cell, a bracket of
dozens of agencies, a clause with no punctuation, a value of 3,000 digits)."""

from __future__ import annotations

import pytest

from conftest import assert_grounded
from planparse.load import read_record_table
from planparse.models import QUOTE_MAX_CHARS
from planparse.pipeline import process_bytes
from planparse.validate import validators

QUOTED = ("targets", "deadlines", "responsibilities")
_AGENCIES = "、".join(
    f"市{name}局" for name in "财政 公安 民政 司法 交通 水务 商务 文化 审计 统计 体育 医保 城管 林业 粮食 信访 人社 住建 农业 应急".split() * 6
)  # 120 agencies, 600 characters
_RUN_ON = "加强统筹协调推进各项工作落实" * 60  # 840 characters without a delimiter
_HEAD = "第一章 总则\n一、重点任务\n"


def test_corpus_quotes_are_bounded(extracted):
    longest = {}
    for name in QUOTED:
        rows = read_record_table(extracted, name, columns=["quote"])["quote"].to_pylist()
        assert rows, name
        longest[name] = max(map(len, rows))
    assert max(longest.values()) <= QUOTE_MAX_CHARS, longest


def test_json_schemas_state_the_bound():
    for name in QUOTED:
        too_long = {"quote": "字" * (QUOTE_MAX_CHARS + 1)}
        errors = [e for e in validators()[name].iter_errors(too_long) if list(e.absolute_path) == ["quote"]]
        assert errors and "is too long" in errors[0].message, name


def _long(text: str, kind: str):
    result = process_bytes(text.encode("utf-8"), "long.txt")
    assert_grounded(result)  # offsets, and every quote within QUOTE_MAX_CHARS
    records = getattr(result, kind)
    assert records, kind  # the rule still fires
    return result, records


@pytest.mark.parametrize(
    "text",
    [
        f"{_HEAD}1.推进医疗改革。（{_AGENCIES}按职责分工负责）\n",  # a bracket
        f"{_HEAD}1.推进医疗改革。\n责任单位：{_AGENCIES}\n",  # a labelled list
        f"{_HEAD}1.推进医疗改革，由{_AGENCIES}负责。\n",  # a sentence
        f"{_HEAD}表1 重点任务分工\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n1\t推进医疗改革\t市卫健委\t{_AGENCIES}\t2025年底前\n",  # a task table cell
    ],
    ids=["bracket", "labelled", "sentence", "task_table"],
)
def test_assignment_of_dozens_of_agencies_quotes_each_row_around_its_agency(text):
    _, rows = _long(text, "responsibilities")
    assert len(rows) >= 90
    assert all(r.agency in r.quote for r in rows)
    assert max(len(r.quote) for r in rows) == QUOTE_MAX_CHARS  # long enough to be cut, and cut


def test_table_row_with_a_long_cell_is_cut_around_indicator_and_target():
    text = (
        f"{_HEAD}表1 主要指标\n序号\t指标\t单位\t2020年\t2025年\t属性\t备注\n"
        f"1\t人均预期寿命\t岁\t77.8\t78.5\t预期性\t{_RUN_ON}\n2\t孕产妇死亡率\t/10万\t12\t10\t约束性\t按年度考核\n"
    )
    _, targets = _long(text, "targets")
    first = next(t for t in targets if t.indicator == "人均预期寿命")
    assert first.quote.startswith("1\t人均预期寿命\t岁\t77.8\t78.5") and len(first.quote) == QUOTE_MAX_CHARS
    second = next(t for t in targets if t.indicator == "孕产妇死亡率")
    assert second.quote == "2\t孕产妇死亡率\t/10万\t12\t10\t约束性\t按年度考核"  # a short row is its row


def test_zero_target_clause_without_punctuation():
    _, targets = _long(f"{_HEAD}1.{_RUN_ON}非法转移倾倒固体废物事件零发生。\n", "targets")
    (target,) = targets
    assert target.quote.endswith("非法转移倾倒固体废物事件零发生")
    assert target.indicator.endswith("固体废物事件发生") and len(target.indicator) < QUOTE_MAX_CHARS + 10  # its clause, looked for as far as a quote goes


def test_value_longer_than_the_cap():
    _, targets = _long(f"{_HEAD}1.到2025年，新建{'9' * 3000}个基层站点。\n", "targets")
    assert targets[0].quote == "9" * QUOTE_MAX_CHARS  # quoted from its start


@pytest.mark.parametrize("body", [f"{_RUN_ON}2025年底前完成{_RUN_ON}。", f"{_RUN_ON}到2025年，人均预期寿命达到80岁{_RUN_ON}。"])
def test_deadline_in_a_run_on_clause(body):
    _, deadlines = _long(f"{_HEAD}1.{body}\n", "deadlines")
    assert deadlines[0].text in deadlines[0].quote and len(deadlines[0].quote) == QUOTE_MAX_CHARS
