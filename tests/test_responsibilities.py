"""Responsibilities: roles, conventions, tables, grounding on the corpus, F1 floors against gold."""

from __future__ import annotations

from collections import Counter

from test_deadlines import PLAN, _key, corpus_docs, multiset_f1

from planparse.extract.agencies import canonical_name
from planparse.extract.responsibilities import find_responsibilities, split_agency_list
from planparse.models import Measure, Table


def test_first_listed_lead_convention_applies_from_its_note_on():
    text = (PLAN + "推进改革。（市财政局、市卫生健康局负责）\n"
            "加强建设。（市卫生健康局、市委编办负责。排在第一位的为牵头负责单位，下同）\n"
            "完善制度。（市医疗保障局、市财政局负责）\n")
    got = find_responsibilities(text, "t", [], [])
    roles = [(r.agency, r.role, r.position) for r in got]
    assert roles == [
        ("市财政局", "responsible", 0), ("市卫生健康局", "responsible", 1),
        ("市卫生健康局", "lead", 0), ("市委编办", "support", 1),
        ("市医疗保障局", "lead", 0), ("市财政局", "support", 1),
    ]
    assert [r.assignment_id for r in got][::2] == ["t-as0001", "t-as0002", "t-as0003"]


def test_generic_parties_are_skipped_but_the_list_survives():
    assert split_agency_list("市卫生健康局、各有关单位、市财政局") == ["市卫生健康局", "市财政局"]
    assert split_agency_list("市卫生健康局、医院管理处") is None  # not a list of agencies


def test_mixed_width_brackets_and_measure_link():
    text = PLAN + "1.加强队伍建设。培养全科医生(市卫生健康局、市人力资源社会保障局负责）。\n"
    start = text.index("1.")
    m = Measure(doc_id="t", measure_id="t-m1", label="1.", title="加强队伍建设", text=text[start:],
                char_start=start, char_end=len(text))
    got = find_responsibilities(text, "t", [m], [])
    assert [r.agency for r in got] == ["市卫生健康局", "市人力资源社会保障局"]
    assert {r.measure_id for r in got} == {"t-m1"}
    assert got[0].quote == "(市卫生健康局、市人力资源社会保障局负责）"
    assert got[0].canonical_name == canonical_name("市卫生健康局")


def test_task_table_columns():
    body = "序号\t任务\t牵头单位\t配合单位\n1\t出台办法\t市卫生健康局\t市财政局、市医疗保障局\n"
    text = PLAN + body
    table = Table(doc_id="t", table_id="t-t1", kind="task", header=["序号", "任务", "牵头单位", "配合单位"],
                  rows=[["1", "出台办法", "市卫生健康局", "市财政局、市医疗保障局"]], n_rows=1,
                  char_start=text.index("序号"), char_end=len(text))
    got = find_responsibilities(text, "t", [], [table])
    assert [(r.agency, r.role) for r in got] == [
        ("市卫生健康局", "lead"), ("市财政局", "support"), ("市医疗保障局", "support")]
    assert text[got[0].char_start : got[0].char_end] == got[0].quote


DOCS = corpus_docs()


def test_grounded_on_corpus(corpus_results):
    for result in corpus_results:
        text = result.document.text
        for r in result.responsibilities:
            assert text[r.char_start : r.char_end] == r.quote
            # The agency is as written (issue 9, kind 8): a prefix a list item leaves out is only in
            # canonical_name.
            assert r.agency in r.quote, r


def test_f1_floors_on_corpus():
    gold_a, pred_a, gold_l, pred_l = Counter(), Counter(), Counter(), Counter()
    for stem, text, g in DOCS:
        if any(t.get("kind") == "task" for t in g.get("tables", [])):
            continue  # task tables need the segmenter's tables: scored by tests/test_quality.py
        got = find_responsibilities(text, stem, [], [])
        gold_a.update((stem, _key(a)) for x in g["responsibilities"] for a in x["agencies"])
        # A list item written without its prefix matches by its canonical name, as planparse eval does.
        names = {_key(a) for x in g["responsibilities"] for a in x["agencies"]}
        pred_a.update((stem, _key(r.canonical_name if _key(r.agency) not in names else r.agency)) for r in got)
        gold_l.update((stem, _key(x["lead"])) for x in g["responsibilities"] if x["lead"])
        pred_l.update((stem, _key(r.agency)) for r in got if r.role == "lead")
    assert multiset_f1(gold_a, pred_a) >= 0.95
    assert multiset_f1(gold_l, pred_l) >= 0.95
