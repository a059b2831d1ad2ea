"""Targets: indicator-table rows of every header style, running-text targets, grounding on the corpus."""

from __future__ import annotations

import pytest

from planparse.extract.targets import targets_from_tables, targets_from_text
from planparse.ingest import clean_text, decode_bytes
from planparse.models import Measure, Table
from planparse.segment import segment_document

from conftest import CORPUS


def _table(header, rows, text="", table_id="d-tab0"):
    """A Table plus row spans: each row's cells joined by tabs, one line per row, in ``text`` order."""
    lines = ["\t".join(header)] + ["\t".join(r) for r in rows]
    body = "\n".join(lines)
    start = len(text)
    text = text + body
    spans, pos = [], start + len(lines[0]) + 1
    for line in lines[1:]:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    table = Table(doc_id="d", table_id=table_id, kind="indicator", header=header, rows=rows, n_rows=len(rows),
                  char_start=start, char_end=len(text))
    return table, {table_id: spans}, text


def _by_name(targets):
    return {t.indicator: t for t in targets}


def test_plan_table_with_unit_baseline_and_target_columns():
    table, spans, text = _table(
        ["序号", "主要指标", "单位", "2020年基数", "2025年目标", "指标性质"],
        [["1", "人均期望寿命", "岁", "77.8", "78.5", "预期性"],
         ["2", "孕产妇死亡率", "1/10万", "10.70", "＜8", "预期性"],
         ["11", "每千人口拥有公共卫生人员数", "人", "0.72", "增长30%", "预期性"],
         ["16", "基本药物采购品种数占比", "%", "97/88.89/83.33", "＞90/85/80", "预期性"],
         ["17", "吸烟率", "%", "—", "＜20", "约束性"]],
    )
    got = _by_name(targets_from_tables([table], spans, text, "d"))
    life = got["人均期望寿命"]
    assert (life.unit, life.baseline_value, life.baseline_year, life.target_value, life.comparator, life.target_year,
            life.nature, life.domain) == ("岁", 77.8, 2020, 78.5, "=", 2025, "预期性", None)
    assert (got["孕产妇死亡率"].target_value, got["孕产妇死亡率"].comparator, got["孕产妇死亡率"].unit) == (8, "<", "1/10万")
    assert (got["每千人口拥有公共卫生人员数"].comparator, got["每千人口拥有公共卫生人员数"].target_value) == ("increase_by", 30)
    multi = got["基本药物采购品种数占比"]
    assert multi.baseline_value == 97 and multi.target_value == 90 and multi.comparator == ">"
    assert any("kept the first" in w for w in multi.warnings)
    smoke = got["吸烟率"]
    assert smoke.baseline_text is None and smoke.baseline_value is None and smoke.baseline_year == 2020
    for t in got.values():
        assert text[t.char_start : t.char_end] == t.quote and t.indicator in t.quote and t.source == "table"


def test_unit_in_name_parentheses_and_domain_carried_down_from_short_rows():
    table, spans, text = _table(
        ["领域", "指标名称", "2025年目标", "指标性质"],
        [["健康水平", "人均预期寿命（岁）", ">79", "预期性"],
         ["孕产妇死亡率（/10万）", "<8", "预期性"],
         ["健康生活", "千人口献血率（‰）", "持续提升", "预期性"],
         ["出生人口性别比", "107", "预期性"]],
    )
    got = targets_from_tables([table], spans, text, "d")
    assert [(t.domain, t.indicator, t.unit) for t in got] == [
        ("健康水平", "人均预期寿命", "岁"), ("健康水平", "孕产妇死亡率", "/10万"),
        ("健康生活", "千人口献血率", "‰"), ("健康生活", "出生人口性别比", None)]
    assert got[2].comparator == "qualitative" and got[2].target_value is None
    assert all(t.baseline_year is None and t.target_year == 2025 for t in got)


def test_review_table_of_a_past_plan_target_is_the_old_target():
    table, spans, text = _table(
        ["领域", "指标名称", "指标值", "2020年"],
        [["健康水平", "孕产妇死亡率（/10万）", "≤15", "3.73"],
         ["疾病防控", "过早死亡率（%）", "比2015年降低5%", "12.07%"]],
    )
    got = targets_from_tables([table], spans, text, "d")
    first = got[0]
    assert (first.target_text, first.target_value, first.comparator, first.target_year) == ("≤15", 15, "<=", 2020)
    assert first.baseline_text is None and first.baseline_year is None
    assert "actual: 3.73" in first.warnings
    assert (got[1].comparator, got[1].target_value) == ("decrease_by", 5)


