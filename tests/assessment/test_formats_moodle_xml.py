"""Moodle XML: categories, the five gradable types, skipped types, errors at their lines,
hostile XML refused, and export that reads back the same."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lms.assessment.formats import ParsedQuestion, detect_format, parse
from lms.assessment.formats.gift import parse_gift
from lms.assessment.formats.moodle_xml import export_moodle_xml, parse_moodle_xml

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def mixed():
    return parse_moodle_xml((FIXTURES / "mixed.xml").read_text(encoding="utf-8"))


def by_name(result, name: str) -> ParsedQuestion:
    return next(q for q in result.questions if q.name == name)


def without_lines(questions: list[ParsedQuestion]) -> list[ParsedQuestion]:
    return [dataclasses.replace(q, line=0) for q in questions]


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def test_mixed_file_reads_each_good_question_at_the_line_of_its_element(mixed):
    assert [(q.line, q.kind, q.name) for q in mixed.questions] == [
        (8, "single", "强制性标准 mandatory"), (27, "multiple", "5S 多选"),
        (41, "truefalse", "团体标准"), (58, "shortanswer", "千克符号"),
        (69, "numerical", "计量法年份"), (77, "matching", "标准代号配对")]


def test_an_error_in_the_middle_names_its_line_and_loses_nothing_else(mixed):
    assert [(e.line, e.message) for e in mixed.errors] == [
        (52, "选择题至少需要 2 个有内容的选项"),
        (90, "“一千”不是数字：请用阿拉伯数字书写，如 1986、-3.14、0.5")]


def test_types_we_cannot_grade_are_skipped_with_line_and_reason(mixed):
    assert [(s.line, s.kind) for s in mixed.skipped] == [
        (36, "essay"), (85, "description"), (96, "cloze"), (101, "ddwtos")]
    assert mixed.skipped[0].message == "问答题（essay）无法自动评分，已跳过"
    assert mixed.skipped[1].message == "说明文字（description）没有可评分的答案，已跳过"
    assert mixed.skipped[2].message == "cloze 类型的试题无法自动评分，已跳过"


def test_a_question_without_a_type_is_skipped_and_says_so():
    result = parse_moodle_xml(quiz("<question><questiontext><text>题</text></questiontext></question>"))
    assert [(s.line, s.kind, s.message) for s in result.skipped] == [
        (3, "", "未注明题型（type 属性为空）的试题无法自动评分，已跳过")]


def test_categories_lose_only_the_course_prefix(mixed):
    assert by_name(mixed, "千克符号").category == "标准化/国家标准"
    assert by_name(mixed, "计量法年份").category == "计量"


def test_html_text_in_cdata_is_kept_as_is(mixed):
    q = by_name(mixed, "强制性标准 mandatory")
    assert q.text_format == "html"
    assert q.text == ("<p>强制性国家标准的代号是？</p>\n"
                      "<p>Which prefix marks a <b>mandatory</b> standard?</p>")
    assert q.general_feedback == "<p>见《标准化法》第十条。</p>"
    assert q.choices[0].feedback == "<p>正确 &amp; well done</p>"


def test_html_questions_enter_the_bank_as_the_text_an_officer_reads(mixed):
    from lms.assessment.importer import to_fields

    fields = to_fields(by_name(mixed, "强制性标准 mandatory"), "standardization")
    assert fields["text"] == "强制性国家标准的代号是？\nWhich prefix marks a mandatory standard?"
    assert fields["explanation"] == "见《标准化法》第十条。" and fields["options"] == ["GB", "GB/T"]
    plain = dataclasses.replace(by_name(mixed, "强制性标准 mandatory"), text="用 <b> 标签加粗？", text_format="plain")
    assert to_fields(plain, "standardization")["text"] == "用 <b> 标签加粗？"  # plain text is never stripped


def test_single_choice_answers_idnumber_and_tags(mixed):
    q = by_name(mixed, "强制性标准 mandatory")
    # The answer with no text is dropped, as Moodle does when it saves the question.
    assert [(c.text, c.fraction) for c in q.choices] == [("GB", 1.0), ("GB/T", 0.0)]
    assert (q.idnumber, q.tags) == ("STD-001", ["标准化", "difficulty-1"])


def test_multiple_answer_fractions_and_feedback(mixed):
    q = by_name(mixed, "5S 多选")
    assert [(c.fraction, c.feedback) for c in q.choices] == [(0.5, ""), (0.5, ""), (-1.0, "不是 5S")]


def test_html_is_stripped_from_text_that_is_not_html(mixed):
    q = by_name(mixed, "千克符号")
    assert (q.text_format, q.text) == ("moodle", "千克的符号是？ The symbol for kilogram?")


def test_plain_text_entities_are_read_once_and_comparisons_survive(mixed):
    q = by_name(mixed, "计量法年份")
    assert (q.text_format, q.text) == ("plain", "《计量法》自哪年起施行？ 1985 < year < 1990")


def test_truefalse_answer_order_does_not_matter(mixed):
    q = by_name(mixed, "团体标准")
    assert (q.correct, q.feedback_true, q.feedback_false) == (True, "对", "错了：是社会团体")


def test_shortanswer_and_numerical_answers(mixed):
    short = by_name(mixed, "千克符号")
    assert [(c.text, c.fraction, c.feedback) for c in short.choices] == [
        ("kg", 1.0, "对"), ("KG", 0.5, "大小写 case matters")]
    year = by_name(mixed, "计量法年份")  # the "*" answer (any other) has no place in our model
    assert [(n.value, n.tolerance, n.fraction, n.feedback) for n in year.numerical] == [
        (1986.0, 0.0, 1.0, "对"), (1985.5, 1.0, 0.5, "")]


def test_matching_keeps_distractors_with_an_empty_left_side(mixed):
    assert by_name(mixed, "标准代号配对").pairs == [
        ("<p>GB</p>", "强制性"), ("GB/T", "推荐性"), ("", "地方性 (distractor)")]


def test_mixed_file_survives_export_and_import(mixed):
    again = parse_moodle_xml(export_moodle_xml(mixed.questions))
    assert (again.errors, again.skipped) == ([], [])
    assert without_lines(again.questions) == without_lines(mixed.questions)


def test_gift_questions_survive_a_trip_through_moodle_xml():
    questions = parse_gift((FIXTURES / "mixed.gift").read_text(encoding="utf-8")).questions
    again = parse_moodle_xml(export_moodle_xml(questions))
    assert again.errors == []
    assert without_lines(again.questions) == without_lines(questions)


def test_single_defaults_to_true_and_accepts_zero_for_false():
    answers = '<answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>'
    text = quiz(
        f'<question type="multichoice"><questiontext><text>题一</text></questiontext>{answers}</question>',
        '<question type="multichoice"><questiontext><text>题二</text></questiontext>'
        f"<single>0</single>{answers}</question>")
    assert [q.kind for q in parse_moodle_xml(text).questions] == ["single", "multiple"]


def test_a_question_without_a_right_answer_is_an_error():
    text = quiz('<question type="truefalse"><questiontext><text>对吗？</text></questiontext>'
                '<answer fraction="0"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer></question>')
    assert [(e.line, e.message) for e in parse_moodle_xml(text).errors] == [
        (3, "判断题没有标明正确答案")]


def test_a_bad_fraction_is_an_error_at_its_question():
    text = quiz('<question type="shortanswer">', '<questiontext><text>符号？</text></questiontext>',
                '<answer fraction="全对"><text>kg</text></answer></question>')
    assert [(e.line, e.message) for e in parse_moodle_xml(text).errors] == [
        (3, '答案的得分比例 fraction="全对" 不是数字：应为 -100 至 100 之间的数，如 100、50、0')]


def test_malformed_xml_is_one_error_at_its_line():
    result = parse_moodle_xml(quiz('<question type="truefalse">', "<name><text>坏</name>"))
    assert [e.line for e in result.errors] == [4] and result.questions == []
    assert result.errors[0].message.startswith("XML 格式不正确（mismatched tag: line 4")


def test_entity_declarations_are_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>')
    result = parse_moodle_xml(bomb)
    assert result.questions == [] and "EntitiesForbidden" in result.errors[0].message


def test_external_entities_are_refused():
    xxe = ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<quiz><question type="essay"><questiontext><text>&x;</text></questiontext></question></quiz>')
    result = parse_moodle_xml(xxe)
    assert result.questions == [] and result.skipped == [] and len(result.errors) == 1


def test_root_must_be_quiz():
    assert parse_moodle_xml("<questions/>").errors[0].message == (
        "XML 的根元素应为 <quiz>，而不是 <questions>：请上传 Moodle XML 格式的题目文件")


def test_detect_format_by_name_or_content():
    assert detect_format("bank.xml", "") == "moodle_xml"
    assert detect_format("bank.txt", "\ufeff<?xml version='1.0'?><quiz/>") == "moodle_xml"
    assert parse(quiz(), "moodle_xml").by_type == {}
