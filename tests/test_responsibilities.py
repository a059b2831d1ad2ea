"""Responsibilities: roles, conventions, tables, grounding on the corpus, F1 floors against gold."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

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



def _table(text: str, header: list[str], rows: list[list[str]]) -> Table:
    return Table(doc_id="t", table_id="t-t1", kind="task", header=header, rows=rows, n_rows=len(rows),
                 char_start=text.index(header[0]), char_end=len(text))


def test_task_table_header_with_a_level_before_the_label():
    # 省级牵头单位 / 市级配合单位 are the 牵头单位 / 配合单位 columns (081 宁波 has them; text written).
    body = "工作任务\t省级牵头单位\t市级配合单位\n建设平台\t省卫生健康委、省医保局\t市卫生健康委\n"
    text = PLAN + body
    table = _table(text, ["工作任务", "省级牵头单位", "市级配合单位"],
                   [["建设平台", "省卫生健康委、省医保局", "市卫生健康委"]])
    got = find_responsibilities(text, "t", [], [table])
    # A co-lead cell: its first agency leads, the others are co-leads (corpus/gold/FORMAT.md: lead =
    # the first agency of the 牵头单位 cell).
    assert [(r.agency, r.role) for r in got] == [
        ("省卫生健康委", "lead"), ("省医保局", "co_lead"), ("市卫生健康委", "support")]
    # Internal divisions (市卫健委内牵头处室) are no unit column.
    divisions = _table(text, ["工作任务", "市卫健委内牵头处室"], [["建设平台", "基层处"]])
    assert find_responsibilities(text, "t", [], [divisions]) == []


def test_task_rows_flattened_without_cell_separators():
    # Rows of the 定西 task ledger (corpus/wild/086): 序号, task, 牵头单位 and 配合单位 glued together.
    rows = ["完善网络基础设施。市工信局市委网信办、市发展改革委，各县区政府",
            "强化网络安全基础保障。市委网信办市工信局、市教育局",
            "推进农业生产智能化。市农业农村局市林草局、市畜牧兽医局初步实现监测预警"]
    body = "序号重点任务牵头单位配合单位\n" + "".join(f"{n}{r}\n" for n, r in enumerate(rows, 1))
    text = PLAN + body
    table = _table(text, ["序号", "重点任务", "牵头单位", "配合单位"],
                   [[str(n), r, "", ""] for n, r in enumerate(rows, 1)])
    got = find_responsibilities(text, "t", [], [table])
    by_row = Counter(r.assignment_id for r in got)
    assert len(by_row) == 3
    assert [(r.agency, r.role) for r in got] == [
        ("市工信局", "lead"), ("市委网信办", "support"), ("市发展改革委", "support"), ("各县区政府", "support"),
        ("市委网信办", "lead"), ("市工信局", "support"), ("市教育局", "support"),
        ("市农业农村局", "lead"), ("市林草局", "support"), ("市畜牧兽医局", "support")]
    assert all(r.quote in text and text[r.char_start : r.char_end] == r.quote for r in got)
    assert not any("初步" in r.agency for r in got)


def test_first_listed_convention_with_a_generic_first_item_names_no_lead():
    body = ("工作任务\t责任单位\n"
            "梳理清单\t市司法局（列第一位者为牵头单位，下同）、市政务办\n"
            "推广应用\t市级有关部门，各区县政府\n")
    text = PLAN + body
    table = _table(text, ["工作任务", "责任单位"],
                   [["梳理清单", "市司法局（列第一位者为牵头单位，下同）、市政务办"], ["推广应用", "市级有关部门，各区县政府"]])
    got = find_responsibilities(text, "t", [], [table])
    assert [(r.agency, r.role) for r in got] == [
        ("市司法局", "lead"), ("市政务办", "support"), ("各区县政府", "support")]


DOCS = corpus_docs()


def test_grounded_on_corpus(corpus_results):
    for result in corpus_results:
        text = result.document.text
        for r in result.responsibilities:
            assert text[r.char_start : r.char_end] == r.quote
            # The agency is as written (issue 9, kind 8): a prefix a list item leaves out is only in
            # canonical_name.
            assert r.agency in r.quote, r


def test_agency_in_its_quote_on_wild(extracted):
    # A sentence assignment clipped where the next one starts (wild 080's task table, one cell per
    # line) kept the agencies of the part cut off, whose names its quote no longer held.
    from planparse.load import read_record_table

    rows = read_record_table(extracted, "responsibilities", columns=["agency", "quote"]).to_pylist()
    assert len(rows) > 5000
    assert [r for r in rows if r["agency"] not in r["quote"]] == []


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


def test_task_table_agency_cells_vouch_for_mentions():
    # Names outside the lexicon standing alone in an agency cell (081 宁波 has 省口岸办; text written).
    from planparse.extract.agencies import find_agency_mentions
    from planparse.extract.responsibilities import vouched_agency_spans

    body = "工作任务\t牵头单位\t配合单位\n推进通关便利化\t省口岸办\t市人防办、有关单位\n"
    text = PLAN + body
    table = _table(text, ["工作任务", "牵头单位", "配合单位"], [["推进通关便利化", "省口岸办", "市人防办、有关单位"]])
    spans = vouched_agency_spans(text, [table])
    assert [text[s:e] for s, e in spans] == ["省口岸办", "市人防办"]
    plain = {m.name for m in find_agency_mentions(text, "t")}
    vouched = find_agency_mentions(text, "t", vouched=spans)
    assert {"省口岸办", "市人防办"} <= {m.name for m in vouched} and not {"省口岸办", "市人防办"} <= plain
    assert all(text[m.char_start : m.char_end] == m.name for m in vouched)


def test_addressee_line_vouches_for_its_bodies():
    # A notice's addressee line (主送机关) is a list of bodies by position: wild 111 (江西) and 080's
    # form, and a written one with names outside the lexicon after an elided level (财政局, 民政局).
    from planparse.extract.responsibilities import vouched_agency_spans

    text = ("关于印发方案的通知\n各设区市人民政府、赣江新区管委会，省直有关部门：\n现将方案印发给你们。\n"
            "各县卫生健康局、财政局、民政局，县医保中心：\n请贯彻执行。\n")
    assert [text[s:e] for s, e in vouched_agency_spans(text, [])] == [
        "各设区市人民政府", "赣江新区管委会", "各县卫生健康局", "财政局", "民政局", "县医保中心"]
    # Not addressee lines: a heading, a sentence ending in a colon, a list with a non-body.
    for line in ("（二）主要任务：\n", "——社会和政府：\n", "各地区、各部门要切实做好以下工作：\n",
                 "各市属企业，委机关各处室：\n", "各区卫生健康局、社会组织和个人：\n"):
        assert vouched_agency_spans(line, []) == [], line


def test_division_columns_vouch_for_divisions_but_assign_nothing():
    # A task table's columns of the lead agency's internal divisions (局内牵头处室): the divisions are
    # bodies (mentions), not units of the row's assignment (text written for the test).
    from planparse.extract.agencies import find_agency_mentions
    from planparse.extract.responsibilities import vouched_agency_spans

    header = ["工作任务", "牵头单位", "市农业农村局内牵头处室", "市农业农村局内配合科室"]
    row = ["推进数字乡村", "市农业农村局", "市场与信息化处", "政策法规处、种植业科"]
    text = PLAN + "\t".join(header) + "\n" + "\t".join(row) + "\n"
    table = _table(text, header, [row])
    spans = vouched_agency_spans(text, [table])
    assert [text[s:e] for s, e in spans] == ["市农业农村局", "市场与信息化处", "政策法规处", "种植业科"]
    names = [m.name for m in find_agency_mentions(text, "t", vouched=spans)]
    assert {"市场与信息化处", "政策法规处", "种植业科"} <= set(names)
    assert [(r.agency, r.role) for r in find_responsibilities(text, "t", [], [table])] == [("市农业农村局", "lead")]


def test_division_labels_on_lines_of_their_own_form_one_assignment():
    # wild 105 (杭州市农业农村局): 牵头处室 / 配合处室 on lines of their own, a generic party joined by 及.
    text = (PLAN + "一、体制机制小组\n负责人：张三\n牵头处室：综合行政执法队\n\n"
            "配合处室：政策法规处、市场与信息化处、农业农村事务保障中心及相关业务处室\n"
            "二、政务服务小组\n牵头处室：办公室\n牵头处室：政策法规处\n")
    got = find_responsibilities(text, "t", [], [])
    groups = {}
    for r in got:
        groups.setdefault(r.assignment_id, []).append((r.agency, r.role))
    assert list(groups.values()) == [
        [("综合行政执法队", "lead"), ("政策法规处", "support"), ("市场与信息化处", "support"), ("农业农村事务保障中心", "support")],
        [("办公室", "lead")],  # a second 牵头 line is a second task
        [("政策法规处", "lead")],
    ]


def test_sentences_inside_a_task_table_are_not_read_again():
    # A 主要内容 cell repeating the body's "由X负责…" (the 广州 page does; text written): the row is
    # assigned by its agency columns only, the body's sentence stays an assignment of its own.
    content = "由各区卫生健康行政部门确定承担签约服务的机构。"
    text = PLAN + content + "\n工作事项\t主要内容\t牵头单位\t配合单位\n扩大来源\t" + content + "\t各区政府\t市卫生健康委\n"
    row = ["扩大来源", content, "各区政府", "市卫生健康委"]
    table = _table(text, ["工作事项", "主要内容", "牵头单位", "配合单位"], [row])
    got = find_responsibilities(text, "t", [], [table])
    groups = {}
    for r in got:
        groups.setdefault(r.assignment_id, []).append((r.agency, r.role, r.char_start < table.char_start))
    assert list(groups.values()) == [
        [("各区卫生健康行政部门", "responsible", True)],
        [("各区政府", "lead", False), ("市卫生健康委", "support", False)],
    ]
    # A content cell's own sentence (not a copy of the body: the 眉山 ledger, wild 127) still assigns.
    own = "由市财政局负责安排资金。"
    text2 = PLAN + "工作事项\t主要内容\t牵头单位\n安排资金\t" + own + "\t市卫生健康委\n"
    table2 = _table(text2, ["工作事项", "主要内容", "牵头单位"], [["安排资金", own, "市卫生健康委"]])
    assert "市财政局" in [r.agency for r in find_responsibilities(text2, "t", [], [table2])]


def test_label_matches_are_those_of_finditer():
    from planparse.extract.responsibilities import _label_matches, _rules as responsibility_rules

    label = responsibility_rules().label
    wild = sorted(Path(__file__).resolve().parents[1].glob("corpus/wild/*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in wild] + [
        "责任单位：牵头单位 \t：市财政局；配合单位：：牵头单位\n配合单位",
        "：：单位：牵头单位：",
    ]
    for text in texts:
        assert [m.span() for m in _label_matches(text)] == [m.span() for m in label.finditer(text)]
    assert len(list(_label_matches(texts[-2]))) == 3
