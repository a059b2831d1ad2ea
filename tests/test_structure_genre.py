"""Structure on plans in styles the corpus does not have (written for the genre, not taken from it):
a 五年规划 converted from PDF, a 通知 + 实施方案 copied from a web page (paragraph lines with CRLF,
and a crawler copy with the whole body on one line), and a 工作要点 with four heading levels."""


import pytest
import regex

from conftest import run_test_plan as _run


@pytest.fixture(scope="module")
def work_points():
    return _run("structure_work_points.txt")


@pytest.fixture(scope="module", params=["structure_web_plan.txt", "structure_web_oneline.txt"])
def web(request):
    return _run(request.param)


def _outline(result):
    return [(s.level, s.label, s.title) for s in result.sections]


def test_grounding(work_points, web):
    for result in (work_points, web):
        text = result.document.text
        for rec in result.sections + result.measures + result.tables:
            assert rec.char_end <= len(text)
        for m in result.measures:
            assert text[m.char_start : m.char_end] == m.text
        for s in result.sections:
            assert text[s.char_start : s.heading_end].startswith(s.label)


# ------------------------------------------------------------ 工作要点: 第一部分 → 一、 → （一） → 1.


def test_work_points_four_levels(work_points):
    assert _outline(work_points) == [
        (1, "第一部分", "总体要求"),
        (2, "一、", "指导思想"),
        (2, "二、", "工作目标"),
        (1, "第二部分", "重点任务"),
        (2, "一、", "深化医药卫生体制改革"),
        (3, "（一）", "推进紧密型县域医共体建设"),
        (3, "（二）", "深化公立医院改革"),
        (2, "二、", "筑牢公共卫生防线"),
        (3, "（一）", "加强疾病预防控制"),
        # a bare title with only 一是…二是… under it: a heading like its sibling, not a measure
        (3, "（二）", "提升应急处置能力"),
        (1, "第三部分", "工作要求"),
        # 一、 heads blocks in this plan, and these stand alone on their line over a body paragraph
        (2, "一、", "强化责任落实"),
        (2, "二、", "加强督促检查"),
    ]
    paths = {s.title: s.path for s in work_points.sections}
    assert paths["提升应急处置能力"] == "第二部分 > 二、 > （二）"


def test_work_points_measures_skip_ordinals_and_footnotes(work_points):
    titles = [m.title for m in work_points.measures]
    assert titles[:6] == [
        "完善医共体运行机制",
        "提升县级医院综合能力",
        "落实公立医院党委领导下的院长负责制",
        "推进薪酬制度改革",
        "做好重点传染病防控",
        "推进慢性病综合防控",
    ]
    # 一是…二是… inside paragraphs and the numbered notes under the table (注：1.… 2.…) are no measures
    assert not any(t.startswith(("一是", "二是")) or "报送" in t or "牵头单位负责" in t for t in titles)
    assert all(m.label != "2." or m.title != "各牵头单位于每季度末5日前将工作进展报送市卫生健康局" for m in work_points.measures)


def test_work_points_word_task_table_with_wrapped_cells(work_points):
    (table,) = work_points.tables
    assert (table.kind, table.caption) == ("task", "2024年卫生健康重点工作任务分工表")
    assert table.header == ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    assert table.n_rows == 5
    assert table.rows[0] == [
        "1",
        "完善医共体运行机制，推进人员、财务、药品统一管理",
        "市卫生健康局",
        "市委编办、市财政局、市医疗保障局",
        "2024年12月",
    ]
    assert table.rows[2][1] == "出台公立医院薪酬制度改革实施办法"
    assert [r[0] for r in table.rows] == ["1", "2", "3", "4", "5"]
    # the notes under the table are not part of it
    assert "注" not in work_points.document.text[table.char_start : table.char_end]


def test_work_points_metadata(work_points):
    doc = work_points.document
    assert (doc.title, doc.region) == ("英德市2024年卫生健康工作要点", "英德市")


# ------------------------------------------------------------ web copy: CRLF, indents, one-line body


