"""Ingest: encodings, noise removal and paragraph rebuilding."""

import pytest

from planparse.ingest import IngestError, clean_text, decode_bytes

SAMPLE = "第一章 规划背景\n到2025年，全市居民健康素养水平达到30%。\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (SAMPLE.encode("gb18030"), "gb18030"),
    ],
)
def test_decode_common_encodings_without_bom_residue(data, encoding):
    text, detected = decode_bytes(data)
    assert text == SAMPLE
    assert detected == encoding
    assert "\ufeff" not in text


@pytest.mark.parametrize(
    "data, error_type",
    [
        (b"%PDF-1.7\n...", "binary"),
        (b"PK\x03\x04\x14\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_binary_input_is_refused_with_a_reason(data, error_type):
    with pytest.raises(IngestError) as info:
        decode_bytes(data)
    assert info.value.error_type == error_type
    assert info.value.message


def test_bookmarks_toc_anchors_and_page_numbers_are_removed():
    raw = "第1章 [bookmark: _Toc96443616]规划背景\n- 33 -\n正文[bookmark: _Toc1][bookmark: _Toc2]继续。\n— 5 —\n"
    assert clean_text(raw) == "第1章 规划背景\n正文继续。\n"


def test_web_boilerplate_line_is_dropped_but_body_kept():
    raw = "一、总体要求\n正文。\n您访问的链接即将离开“海丰县人民政府”门户网站,是否继续?\n"
    assert clean_text(raw) == "一、总体要求\n正文。\n"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_and_indentation_are_normalised(newline):
    raw = newline.join(["\u3000\u3000一、总体要求", "\u00a0\u00a0正文一。", "  正文二。"]) + newline
    assert clean_text(raw) == "一、总体要求\n正文一。\n正文二。\n"


def test_full_width_characters_are_kept_as_written():
    raw = "（一）主要目标。到２０２５年，床位数达到５．７６张。\n"
    assert clean_text(raw) == raw


def test_pdf_hard_wrapped_paragraphs_are_rebuilt():
    width = 28
    paragraph = "十三五时期我市坚决贯彻落实省委省政府决策部署坚持从本市实际情况出发有序推进健康清远建设卫生健康各项事业取得决定性成果。"
    pieces = [paragraph[i : i + width] for i in range(0, len(paragraph), width)]
    filler = ["这是一行用于确定版面宽度的正文文字内容共二十八个字符的长度呀"[:width]] * 25
    lines = ["第一章 规划背景", *pieces, " 第一节 发展基础", *filler]
    raw = "\n\n".join(lines) + "\n"
    text = clean_text(raw)
    assert "第一章 规划背景\n" + paragraph + "\n第一节 发展基础\n" in text


def test_pdf_table_rows_are_not_joined():
    filler = ["这是一行用于确定版面宽度的正文文字内容共二十八个字符的长度呀"[:28]] * 25
    rows = ["领域 序号 主要指标名称 单位 2020 年 2025 年 指标性质", "1 人均预期寿命 岁 77.8 78.5 预期性"]
    text = clean_text("\n\n".join(filler + rows) + "\n")
    assert text.endswith(rows[0] + "\n" + rows[1] + "\n")


def test_paragraph_broken_at_a_page_break_is_rejoined():
    first = "2. 规范完善医院管理制度。公立医院要加快制定章程，健全现代医院管理制度（市卫生健康局、市医疗保障"
    raw = first + "\n\n局负责)\n\n(二) 加强医疗卫生服务能力建设。\n"
    assert clean_text(raw) == first + "局负责)\n\n(二) 加强医疗卫生服务能力建设。\n"


def test_short_title_lines_are_not_joined_to_the_body():
    raw = "湛江市深化公立医院综合改革实施方案\n\n为进一步深化公立医院综合改革，制定本实施方案。\n"
    assert clean_text(raw).startswith("湛江市深化公立医院综合改革实施方案\n")


def test_word_table_cells_keep_their_tabs():
    raw = "主要指标\n\t序号\n\t主要指标\n\n\t1\n\t人均期望寿命\n"
    assert "\t序号\n\t主要指标\n" in clean_text(raw)
