"""Property tests: plan-like texts and random bytes never crash the pipeline, and every record stays
grounded at its offsets with a consistent section tree."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_grounded
from planparse.extract.common import QUOTE_MAX_CHARS
from planparse.ingest import IngestError
from planparse.pathological import pathological_text
from planparse.pipeline import DocumentResult, process_bytes
from planparse.rules_loader import load_rules

# CI keeps it under ~30 s; PLANPARSE_FUZZ_EXAMPLES=2000 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("PLANPARSE_FUZZ_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CN_NUM = "一二三四五六七八九十"
TOPICS = ["医疗卫生", "职业教育", "药品采购", "城乡建设", "生态环境", "数字经济", "乡村振兴", "公共服务"]
AGENCIES = ["市卫生健康委", "省财政厅", "县教育局", "市发展改革委", "国家医保局", "各区人民政府", "市场监管局"]
VERBS = ["加强", "推进", "完善", "健全", "深化", "提升"]


def _cn(n: int) -> str:
    return CN_NUM[n - 1] if n <= 10 else "十" + CN_NUM[n - 11]


LABELS = {
    "chapter": lambda n: f"第{_cn(n)}章 ",
    "cn": lambda n: f"{_cn(n)}、",
    "paren_cn": lambda n: f"（{_cn(n)}）",
    "arabic": lambda n: f"{n}.",
    "paren_arabic": lambda n: f"（{n}）",
}


@st.composite
def sentences(draw) -> str:
    verb, topic = draw(st.sampled_from(VERBS)), draw(st.sampled_from(TOPICS))
    kind = draw(st.integers(0, 4))
    year = draw(st.integers(2018, 2035))
    value = draw(st.decimals(0, 1000, places=draw(st.integers(0, 2))))
    agencies = "、".join(draw(st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True)))
    return [
        f"{verb}{topic}体系建设，到{year}年覆盖率达到{value}%以上。",
        f"{year}年{draw(st.integers(1, 12))}月底前完成{topic}改革任务。（{agencies}负责）",
        f"由{agencies}牵头，{verb}{topic}工作。",
        f"{topic}指标较{year}年增长{value}个百分点，力争不低于{value}万人。",
        f"{verb}{topic}{draw(st.text(alphabet='的和与及等在中对为', max_size=8))}。",
    ][kind]


def _table(draw, style: str) -> list[str]:
    header = ["指标", "单位", "2020年", "2025年", "属性"]
    rows = [[f"{t}指标", "%", str(draw(st.integers(0, 99))), str(draw(st.integers(0, 99))), "预期性"] for t in draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=4))]
    if style == "tab":
        return ["主要指标"] + ["\t".join(r) for r in [header, *rows]]
    lines = ["主要指标"]  # Word-flattened: one tab-prefixed cell per line, blank line between rows
    for row in [header, *rows]:
        lines += ["\t" + cell for cell in row] + [""]
    return lines


def _box(draw) -> list[str]:
    return [f"专栏{draw(st.integers(1, 9))} {draw(st.sampled_from(TOPICS))}重点工程"] + [
        f"{i}.{draw(st.sampled_from(TOPICS))}工程。{draw(sentences())}" for i in range(1, draw(st.integers(1, 4)) + 1)
    ]


@st.composite
def plan_texts(draw) -> str:
    styles = draw(st.lists(st.sampled_from(list(LABELS)), min_size=1, max_size=4, unique=True))
    lines = [draw(st.sampled_from(["某市", "某省", ""])) + draw(st.sampled_from(TOPICS)) + "发展“十四五”规划"]
    counters = [0] * len(styles)
    for _ in range(draw(st.integers(0, 25))):
        what = draw(st.sampled_from(["heading", "heading", "body", "body", "table", "box", "noise"]))
        if what == "heading":
            depth = draw(st.integers(0, len(styles) - 1))
            counters[depth] += 1
            counters[depth + 1 :] = [0] * (len(styles) - depth - 1)
            body = draw(sentences()) if draw(st.booleans()) else ""
            lines.append(LABELS[styles[depth]](counters[depth]) + draw(st.sampled_from(VERBS)) + draw(st.sampled_from(TOPICS)) + body)
        elif what == "body":
            paragraph = "".join(draw(st.lists(sentences(), min_size=1, max_size=4)))
            width = draw(st.sampled_from([None, 20, 33]))  # PDF-style hard wrapping
            lines += [paragraph] if width is None else [paragraph[i : i + width] for i in range(0, len(paragraph), width)]
        elif what == "table":
            lines += _table(draw, draw(st.sampled_from(["tab", "word"])))
        elif what == "box":
            lines += _box(draw)
        else:
            lines.append(draw(st.sampled_from(["[bookmark: _Toc12345]", "- 12 -", "— 3 —", "", "　", "第 5 页"])))
    indent = draw(st.sampled_from(["", "　　", "  "]))
    return "\n".join(indent + line if line and not line.startswith("\t") else line for line in lines)


def check_nesting(result: DocumentResult) -> None:
    by_id = {s.section_id: s for s in result.sections}
    assert len(by_id) == len(result.sections)  # ids are unique
    for s in result.sections:
        if s.parent_id is None:
            assert s.level == 1, s
            continue
        parent = by_id[s.parent_id]
        assert parent.level == s.level - 1
        assert parent.char_start <= s.char_start and s.char_end <= parent.char_end


@FUZZ
@given(plan_texts())
def test_plan_like_texts(text):
    result = process_bytes(text.encode("utf-8"), "fuzz.txt")
    assert_grounded(result)
    check_nesting(result)


@FUZZ
@given(plan_texts(), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_plan_like_texts_in_any_encoding_give_the_same_text(text, encoding):
    utf8 = process_bytes(text.encode("utf-8"), "a.txt")
    other = process_bytes(text.encode(encoding), "b.txt")
    assert other.document.text == utf8.document.text


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_only_raise_ingest_error(data):
    try:
        result = process_bytes(data, "random.txt")
    except IngestError as exc:
        assert exc.error_type and exc.message
        return
    assert_grounded(result)
    check_nesting(result)


@FUZZ
@given(st.lists(st.sampled_from(list("第章一二三四五六七八九十、（）()1234567890.．专栏\t\n 　年月底前负责牵头%：。；市局委") + ["[bookmark: x]", "- 7 -"]), max_size=300).map("".join))
def test_structure_soup(text):
    """Numbering characters thrown together: headings, tables and lists the segmenter cannot trust."""
    result = process_bytes(text.encode("utf-8"), "soup.txt")
    assert_grounded(result)
    check_nesting(result)


def _rule_triggers() -> list[str]:
    """The literal words the rules fire on, read from the rule files (so a new rule word is fuzzed
    too), plus the numbering labels and the pathological units."""
    dl, resp, tb, tg = (load_rules(n) for n in ("deadlines", "responsibilities", "tables", "targets"))
    words = [p + "2025年" for p in dl["prefixes"]] + ["2025年" + s for s in dl["suffixes"]]
    words += [w["word"] for w in resp["role_words"]] + [w["word"] + "：" for w in resp["labels"]]
    words += ["（" + AGENCIES[0] + w["word"] + "）" for w in resp["role_words"]]
    words += tb["header_keywords"] + ["专栏1", "\t"] + list(tg["symbols"]) + ["30" + u for u in tg["units"]]
    words += [w for ws in tg["suffix_words"].values() for w in ws]
    words += [label(n) for label in LABELS.values() for n in (1, 2, 12)]
    return words + [pathological_text(name, 1) for name in ("open_paren", "nested_cn_parens", "tab_newline_soup")]


TRIGGERS = _rule_triggers()


@st.composite
def trigger_repeats(draw) -> str:
    """One to three rule triggers, each repeated hundreds of times, with or without separators."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(st.sampled_from(TRIGGERS)) + draw(st.sampled_from(["", "\n", "，", "。", "、", " ", "\n\n"]))
        parts.append(unit * draw(st.integers(50, 6000 // len(unit) + 50)))
    return "".join(parts)


@FUZZ
@given(trigger_repeats())
def test_long_repeats_of_rule_triggers(text):
    """Long repeats are where matching blows up: grounded records, a valid tree, bounded quotes."""
    result = process_bytes(text.encode("utf-8"), "repeats.txt")
    assert_grounded(result)
    check_nesting(result)
    assert all(len(r.quote) <= QUOTE_MAX_CHARS for r in result.targets + result.deadlines + result.responsibilities)
