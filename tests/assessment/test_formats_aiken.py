"""Aiken: one-line question, options A) or A., ANSWER: X; errors keep the other questions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lms.assessment.formats import Choice, ParsedQuestion, detect_format, parse
from lms.assessment.formats.aiken import export_aiken, parse_aiken

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def mixed():
    return parse_aiken((FIXTURES / "mixed.aiken.txt").read_text(encoding="utf-8"))


def right_answers(q: ParsedQuestion) -> list[str]:
    return [c.text for c in q.choices if c.fraction == 1.0]


def test_mixed_file_reads_each_good_question_at_its_line(mixed):
    assert [(q.line, q.text, right_answers(q)) for q in mixed.questions] == [
        (1, "以下哪项是 HACCP 的第一项原则？ Which is the first HACCP principle?",
         ["进行危害分析 Conduct a hazard analysis"]),
        (8, "计量单位中长度的基本单位是", ["米 metre"]),
        (17, "冷藏温度应满足 T < 5 ℃ & 湿度 < 60%，对吗？", ["对 <yes>"]),
        (23, "GB/T 19001 对应哪个国际标准？", ["ISO 9001"]),
        (39, "是", ["错"]),
    ]
    assert {q.kind for q in mixed.questions} == {"single"}


def test_errors_name_their_lines_and_lose_nothing_else(mixed):
    assert [(e.line, e.message) for e in mixed.errors] == [
        (13, "选项 B) 不属于任何题目：选项前面应有一行题目文字"),
        (22, "本题在第 23 行之前缺少 ANSWER 行：每道题要以“ANSWER: 正确选项字母”结束，"
             "Aiken 格式的题目文字只能写在一行内"),
        (29, "选择题至少需要 2 个选项"),
        (33, "第 36 行的 ANSWER E 不是本题的选项：本题的选项是 A 至 B"),
    ]
    assert mixed.skipped == []


def test_options_with_a_parenthesis_a_full_stop_or_no_space(mixed):
    haccp, length, cold = mixed.questions[:3]
    assert [c.text for c in haccp.choices] == [
        "确定关键控制点 Determine the CCPs", "进行危害分析 Conduct a hazard analysis",
        "建立纠偏措施", "建立记录保存程序"]
    assert [c.text for c in length.choices] == ["米 metre", "厘米"]
    assert [c.text for c in cold.choices] == ["对 <yes>", "错 & no"]


def test_text_is_kept_as_written_and_marked_plain(mixed):
    # Moodle HTML-escapes Aiken text; "plain" says the same without an escaping step.
    cold = mixed.questions[2]
    assert cold.text_format == "plain" and "<" in cold.text and "&lt;" not in cold.text


def test_aiken_has_no_names_categories_or_feedback(mixed):
    q = mixed.questions[0]
    assert q.name == q.text and q.category == "" and q.general_feedback == ""
    assert all(c.feedback == "" for c in q.choices)


def test_a_one_byte_line_is_skipped_but_a_one_character_chinese_question_is_not(mixed):
    assert mixed.questions[-1].text == "是"


def test_only_the_first_letter_after_answer_counts():
    q = parse_aiken("题目\nA) 甲\nB) 乙\nANSWER: B, A\n").questions[0]
    assert right_answers(q) == ["乙"]


def test_an_out_of_order_option_letter_is_an_error_not_a_moved_answer():
    result = parse_aiken("题一\nA) 甲\nC) 丙\nANSWER: C\n\n题二\nA) 甲\nB) 乙\nANSWER: A\n")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "第 3 行的选项 C 顺序不对，这里应是选项 B：选项要按 A、B、C…… 依次排列")]
    assert [q.text for q in result.questions] == ["题二"]


def test_a_question_left_open_at_the_end_is_an_error():
    result = parse_aiken("题目\nA) 甲\nB) 乙\n")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "本题直到文件末尾都没有 ANSWER 行：每道题要以“ANSWER: 正确选项字母”结束，"
            "Aiken 格式的题目文字只能写在一行内")]


def test_answer_line_outside_a_question():
    assert [(e.line, e.message) for e in parse_aiken("\nANSWER: A\n").errors] == [
        (2, "ANSWER 行不属于任何题目：ANSWER 行应紧跟在一道题的选项之后")]


def test_windows_line_endings_and_a_byte_order_mark():
    result = parse_aiken("\ufeff题目\r\nA) 甲\r\nB) 乙\r\nANSWER: A\r\n\r\n题二\r\nA) 1\r\nB) 2\r\nANSWER: B")
    assert [(q.line, q.text) for q in result.questions] == [(1, "题目"), (6, "题二")]


def test_export_reads_back_the_same(mixed):
    again = parse_aiken(export_aiken(mixed.questions))
    assert again.errors == []
    assert [dataclasses.replace(q, line=0) for q in again.questions] == [
        dataclasses.replace(q, line=0) for q in mixed.questions]


def test_export_writes_only_what_aiken_can_hold():
    single = ParsedQuestion(kind="single", name="n", text="<p>强制性国家标准的代号<br>是？</p>",
                            text_format="html",
                            choices=[Choice("<b>GB</b>", 1.0), Choice("GB/T", 0.0)])
    multiple = dataclasses.replace(single, kind="multiple")
    truefalse = ParsedQuestion(kind="truefalse", text="对吗？", correct=True)
    assert export_aiken([multiple, single, truefalse]) == (
        "强制性国家标准的代号 是？\nA) GB\nB) GB/T\nANSWER: A\n")


def test_detect_format_prefers_aiken_for_answer_lines_without_braces():
    text = (FIXTURES / "mixed.aiken.txt").read_text(encoding="utf-8")
    assert detect_format("bank.txt", text) == "aiken"
    assert parse(text, "aiken").by_type == {"single": 5}
