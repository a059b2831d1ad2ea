"""Segmenter: numbering styles, per-document levels, measures, metadata, grounding."""

import pytest

from planparse.ingest import clean_text
from planparse.segment import segment_document


def segment(raw: str):
    text = clean_text(raw)
    return text, segment_document(text, "doc")


def outline(structure):
    return [(s.level, s.label, s.title) for s in structure.sections]


def test_chapter_section_paren_then_numbered_measures():
    raw = """第一章  规划背景
背景正文。
第二章 主要任务
第一节 大力推进健康行动
（一）主要目标
到2025年，目标正文。
（二）主要措施
1.全面实施健康知识普及行动。实施健康素养提升工程。
2.维护全生命周期健康。加强妇幼健康服务。
第二节 推动公立医院高质量发展
1.建设高水平公立医院网络。正文。
"""
    text, st = segment(raw)
    assert outline(st) == [
        (1, "第一章", "规划背景"),
        (1, "第二章", "主要任务"),
        (2, "第一节", "大力推进健康行动"),
        (3, "（一）", "主要目标"),
        (3, "（二）", "主要措施"),
        (2, "第二节", "推动公立医院高质量发展"),
    ]
    assert [(m.label, m.title, m.number) for m in st.measures] == [
        ("1.", "全面实施健康知识普及行动", 1),
        ("2.", "维护全生命周期健康", 2),
        ("1.", "建设高水平公立医院网络", 1),
    ]
    by_title = {s.title: s for s in st.sections}
    assert st.measures[0].section_id == by_title["主要措施"].section_id
    assert st.measures[2].section_id == by_title["推动公立医院高质量发展"].section_id
    assert by_title["主要措施"].parent_id == by_title["大力推进健康行动"].section_id


def test_levels_come_from_the_document_not_a_fixed_table():
    # Here 一、 is the top level and （一） items are the measures (a 重点工作任务 document).
    raw = """一、加强组织领导,因地制宜推广三明医改经验
(一)加大医改统筹协调力度。推动各地政府落实全面深化医改主体责任。
(二)推进示范省建设。优化调整评价标准。
二、完善服务体系
(三)持续筑牢医疗卫生高地。推进国家医学中心建设。
"""
    _, st = segment(raw)
    assert outline(st) == [(1, "一、", "加强组织领导,因地制宜推广三明医改经验"), (1, "二、", "完善服务体系")]
    # Labels are kept as written (half-width brackets here); the evaluator normalises them.
    assert [(m.label, m.number) for m in st.measures] == [("(一)", 1), ("(二)", 2), ("(三)", 3)]


def test_paren_heading_with_numbered_children_and_arabic_chapter_labels():
    raw = """第1章 规划背景
正文。
第1节 指导思想
正文。
一、主要任务
（一）逐步建立现代医院管理制度，健全公立医院运行新机制。
1. 落实公立医院自主权。推进政事分开。
（1）细化措施。正文。
"""
    _, st = segment(raw)
    assert [(s.label, s.level) for s in st.sections] == [("第1章", 1), ("第1节", 2), ("一、", 3), ("（一）", 4)]
    assert [m.label for m in st.measures] == ["1.", "（1）"]


def test_heading_line_of_its_own_followed_by_body_is_a_measure():
    raw = """第三章 主要任务
第一节 补齐卫生短板
（二）主要措施
1.扩大优质医疗资源有效供给
加快推进高水平医院建设，提升服务能力。
2．健全统一的公共卫生应急物资保障体系
完善储备制度。
"""
    _, st = segment(raw)
    assert [(m.label, m.title) for m in st.measures] == [
        ("1.", "扩大优质医疗资源有效供给"),
        ("2．", "健全统一的公共卫生应急物资保障体系"),
    ]
    assert st.measures[0].text.endswith("提升服务能力。")


def test_principles_under_general_heading_are_not_measures_and_yishi_items_are():
    raw = """第2章 总体要求
第2节 基本原则
1.践行理念，坚持以人民健康为中心。正文。
2.政府主导，全社会共建共享相结合。正文。
第4章 保障措施
一是落实组织管理保障。发挥领导小组作用。
二是落实财政投入保障。全面落实政府投入责任。
"""
    _, st = segment(raw)
    assert [(m.label, m.title) for m in st.measures] == [("一是", "落实组织管理保障"), ("二是", "落实财政投入保障")]


def test_half_bracket_and_circled_item_numbers():
    raw = """一、主要任务
（一）加强基层建设
1）完善基层网络。加快建设。
2）提升服务能力。加强培训。
①建设村卫生室。正文。
②培训乡村医生。正文。
"""
    _, st = segment(raw)
    assert [(s.level, s.title) for s in st.sections] == [(1, "主要任务"), (2, "加强基层建设")]
    assert [(m.label, m.number, m.title) for m in st.measures] == [
        ("1）", 1, "完善基层网络"),
        ("2）", 2, "提升服务能力"),
        ("①", 1, "建设村卫生室"),
        ("②", 2, "培训乡村医生"),
    ]


def test_footnotes_after_a_table_are_not_measures():
    raw = """一、组织实施
（一）切实加强组织领导。各地要充分认识重要意义。
注：
1.三级公立综合医院考核应采用上述全部考核指标。
2.标记的指标为国家监测指标。
"""
    _, st = segment(raw)
    assert [m.title for m in st.measures] == ["切实加强组织领导"]


