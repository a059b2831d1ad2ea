"""Extraction on plans in styles the development corpus lacks (written for the genre, not taken
from the corpus): a provincial 实施方案 (provincial/county bodies, role brackets, 会同, a 分工 table
with 牵头单位/配合单位), a 重点工作任务 notice dated by its issue line (relative and sub-year
deadlines) and a county 十四五 plan (comparators, ranges, Chinese numerals, past facts, a 专栏)."""

import datetime as dt

import pytest

from conftest import assignments, run_test_plan as _run


@pytest.fixture(scope="module")
def province():
    return _run("extract_province_plan.txt")


@pytest.fixture(scope="module")
def tasks():
    return _run("extract_deadline_tasks.txt")


@pytest.fixture(scope="module")
def county():
    return _run("extract_target_plan.txt")


def _assignments(result):
    return assignments(result, "canonical_name")


# ---------------------------------------------------------------- provincial bodies and assignments


def test_provincial_and_county_agencies(province):
    names = {a.name: (a.canonical_name, a.level) for a in province.agencies}
    assert names["区医保局"] == ("区医疗保障局", "county")
    assert names["县卫生健康局"] == ("县卫生健康局", "county")
    assert names["省人力资源社会保障厅"] == ("省人力资源社会保障厅", "provincial")
    assert names["各地级以上市人民政府"][1] == "city"
    assert "省深化医药卫生体制改革领导小组办公室" in names
    # A class spanning several levels and a generic party are not named bodies.
    assert not any("县级以上" in n or "省直" in n for n in names)


def test_responsibility_forms(province):
    got = _assignments(province)
    assert [("省卫生健康委", "lead"), ("省财政厅", "support"), ("省医疗保障局", "support")] in got
    # A role in brackets after a labelled list item.
    assert [("省教育厅", "lead"), ("省人力资源社会保障厅", "support")] in got
    assert [("省中医药局", "lead"), ("省教育厅", "support"), ("省科技厅", "support")] in got
    # 由X会同Y负责; 由X牵头，会同Y、Z…; an agency right after the verb 会同.
    assert [("省市场监管局", "lead"), ("省药品监督管理局", "support")] in got
    assert [("省卫生健康委", "lead"), ("省医疗保障局", "support"), ("省财政厅", "support")] in got
    assert [("区医疗保障局", "lead"), ("县卫生健康局", "support")] in got
    assert [("省深化医药卫生体制改革领导小组办公室", "responsible")] in got
    assert [("省人力资源社会保障厅", "responsible"), ("省财政厅", "responsible"), ("省卫生健康委", "responsible")] in got
    assert all("县级以上" not in r.agency and "省直" not in r.agency for r in province.responsibilities)


def test_division_table_lead_and_support_columns(province):
    (table,) = province.tables
    assert table.header == ["序号", "工作任务", "牵头单位", "配合单位"]
    in_table = [
        a for a in _assignments(province)
        if any(table.char_start <= r.char_start < table.char_end and (r.canonical_name, r.role) == a[0]
               for r in province.responsibilities)
    ]
    assert [("省卫生健康委", "lead"), ("省医疗保障局", "support"), ("省财政厅", "support")] in in_table
    assert [("省医疗保障局", "lead"), ("省卫生健康委", "support"), ("省市场监管局", "support")] in in_table
    assert [("省中医药局", "lead"), ("省发展改革委", "support"), ("省卫生健康委", "support")] in in_table


def test_every_record_is_grounded(province, tasks, county):
    for result in (province, tasks, county):
        text = result.document.text
        for rec in result.targets + result.deadlines + result.responsibilities:
            assert text[rec.char_start : rec.char_end] == rec.quote
        for rec in result.agencies:
            assert text[rec.char_start : rec.char_end] == rec.name


# ---------------------------------------------------------------- deadlines of a dated notice


def test_deadlines_of_a_dated_task_notice(tasks):
    got = [(d.text, d.date, d.granularity) for d in tasks.deadlines]
    for expected in [
        ("2024年第三季度前", dt.date(2024, 9, 30), "quarter"),
        ("2025年上半年", dt.date(2025, 6, 30), "half"),
        ("2023—2025年", dt.date(2025, 12, 31), "year"),
        ("2024年9月30日前", dt.date(2024, 9, 30), "day"),
        ("二〇二五年底前", dt.date(2025, 12, 31), "year"),
        ("2024年内", dt.date(2024, 12, 31), "year"),
        # Relative to the issue date (2024年3月15日).
        ("年内", dt.date(2024, 12, 31), "year"),
        ("本年度内", dt.date(2024, 12, 31), "year"),
        ("今年底前", dt.date(2024, 12, 31), "year"),
        ("年底前", dt.date(2024, 12, 31), "year"),
        ("下半年", dt.date(2024, 12, 31), "half"),
        ("上半年", dt.date(2024, 6, 30), "half"),
        ("第三季度", dt.date(2024, 9, 30), "quarter"),
        ("第四季度", dt.date(2024, 12, 31), "quarter"),
    ]:
        assert expected in got
    # "年内" is found once: not inside 三年内 / 近年内.
    assert [d.text for d in tasks.deadlines].count("年内") == 1


