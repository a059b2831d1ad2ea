"""parse_value: every comparator and unit form a plan's indicator cell or target clause uses."""

import pytest

from planparse.extract.values import find_values, fold, parse_value


@pytest.mark.parametrize(
    "cell, value, comparator, unit",
    [
        ("＜8", 8, "<", None),
        ("<8", 8, "<", None),
        ("＞80", 80, ">", None),
        ("≤15", 15, "<=", None),
        ("≥60.0", 60, ">=", None),
        ("＜25.00", 25, "<", None),
        ("25左右", 25, "~", None),
        ("约30%", 30, "~", "%"),
        ("增长30%", 30, "increase_by", "%"),
        ("增长 30%", 30, "increase_by", "%"),
        ("比2015年降低5%", 5, "decrease_by", "%"),
        ("下降2个百分点", 2, "decrease_by", "个百分点"),
        ("力争每年降低0.5个百分点以上", 0.5, "decrease_by", "个百分点"),
        ("力争每年降\n低0.5 个百\n分点以上", 0.5, "decrease_by", "个百分点"),
        ("100.00", 100, "=", None),
        ("12.07%", 12.07, "=", "%"),
        ("１００％", 100, "=", "%"),
        ("95%以上", 95, ">=", "%"),
        ("不低于35%", 35, ">=", "%"),
        ("至少1家", 1, ">=", "家"),
        ("3‰以下", 3, "<=", "‰"),
        ("不超过20%", 20, "<=", "%"),
        ("控制在9%以内", 9, "<=", "%"),
        ("超过85%", 85, ">", "%"),
        ("达到5.76张", 5.76, "=", "张"),
        ("提高到63%", 63, "=", "%"),
        ("降低到20%以下", 20, "<=", "%"),
        ("提高到 90%左右", 90, "~", "%"),
        ("提高至接近45%", 45, "~", "%"),
        ("8/10万以下", 8, "<=", "/10万"),
        ("1/10 万", 1, "=", "/10万"),
        ("一半以上", 50, ">=", "%"),
        ("达五级", 5, "=", "级"),
        ("建成一家", 1, "=", "家"),
        ("至少要调整一次", 1, ">=", "次"),
        # Units of measure by shape, thresholds, decimals of older texts (12· 3, 六点八, 三○一·六).
        ("10万立方米/小时", 10, "=", "万立方米/小时"),
        ("1.6Tbps", 1.6, "=", "Tbps"),
        ("突破1000亿元", 1000, ">", "亿元"),
        ("不得少于2次", 2, ">=", "次"),
        ("大于等于3%", 3, ">=", "%"),
        ("12· 3亿吨", 12.3, "=", "亿吨"),
        ("六点八万公里", 6.8, "=", "万公里"),
        ("三○一·六亿元", 301.6, "=", "亿元"),
    ],
)
def test_number_comparator_and_unit(cell, value, comparator, unit):
    parsed = parse_value(cell)
    assert parsed.value == pytest.approx(value)
    assert parsed.comparator == comparator
    assert parsed.unit == unit
    assert parsed.warnings == []


@pytest.mark.parametrize("cell", ["持续提升", "稳步提高", "逐步提高"])
def test_direction_without_number_is_qualitative(cell):
    assert parse_value(cell).value is None
    assert parse_value(cell).comparator == "qualitative"


def test_keep_without_number_is_maintain():
    parsed = parse_value("保持稳定")
    assert (parsed.value, parsed.comparator) == (None, "maintain")


@pytest.mark.parametrize("cell", ["—", "-", "", "  ", None, "——"])
def test_empty_cells_have_no_value(cell):
    parsed = parse_value(cell)
    assert (parsed.value, parsed.comparator, parsed.unit) == (None, None, None)


@pytest.mark.parametrize("cell, first, n", [("97/88.89/83.33", 97, 3), ("＞90/85/80", 90, 3), ("52.57/53.16", 52.57, 2)])
def test_several_values_keep_the_first_with_a_warning(cell, first, n):
    parsed = parse_value(cell)
    assert parsed.value == pytest.approx(first)
    assert len(parsed.warnings) == 1 and str(n) in parsed.warnings[0]


def test_text_without_number_or_direction_warns():
    parsed = parse_value("定性评价")
    assert parsed.value is None and parsed.comparator is None and parsed.warnings


def test_years_are_not_values_but_counts_of_years_are():
    spans = find_values(fold("到2025年，建设10个中心，5年内完成"))
    assert [(s.value, s.unit) for s in spans] == [(10, "个"), (5, "年")]


def test_chinese_numerals_only_inside_a_counted_span():
    # 十四五 and 一体化 carry no unit: not numbers; 两家 is.
    spans = find_values(fold("“十四五”时期推进一体化，建成两家医院"))
    assert [(s.value, s.unit) for s in spans] == [(2, "家")]


def test_fold_keeps_offsets():
    s = "达到１００％以上"
    assert len(fold(s)) == len(s)
    span = find_values(fold(s))[0]
    assert s[span.start : span.unit_end] == "１００％"
