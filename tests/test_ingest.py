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


# ---- decoding: lose nothing, accept no garbage (issue 13 §3) ----

PLAN = "第一章 规划背景\n到2025年，全市居民健康素养水平达到30%。\n二、主要任务\n（一）完善医疗卫生服务体系，由市卫生健康局牵头。\n" * 20
JAPANESE = "第一章 計画の背景\n２０２５年までに、すべての市民が健康的な生活を送れるよう、医療体制を整備する。\n" * 20


def _corrupt(data: bytes, offsets) -> bytes:
    out = bytearray(data)
    for i in offsets:
        out[i] = 0xFF
    return bytes(out)


def test_utf8_with_a_few_bad_bytes_is_decoded_with_a_warning_naming_them():
    data = _corrupt(PLAN.encode("utf-8"), [40, 1000, 2001, 3003])
    warnings: list[str] = []
    text, encoding = decode_bytes(data, warnings=warnings)
    assert encoding == "utf-8"
    # Each corrupted byte also orphans the rest of its character: those bytes are replaced too.
    assert 4 <= text.count("\ufffd") <= 12
    assert text.replace("\ufffd", "") != text and len(text) > 0.95 * len(PLAN)
    (note,) = warnings
    n_bad = text.count("\ufffd")
    assert f"{n_bad} invalid UTF-8 byte(s)" in note
    # Each corrupted byte's run of bad bytes is named by its byte offsets in the file.
    assert "at byte offset(s) 39-41, 998-1000, 2000-2002, 3001-3003" in note


def test_gbk_text_is_not_taken_for_utf8_with_bad_bytes():
    warnings: list[str] = []
    text, encoding = decode_bytes(PLAN.encode("gbk"), warnings=warnings)
    assert (text, encoding, warnings) == (PLAN, "gb18030", [])


@pytest.mark.parametrize(
    "data, error_type, words",
    [
        (b"\x00" * 100_000, "binary", "NUL"),
        (b"PK\x05\x06" + b"\x00" * 18, "binary", "empty ZIP"),
        (("第一章" * 10).encode("utf-8") + b"\x00" * 3000, "binary", "NUL"),
        (JAPANESE.encode("shift_jis"), "undecodable", "common Chinese characters"),
    ],
    ids=["nul_blob", "empty_zip", "mostly_nul", "shift_jis"],
)
def test_garbage_is_refused_with_a_reason(data, error_type, words):
    with pytest.raises(IngestError) as info:
        decode_bytes(data)
    assert info.value.error_type == error_type
    assert words in info.value.message


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", ["1. Improve primary care by 2025.\n2. Cut waiting times.\n" * 40, PLAN], ids=["ascii", "chinese"])
def test_utf16_without_bom_is_detected(text, encoding):
    decoded, detected = decode_bytes(text.encode(encoding))
    assert (decoded, detected) == (text, encoding)


def test_nuls_inside_valid_utf8_are_stripped_with_a_warning():
    data = b"\x00".join(PLAN[a:b].encode("utf-8") for a, b in ((0, 20), (20, 300), (300, 300), (300, None)))
    warnings: list[str] = []
    text, _ = decode_bytes(data, warnings=warnings)
    assert text == PLAN
    assert warnings == ["decode: 3 NUL character(s) removed"]


def test_text_with_few_common_chinese_characters_is_warned_about():
    warnings: list[str] = []
    text, _ = decode_bytes(JAPANESE.encode("utf-8"), warnings=warnings)  # certain encoding: kept, warned
    assert text == JAPANESE
    assert len(warnings) == 1 and "common Chinese characters" in warnings[0]
    warnings = []
    decode_bytes(b"An English note with no Chinese in it at all.\n" * 5, warnings=warnings)
    assert len(warnings) == 1 and "no Chinese characters" in warnings[0]