def test_not_deadlines(tasks):
    texts = {d.text for d in tasks.deadlines}
    # The issue date (2024年3月15日), a citation's years, a start date (2024年起), a past fact (2023年，…).
    assert all(d.date is not None and d.date.year >= 2024 for d in tasks.deadlines)
    assert not any("2024年起" in d.quote or "2023年，" in d.quote for d in tasks.deadlines)
    # Recurring and open-ended phrases name no date.
    assert not texts & {"每季度", "长期坚持", "近年内"}
    assert not any(d.quote.startswith(("每季度", "基层减负", "近年内")) for d in tasks.deadlines)


def test_relative_deadline_counted_from_the_plan_period(tasks):
    # "各地要在三年内完成…" bounds the task: three years of the plan, whose period starts in 2024
    # (a span of the plan's time counts from its period before its issue date).
    (d,) = [d for d in tasks.deadlines if d.text == "三年内"]
    assert (d.date, d.granularity, d.anchor) == (dt.date(2026, 12, 31), "year", "plan_start")
    assert d.quote.startswith("各地要在三年内")


# ---------------------------------------------------------------- targets of a county plan


def _targets(result):
    return {(t.indicator, t.comparator, t.target_value, t.unit, t.target_year) for t in result.targets}


def test_goal_targets_with_comparators_and_ranges(county):
    got = _targets(county)
    for expected in [
        ("高血压患者规范管理率", "=", 85.0, "%", 2025),
        ("城乡居民健康素养水平", "increase_by", 5.0, "个百分点", 2025),  # 较2020年: the base, not the year
        ("每千人口医疗卫生机构床位数", "=", 6.5, "张", 2025),
        ("家庭医生签约服务重点人群覆盖率", "=", 100.0, "%", 2025),
        ("适龄儿童免疫规划疫苗接种率", "~", 95.0, "%", 2025),
        ("县域内就诊率", ">=", 90.0, "%", 2025),
        ("县域内就诊率", "<=", 95.0, "%", 2025),
        ("农村卫生厕所普及率", "<=", 95.0, "%", 2025),
        ("个人卫生支出占卫生总费用的比例", "<=", 30.0, "%", 2025),
        ("5岁以下儿童死亡率", "<=", 12.0, "‰", 2025),
        ("政府卫生健康投入", "increase_by", 10.0, "%", 2025),
        ("城市生活垃圾无害化处理率", "=", 100.0, "%", 2025),
        ("居民电子健康档案建档率", ">=", 90.0, "%", None),
        ("县城急救平均反应时间", "<=", 12.0, "分钟", None),
        ("农村地区急救平均反应时间", "<=", 30.0, "分钟", None),
    ]:
        assert expected in got, expected


def test_counts_with_chinese_numerals_and_boxes(county):
    got = {(t.indicator, t.comparator, t.target_value, t.unit) for t in county.targets}
    for expected in [
        ("县级临床重点专科", ">=", 3.0, "家"),
        ("县域医疗次中心", "=", 2.0, "个"),
        ("乡镇中心卫生院", "=", 3.0, "所"),
        ("标准化村卫生室", "=", 100.0, "个"),
        ("每个行政村合格乡村医生", ">=", 1.0, "名"),
        ("县级名中医", "=", 4.0, "名"),
        ("基层医疗卫生机构门诊患者平均候诊时间", "decrease_by", 30.0, "%"),
        # 专栏 entries.
        ("床位", "=", 200.0, "张"),
        ("全科医生", "=", 50.0, "名"),
        ("负压救护车", "=", 4.0, "辆"),
        ("急救呼叫满足率", "=", 100.0, "%"),
    ]:
        assert expected in got, expected
    boxes = [t for t in county.tables if t.kind == "box"]
    in_boxes = [t for t in county.targets if any(b.char_start <= t.char_start < b.char_end for b in boxes)]
    assert len(in_boxes) >= 8


def test_past_facts_are_not_targets(county):
    quotes = " ".join(t.quote for t in county.targets)
    for past in ("77.5", "15.2", "2.6人", "92%", "286", "65名", "5.1张", "8所"):
        assert past not in quotes
    assert not any(d.text == "2022年" for d in county.deadlines)  # 2022年已达到…