def test_structure_inside_one_line_crawler_text():
    raw = (
        "一、总体要求（一）指导思想。以新思想为指导。（二）总体目标。到2020年，基本形成体系。"
        "二、主要任务（一）逐步建立现代医院管理制度，健全公立医院运行新机制。1. 落实公立医院自主权。推进政事分开，"
        "加快转变政府职能，创新管理方式，完善治理体系（市卫生健康局负责）2. 规范完善医院管理制度。公立医院要加快制定章程。"
    ) * 3
    _, st = segment(raw)
    titles = [s.title for s in st.sections][:5]
    assert titles == ["总体要求", "指导思想", "总体目标", "主要任务", "逐步建立现代医院管理制度，健全公立医院运行新机制"]
    assert [m.title for m in st.measures][:2] == ["落实公立医院自主权", "规范完善医院管理制度"]


def test_text_without_structure_gives_a_warning_not_an_error():
    _, st = segment("这是一段没有任何编号和标题的文字。它仍然是一个文档。\n")
    assert st.sections == [] and st.measures == []
    assert any("no structure" in w for w in st.warnings)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "清远市深化医药卫生体制改革\n\n“十四五”规划\n\n为深化改革，制定本规划。\n",
            {"title": "清远市深化医药卫生体制改革“十四五”规划", "region": "清远市", "plan_start_year": 2021, "plan_end_year": 2025},
        ),
        (
            "湛江市人民政府文件\n湛府〔2019〕13号\n湛江市人民政府关于印发湛江市深化 公立医院综合改革实施方案的通知\n"
            "各县（市、区）人民政府：\n现将方案印发给你们。\n湛江市深化公立医院综合改革实施方案\n为进一步深化改革。\n",
            {"title": "湛江市深化公立医院综合改革实施方案", "doc_number": "湛府〔2019〕13号", "issuer": "湛江市人民政府", "region": "湛江市"},
        ),
        (
            "国务院办公厅关于印发“无废城市”建设\n试点工作方案的通知\n国办发〔2018〕128号\n各省人民政府：\n现印发给你们。\n"
            "国务院办公厅\n2018年12月29日\n“无废城市”建设试点工作方案\n正文。\n",
            {"title": "“无废城市”建设试点工作方案", "doc_number": "国办发〔2018〕128号", "issuer": "国务院办公厅", "region": "全国"},
        ),
        (
            # An annual task list: its one year is the period, not the 2023—2025 schedule in its body.
            "英德市2024年卫生健康工作要点\n2024年是实施“十四五”规划的关键一年，2023—2025年三年行动进入攻坚期。\n"
            "英德市卫生健康局\n2024年1月\n",
            {"title": "英德市2024年卫生健康工作要点", "plan_start_year": 2024, "plan_end_year": 2024, "issuer": "英德市卫生健康局"},
        ),
    ],
)
def test_metadata_stated_in_the_text(raw, expected):
    _, st = segment(raw)
    for key, value in expected.items():
        assert st.metadata[key] == value, key


def _label_form(text: str) -> str:
    return "".join(text.split()).replace("(", "（").replace(")", "）").replace("．", ".")


def test_every_record_is_grounded_in_every_corpus_document(corpus_results):
    for result in corpus_results:
        text = result.document.text
        for section in result.sections:
            heading = text[section.char_start : section.heading_end]
            assert heading.startswith(section.label)
            assert _label_form(heading) == _label_form(section.label + section.title)
            assert section.char_start < section.heading_end <= section.char_end
        for measure in result.measures:
            assert text[measure.char_start : measure.char_end] == measure.text
            assert measure.text.startswith(measure.label)
            assert _label_form(measure.text).startswith(_label_form(measure.label + measure.title))
        for table in result.tables:
            span = text[table.char_start : table.char_end]
            assert table.caption is None or _label_form(table.caption)[:4] in _label_form(span)


def test_sections_nest_consistently(corpus_results):
    for result in corpus_results:
        by_id = {s.section_id: s for s in result.sections}
        for section in result.sections:
            if section.parent_id is None:
                assert section.level == 1
                continue
            parent = by_id[section.parent_id]
            assert parent.level == section.level - 1
            assert parent.char_start <= section.char_start and section.char_end <= parent.char_end


def test_inline_labels_are_found_behind_their_punctuation_one_after_another():
    # _inline_labels scans for the punctuation with the label in a lookahead; it must find what a
    # search for a label behind a sentence end finds: each label once, none inside the one before.
    import regex

    from planparse.segment.structure import _inline_labels, _rules

    rules = _rules().raw
    alternatives = [p.format(cn=rules["numerals"]) for name, p in rules["styles"].items() if name not in rules["line_start_only"]]
    behind = regex.compile(r"(?<=[。；！？）)：:])(?:" + "|".join(alternatives) + ")")
    texts = [
        "落实责任。（二）完善机制（市财政局负责）（三）加强保障：1.资金；2.人员。三、保障措施",
        "具体措施：1．建立台账。2．定期通报。第二章 发展目标。（一）（二）（三）",
        "到2025年：10.5%。一、二、三、",
        "无标签的一段文字。",
    ]
    for text in texts:
        assert _inline_labels(text, 0, len(text)) == [m.start() for m in behind.finditer(text)]
    assert _inline_labels(texts[0], 0, len(texts[0])) == [texts[0].index("（二）"), texts[0].index("（三）"),
                                                        texts[0].index("1.资金"), texts[0].index("2.人员"), texts[0].index("三、保障")]