def test_decode_warnings_reach_the_document_and_through_the_cli(tmp_path):
    from planparse.pipeline import process_bytes
    from robust_helpers import read_outputs, run_cli, snapshot

    root = tmp_path / "in"
    root.mkdir()
    files = {
        "bad_bytes.txt": _corrupt(PLAN.encode("utf-8"), [40, 1000]),
        "nul_inside.txt": ("附件" + PLAN[:30]).encode("utf-8") + b"\x00" + PLAN[30:].encode("utf-8"),
        "utf16_no_bom.txt": ("附件2\n" + PLAN).encode("utf-16-le"),  # a different text: not a duplicate
        "utf16_ascii.txt": ("1. Improve primary care by 2025.\n2. Cut waiting times.\n" * 40).encode("utf-16-le"),
        "nul_blob.txt": b"\x00" * 100_000,
        "empty_zip.txt": b"PK\x05\x06" + b"\x00" * 18,
        "shift_jis.txt": JAPANESE.encode("shift_jis"),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    assert process_bytes(files["bad_bytes.txt"], "x.txt").document.warnings[0].startswith("decode: ")
    out = tmp_path / "out"
    before = snapshot(root)
    result = run_cli("extract", root, "--out", out, "--workers", "1")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(root) == before
    for name in ("nul_blob.txt", "empty_zip.txt", "shift_jis.txt"):  # one line each, naming the file
        assert sum(name in line for line in result.stderr.splitlines() if line.startswith("error: ")) == 1
    tables = read_outputs(out)
    errors = {r["source_path"].rsplit("/", 1)[1]: r["error_type"] for r in tables["errors"].to_pylist()}
    assert errors == {"nul_blob.txt": "binary", "empty_zip.txt": "binary", "shift_jis.txt": "undecodable"}
    docs = {d["source_path"].rsplit("/", 1)[1]: d for d in tables["documents"].to_pylist()}
    assert set(docs) == {"bad_bytes.txt", "nul_inside.txt", "utf16_no_bom.txt", "utf16_ascii.txt"}
    assert docs["utf16_ascii.txt"]["encoding"] == "utf-16-le" and "\x00" not in docs["utf16_ascii.txt"]["text"]
    assert docs["utf16_ascii.txt"]["text"].startswith("1. Improve primary care by 2025.")
    assert any("invalid UTF-8" in w for w in docs["bad_bytes.txt"]["warnings"])
    assert any("NUL" in w for w in docs["nul_inside.txt"]["warnings"])
    assert docs["utf16_no_bom.txt"]["encoding"] == "utf-16-le" and "\x00" not in docs["utf16_no_bom.txt"]["text"]
    assert tables["sections"].num_rows > 0


def test_common_han_share_counts_letters_as_defined():
    # The share is counted by cutting out runs of common characters: it must equal the plain
    # count over the non-ASCII letters (kana, Greek, rare 鑫 count as letters; digits, ASCII and
    # punctuation do not).
    import unicodedata

    from planparse.ingest import _common_han, _common_han_share

    text = "规划目标：到2025年，ｶﾅかな鑫α βγ，１２３。Ａ计划“十四五”" * 50 + "\u3000甲乙"
    letters = [c for c in text[:20000] if ord(c) > 127 and unicodedata.category(c).startswith("L")]
    assert _common_han_share(text) == sum(c in _common_han() for c in letters) / len(letters)
    assert _common_han_share("ａｂｃ，12345 abc") is None


def _wild_lines() -> list[str]:
    from pathlib import Path

    from planparse.ingest import _INDENT

    wild = Path(__file__).resolve().parent.parent / "corpus" / "wild"
    lines = []
    for path in sorted(wild.glob("*.txt")):
        text = decode_bytes(path.read_bytes())[0].replace("\r", "")
        lines += [line.rstrip(_INDENT + "\t").lstrip(_INDENT) for line in text.split("\n")]
    return lines


def test_drop_lines_tried_at_once_drop_what_each_pattern_drops():
    # clean_text fullmatches one alternation, skipped by the line's first character, and searches
    # the .*(X).* patterns for X: the same lines as trying every pattern in full.
    import regex

    from planparse.ingest import _drop_line
    from planparse.rules_loader import load_rules

    rules = load_rules("noise")
    patterns = [regex.compile(p) for p in rules["drop_lines"]]
    noise = ["- 33 -", "第 3 页 共 10 页", "本链接即将离开本站", "打印本页", "分享到：微信",
             "Copyright 版权所有 某某市人民政府", "发文机关：某某市人民政府", "文 号：某府〔2021〕1号"]
    lines = [line for line in _wild_lines() + noise + ["", "—5—", "共3页"] if len(line) <= rules["max_dropped_line_chars"]]
    drops = _drop_line()
    assert [line for line in lines if drops(line)] == [line for line in lines if any(p.fullmatch(line) for p in patterns)]
    assert all(map(drops, noise))


def test_opening_test_skips_only_lines_that_cannot_match():
    import regex

    from planparse.ingest import _heading_start
    from planparse.rules_loader import opening_test

    pattern, opens = _heading_start()
    lines = [line for line in _wild_lines() if line]
    assert all(opens(line[0]) for line in lines if pattern.match(line))
    assert opens("（") and opens("第") and opens("3") and not opens("加") and not opens("。")
    assert sum(not opens(line[0]) for line in lines) > len(lines) / 3  # most lines are skipped
    assert not opening_test(regex.compile(r"ab|c"))("b") and opening_test(regex.compile(r"\s*ab"))("\u3000")
    # a pattern that looks before its start is never skipped: the character alone cannot tell
    assert opening_test(regex.compile(r"(?<=。)b"))("z") and opening_test(regex.compile(r"\bb"))("z")
