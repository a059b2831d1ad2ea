"""End to end on a plan in a style the corpus does not have: a 三年行动计划 with labelled
responsibility lists, 责任单位 lists mixing city bodies and county governments, and a Word task table
(牵头单位 / 完成时限). Written for the genre, not taken from the corpus."""

import datetime as dt

import pytest

from conftest import assert_grounded, assignments, run_test_plan


@pytest.fixture(scope="module")
def result():
    return run_test_plan("action_plan.txt")


def test_metadata_with_a_bracketed_period_in_the_title(result):
    doc = result.document
    assert doc.title == "茂名市推进县域医共体建设三年行动计划（2023—2025年）"
    assert (doc.region, doc.plan_start_year, doc.plan_end_year) == ("茂名市", 2023, 2025)


def test_outline_and_measures(result):
    assert [(s.level, s.label, s.title) for s in result.sections] == [
        (1, "一、", "工作目标"),
        (1, "二、", "重点任务"),
        (2, "（一）", "完善医共体管理体制"),
        (2, "（二）", "提升基层服务能力"),
        (1, "三、", "保障措施"),
    ]
    assert [m.title for m in result.measures] == [
        "健全医共体管理委员会",
        "落实医共体经营管理自主权",
        "加强乡镇卫生院建设",
        "推进家庭医生签约服务",
        "加强组织领导",
    ]


def test_responsibility_forms(result):
    found = assignments(result)
    assert [("市卫生健康局", "lead"), ("市委编办", "support"), ("市财政局", "support"), ("市人力资源社会保障局", "support")] in found
    assert [("市卫生健康局", "lead"), ("市人力资源社会保障局", "support")] in found
    # 责任单位 with a comma before the county governments; no lead is stated.
    assert [("市卫生健康局", "responsible"), ("市发展改革局", "responsible"), ("各县（市、区）人民政府", "responsible")] in found
    assert [("市卫生健康局", "responsible"), ("市医疗保障局", "responsible")] in found
    measure_of = {m.measure_id: m.title for m in result.measures}
    labelled = next(r for r in result.responsibilities if r.agency == "市委编办")
    assert measure_of[labelled.measure_id] == "健全医共体管理委员会"


def test_task_table_rows_give_leads_and_deadlines(result):
    (table,) = result.tables
    assert (table.kind, table.caption, table.header) == ("task", "重点任务分工表", ["序号", "任务内容", "牵头单位", "完成时限"])
    dates = {d.text: d.date for d in result.deadlines}
    assert dates["2023年12月底前"] == dt.date(2023, 12, 31)
    assert dates["2024年6月底前"] == dt.date(2024, 6, 30)
    leads_in_table = {r.agency for r in result.responsibilities if table.char_start <= r.char_start < table.char_end}
    assert leads_in_table == {"市卫生健康局", "市医疗保障局"}


def test_targets_and_their_years(result):
    got = {(t.indicator, t.comparator, t.target_value, t.unit, t.target_year) for t in result.targets}
    assert ("县域内住院率", ">=", 90.0, "%", 2025) in got
    assert ("基层医疗卫生机构诊疗量占比", ">=", 65.0, "%", 2025) in got
    assert ("乡镇卫生院达到国家服务能力基本标准的比例", ">=", 80.0, "%", 2024) in got


def test_every_record_is_grounded(result):
    assert_grounded(result)