def test_three_level_indicator_table_joins_domains_and_strips_labels():
    table, spans, text = _table(
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标说明"],
        [["一、医疗质量", "（一）功能定位", "1.门诊人次数与出院人次数比", "定量", "计算方法：…"],
         ["一、医疗质量", "（二）质量安全", "9. I类切口手术部位感染率▲", "定量", "计算方法：…"],
         ["四、满意度评价", "（十四） 医务人员 满意度", "55.医务人员满意度▲", "定性", "…"]],
    )
    got = targets_from_tables([table], spans, text, "d")
    # 定量/定性 say how an indicator is measured, not whether it binds: measure_kind, not nature.
    assert all(t.nature is None for t in got)
    assert [(t.domain, t.indicator, t.measure_kind) for t in got] == [
        ("医疗质量/功能定位", "门诊人次数与出院人次数比", "定量"),
        ("医疗质量/质量安全", "I类切口手术部位感染率", "定量"),
        ("满意度评价/医务人员满意度", "医务人员满意度", "定性")]
    assert all(t.target_text is None and t.unit is None for t in got)


def test_bare_year_columns_and_wrapped_cells():
    table, spans, text = _table(
        ["领域", "序号", "主要指标名称", "单位", "2020 年", "2025 年", "指标性质"],
        [["健康\n服务", "21", "全市儿童青少年总体近\n视率", "%", "45.9", "力争每年降\n低0.5 个百\n分点以上", "约束性"],
         ["健康\n水平", "4", "5 岁以下儿童死亡率", "‰", "3.57", "＜4", "预期性"]],
    )
    got = targets_from_tables([table], spans, text, "d")
    assert [(t.domain, t.indicator, t.baseline_year, t.target_year) for t in got] == [
        ("健康服务", "全市儿童青少年总体近视率", 2020, 2025), ("健康水平", "5岁以下儿童死亡率", 2020, 2025)]
    assert (got[0].target_text, got[0].comparator, got[0].target_value) == ("力争每年降低0.5个百分点以上", "decrease_by", 0.5)


def test_only_indicator_tables_give_targets_and_measures_link():
    box, spans, text = _table(["序号", "主要指标", "2025年目标"], [["1", "床位数", "5.76"]])
    box = box.model_copy(update={"kind": "box"})
    assert targets_from_tables([box], spans, text, "d") == []
    table = box.model_copy(update={"kind": "indicator"})
    measure = Measure(doc_id="d", measure_id="d-m0", label="1.", title="x", text=text, char_start=0, char_end=len(text))
    (target,) = targets_from_tables([table], spans, text, "d", [measure])
    assert target.measure_id == "d-m0"


# ---------------------------------------------------------------- running text

POSITIVES = [
    ("到2025年，每千常住人口医疗卫生机构床位数达到5.76张。", "每千常住人口医疗卫生机构床位数", 5.76, "张", "=", 2025),
    ("基本医保参保率保持在98%以上。", "基本医保参保率", 98, "%", ">=", None),
    ("全市重点人群家庭医生签约率保持在75%以上。", "重点人群家庭医生签约率", 75, "%", ">=", None),
    ("全市儿童青少年总体近视率力争每年降低0.5个百分点以上。", "儿童青少年总体近视率", 0.5, "个百分点", "decrease_by", None),
    ("区域医疗费用增长控制在 9%以下。", "区域医疗费用增长", 9, "%", "<=", None),
    ("住院患者基本医保政策范围内报销比例稳定在 75%左右。", "住院患者基本医保政策范围内报销比例", 75, "%", "~", None),
    ("创建9个省级中医重点专科。", "省级中医重点专科", 9, "个", "=", None),
    ("城乡社区老年人健康管理率2024年年底前提高到63%。", "城乡社区老年人健康管理率", 63, "%", "=", 2024),
    ("中医诊疗量占诊疗总量比例不低于35%。", "中医诊疗量占诊疗总量比例", 35, "%", ">=", None),
    ("2021 年-2022 年，全市建成 2家以上具有带动效益的示范性婴幼儿服务机构。", "示范性婴幼儿服务机构", 2, "家", ">=", 2022),
    ("重大慢性病过早死亡率<11.56%。", "重大慢性病过早死亡率", 11.56, "%", "<", None),
    # The indicator is the clause before the comma (folding turns "，" into ",").
    ("多维度实施防控工作，儿童青少年总体近视率，力争每年降低 0.5 个百分点以上。", "儿童青少年总体近视率", 0.5, "个百分点",
     "decrease_by", None),
    ("按不低于采购金额的30%提前预付给医疗机构。", "按采购金额的提前预付给医疗机构", 30, "%", ">=", None),
]