def test_web_outline(web):
    assert _outline(web) == [
        (1, "一、", "总体目标"),
        (1, "二、", "主要任务"),
        (2, "（一）", "健全中医药服务体系"),
        (2, "（二）", "加强中医药人才培养"),
        (2, "（三）", "推动中医药产业发展"),
        (2, "（四）", "推进中医药传承创新"),
        (1, "三、", "保障措施"),
    ]
    assert [(m.label, m.title) for m in web.measures][:2] == [("1.", "加强市中医院建设"), ("2.", "提升基层中医药服务能力")]
    assert [m.title for m in web.measures][-3:] == ["加强组织领导", "加大投入力度", "强化督导考核"]
    assert len(web.measures) == 11
    # no measure swallows the next heading or paragraph indent
    for m in web.measures:
        assert "\u3000\u3000" not in m.text.strip()
        assert not regex.search(r"。\s*(?:[一二三四]、|（[一二三四]）|\d\.)", m.text)


def test_web_metadata(web):
    doc = web.document
    assert doc.title == "英德市促进中医药传承创新发展实施方案"
    assert doc.doc_number == "英府办〔2023〕12号"
    assert doc.region == "英德市"
    assert "\r" not in doc.text


def test_web_tab_table_carries_merged_cells_right_of_the_serial(web):
    (table,) = web.tables
    assert (table.kind, table.caption) == ("task", "英德市中医药传承创新发展重点项目表")
    assert table.header == ["序号", "类别", "项目名称", "建设内容", "责任单位", "完成时限"]
    assert [r[:3] for r in table.rows] == [
        ["1", "服务体系", "市中医院门诊综合楼"],
        ["2", "服务体系", "镇卫生院中医馆"],
        ["3", "人才培养", "中医骨干进修项目"],
        ["4", "产业发展", "南药种植示范基地"],
        ["5", "产业发展", "中医药健康旅游线路"],
    ]
    assert table.rows[1][4:] == ["各镇人民政府", "2024年12月"]


# ------------------------------------------------------------ PDF copy: hard wraps, page numbers, 专栏


@pytest.fixture(scope="module")
def pdf_plan():
    return _run("structure_pdf_plan.txt")


def test_pdf_outline_with_a_wrapped_chapter_title(pdf_plan):
    text = pdf_plan.document.text
    assert "— 1 —" not in text and "- 2 -" not in text and "\n " not in text
    outline = _outline(pdf_plan)
    assert outline[:4] == [
        (1, "第一部分", "发展基础与面临形势"),
        (2, "一、", "发展基础"),
        (2, "二、", "面临形势"),
        (1, "第二部分", "指导思想、基本原则与“十四五”时期主要发展指标"),
    ]
    assert [o for o in outline if o[0] == 1][2:] == [(1, "第三部分", "主要任务"), (1, "第四部分", "保障措施")]
    assert [m.title for m in pdf_plan.measures][:2] == ["改革完善疾病预防控制体系", "健全应急医疗救治体系"]
    # each measure is one paragraph: the hard wraps are joined
    assert "\n" not in pdf_plan.measures[0].text


def test_pdf_indicator_table_with_a_two_line_header(pdf_plan):
    table = next(t for t in pdf_plan.tables if t.kind == "indicator")
    assert table.caption == "表1 英德县“十四五”时期卫生健康事业发展主要指标"
    assert table.header == ["序号", "指标名称", "单位", "2020年基期值", "2025年目标值", "指标属性"]
    assert table.n_rows == 7
    # a row with a long cell is not glued to the next row
    assert table.rows[3] == ["4", "每千人口执业（助理）医师数", "人", "2.1", "2.6", "预期性"]
    assert table.rows[6] == ["7", "县域内住院率", "%", "82", "90", "约束性"]


def test_pdf_boxes_with_bullets_and_numbers(pdf_plan):
    boxes = [t for t in pdf_plan.tables if t.kind == "box"]
    assert [b.caption for b in boxes] == ["专栏1 公共卫生能力提升重点项目", "专栏2 基层医疗卫生服务能力提升工程"]
    assert [r[0][:7] for r in boxes[0].rows] == ["◆疾病预防控制", "◆发热门诊（诊", "◆院前急救网络"]
    # an entry broken across a page number is one cell
    assert boxes[0].rows[0][0].endswith("实验室改造，配齐检验检测设备。")
    assert boxes[1].n_rows == 3


def test_pdf_metadata(pdf_plan):
    doc = pdf_plan.document
    assert doc.title == "英德县“十四五”卫生健康事业发展规划"
    assert (doc.region, doc.plan_start_year, doc.plan_end_year) == ("英德县", 2021, 2025)
