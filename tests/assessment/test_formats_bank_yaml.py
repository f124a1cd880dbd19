"""Our bank YAML read back as an upload: what it holds, and the line of what is wrong."""

from lms.assessment.formats import detect_format, parse

TWO_COURSES = """# 未导出 1 道试题（匹配 1）
topic: metrology
questions:
- id: metrology-001
  type: multiple
  difficulty: 3
  lesson: 01-first
  text: 下列属于法定计量单位的是
  options: [千克, 斤, 米]
  answer: [A, C]
  explanation: ''
---
topic: haccp
questions:
- id: haccp-001
  type: truefalse
  difficulty: 1
  text: HACCP 有七项原则。
  answer: true
"""


def test_each_document_is_a_course_and_the_difficulty_a_tag():
    assert detect_format("questions.txt", TWO_COURSES) == "yaml"
    result = parse(TWO_COURSES, "yaml")
    assert result.errors == []
    first, second = result.questions
    assert (first.category, first.category_line, first.line, first.idnumber) == ("metrology", 2, 4, "metrology-001")
    assert first.tags == ["difficulty-3"] and first.lesson == "01-first"
    assert [(c.text, c.fraction) for c in first.choices] == [("千克", 0.5), ("斤", -0.5), ("米", 0.5)]
    assert (second.category, second.correct, second.lesson, second.tags) == ("haccp", True, "", ["difficulty-1"])


def test_a_wrong_answer_letter_is_an_error_at_its_question_and_the_others_are_read():
    text = TWO_COURSES.replace("answer: [A, C]", "answer: [A, D]")
    result = parse(text, "yaml")
    assert [q.idnumber for q in result.questions] == ["haccp-001"]
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "answer 应为选项的字母（A 至 C）：单选题写一个字母，多选题写字母列表，如 [A, C]")]


def test_aliases_are_refused_before_they_are_expanded():
    text = "topic: m\nquestions:\n- &a {id: a, type: truefalse, text: 题, answer: true}\n- *a\n"
    assert [(e.line, e.message) for e in parse(text, "yaml").errors] == [
        (4, "YAML 文件中不能使用别名（*）：请把内容直接写出来")]