@pytest.mark.parametrize("text, indicator, value, unit, comparator, year", POSITIVES)
def test_text_target_positive(text, indicator, value, unit, comparator, year):
    targets = targets_from_text(text, "d")
    assert [(t.indicator, t.target_value, t.unit, t.comparator, t.target_year) for t in targets] == [
        (indicator, pytest.approx(value), unit, comparator, year)]
    (t,) = targets
    assert text[t.char_start : t.char_end] == t.quote and t.target_text in t.quote and t.source == "text"


def test_goal_section_gives_the_plan_end_year():
    text = "第二章 总体要求\n第三节 发展目标\n人均预期寿命达到79岁，婴儿死亡率保持在3‰以下。\n"
    sections = segment_document(text, "d").sections
    got = targets_from_text(text, "d", plan_start_year=2021, plan_end_year=2025, sections=sections)
    assert [(t.indicator, t.target_year) for t in got] == [("人均预期寿命", 2025), ("婴儿死亡率", 2025)]


NEGATIVES = [
    "2020年，人均预期寿命由2015年的77.2岁上升至77.8岁。",
    "截止2020年末，全市居民健康素养水平达到21.64%。",
    "“十三五”期间，全市新增省级重点专科3个、特色专科5个。",
    "根据《广东省卫生健康委关于印发工作要点的通知》（粤卫办〔2024〕12号）精神。",
    "（十一）实施登峰计划，推进“三项制度”改革。",
    "推动三级公立医院和二级以上医疗机构建立药事管理制度。",
    "提高3岁以下婴幼儿照护服务水平，实施35岁以上人群首诊测血压。",
    "建设一批高水平实训基地，打造一支专业队伍。",
    "有效破解城乡二元结构。",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_text_target_negative(text):
    assert targets_from_text(text, "d") == []


def test_past_section_and_years_before_the_plan_are_not_targets():
    past = "第一章 规划背景\n第一节 发展基础\n培训全科医生886人，每万常住人口全科医生数达4.68人。\n第二章 主要任务\n全科医生数达到5人。\n"
    sections = segment_document(past, "d").sections
    got = targets_from_text(past, "d", plan_start_year=2021, plan_end_year=2025, sections=sections)
    assert [(t.target_value, t.unit) for t in got] == [(5, "人")]
    assert targets_from_text("2019年，婴儿死亡率达到3‰。", "d", plan_start_year=2021) == []


def test_text_inside_indicator_tables_is_skipped():
    text = "床位数达到5.76张。\n"
    table = Table(doc_id="d", table_id="t", kind="indicator", header=["指标"], rows=[], n_rows=0,
                  char_start=0, char_end=len(text))
    assert targets_from_text(text, "d", tables=[table]) == []
    assert len(targets_from_text(text, "d", tables=[table.model_copy(update={"kind": "box"})])) == 1


# ---------------------------------------------------------------- corpus


@pytest.fixture(scope="module")
def corpus_targets():
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = clean_text(decode_bytes(path.read_bytes())[0])
        s = segment_document(text, path.stem)
        m = s.metadata
        targets = targets_from_tables(s.tables, s.row_spans, text, path.stem, s.measures) + targets_from_text(
            text, path.stem, s.measures, s.tables, m.get("plan_start_year"), m.get("plan_end_year"))
        out.append((path.name, text, targets))
    return out


def test_every_corpus_target_is_grounded(corpus_targets):
    n = 0
    for name, text, targets in corpus_targets:
        for t in targets:
            n += 1
            assert text[t.char_start : t.char_end] == t.quote, (name, t)
            if t.source == "text":
                assert t.target_text in t.quote, (name, t)
    assert n > 300


def test_corpus_table_targets_are_one_per_indicator_row(corpus_targets):
    for name, text, targets in corpus_targets:
        rows = [t for t in targets if t.source == "table"]
        assert len({(t.table_id, t.char_start) for t in rows}) == len(rows), name


# ---------------------------------------------------------------- rows flattened with no cell separators


def test_glued_indicator_rows_of_a_wild_plan_are_read_into_cells():
    """广西楼宇数字经济 (corpus/wild 098): header and rows run together, units in brackets, a bare
    year column; the rule was written on other plans (宁夏, 重庆)."""
    path = next((CORPUS / "wild").glob("098_*.txt"))
    text = clean_text(decode_bytes(path.read_bytes())[0])
    structure = segment_document(text, "d")
    rows = _by_name(targets_from_tables(structure.tables, structure.row_spans, text, "d"))
    t = rows["税收超千万元的楼宇数量"]
    assert (t.unit, t.baseline_text, t.target_text, t.baseline_year, t.target_year) == ("幢", "50", "100", 2023, 2025)
    assert any("run together" in w for w in t.warnings)  # 50100 is a reading, said so
    t = rows["培育数字产业特色明显的专业楼宇数量"]
    assert (t.baseline_text, t.target_text) == ("不低于50", "不低于100")
    for t in rows.values():
        assert text[t.char_start : t.char_end] == t.quote and t.indicator in t.quote


def test_glued_row_domain_is_read_before_a_serial_and_carried_down():
    header = ["类别", "指标", "单位", "2020年", "2025年"]
    table, spans, text = _table(header, [["总体规模1.全市快递业务量亿件0.53", "", "", "", ""],
                                         ["2.跨境电商交易额亿元-100", "", "", "", ""],
                                         ["网络设施3.5G基站数万个1.28", "", "", "", ""]])
    rows = _by_name(targets_from_tables([table], spans, text, "d"))
    assert (rows["全市快递业务量"].domain, rows["全市快递业务量"].baseline_text, rows["全市快递业务量"].target_text) == ("总体规模", "0.5", "3")
    assert rows["跨境电商交易额"].domain == "总体规模" and rows["跨境电商交易额"].baseline_text is None
    assert (rows["5G基站数"].domain, rows["5G基站数"].unit, rows["5G基站数"].target_text) == ("网络设施", "万个", "8")


def test_split_of_run_together_values_prefers_a_plausible_plan():
    from planparse.extract.targets import _split_run

    assert _split_run("10582400") == (["1058", "2400"], True)  # growth within bounds, closest magnitudes
    assert _split_run("0.333") == (["0.33", "3"], True)  # 0.3 -> 33 is beyond max_growth
    assert _split_run("05") == (["0", "5"], False)  # the only well-formed split
    assert _split_run("1～2")[0] == ["1～2"]  # not two numbers: left whole (the row is not read)


def test_a_respectively_list_gives_one_target_per_subject_grounded_in_one_quote():
    """"A、B、C分别…x、y、z" (a 2019 national health action plan's phrasing): each value its own
    subject, the shared noun given to the subjects that only modify it, and no record for the
    list's tail ("71.6%、81.0%" read as an indicator before)."""
    text = "到2022年，小学生、初中生、高中生视力不良检出率分别降至 32%、65%、78%以下。"
    targets = targets_from_text(text, "d")
    assert [(t.indicator, t.target_value, t.unit, t.comparator) for t in targets] == [
        ("小学生视力不良检出率", 32.0, "%", "<="),
        ("初中生视力不良检出率", 65.0, "%", "<="),
        ("高中生视力不良检出率", 78.0, "%", "<="),
    ]
    for t in targets:
        assert text[t.char_start : t.char_end] == t.quote
        assert t.target_text in t.quote and t.quote.startswith("小学生") and t.target_year == 2022


def test_a_respectively_list_whose_subjects_do_not_match_its_values_is_left_as_before():
    """Two subjects, three values: no pairing is guessed."""
    text = "到2025年，城市和农村家庭宽带接入平均速率分别达150Mbps、100Mbps、50Mbps。"
    assert {t.indicator for t in targets_from_text(text, "d")} != {"城市家庭宽带接入平均速率", "农村家庭宽带接入平均速率"}
