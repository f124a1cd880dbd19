"""GIFT, Aiken and Moodle XML: real files written elsewhere, and tricky ones of our own."""

import json
from pathlib import Path

import pytest

from lms.assessment.formats import detect_format, parse
from lms.assessment.formats.aiken import export_aiken
from lms.assessment.formats.gift import export_gift
from lms.assessment.formats.moodle_xml import export_moodle_xml

PEG = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "gift-peg"
KINDS = {"MC": ("single", "multiple"), "TF": ("truefalse",), "Short": ("shortanswer",),
         "Numerical": ("numerical",), "Matching": ("matching",)}


def norm(text) -> str:
    if isinstance(text, dict):
        text = text.get("text")
    return " ".join((text or "").split())


def numbers(choices) -> list[tuple[float, float]]:
    def one(c):
        if c["type"] == "simple":
            return (float(c["number"]), 0.0)
        if c["type"] == "range":
            return (float(c["number"]), float(c["range"]))
        low, high = float(c["numberLow"]), float(c["numberHigh"])
        return ((low + high) / 2, (high - low) / 2)
    return [one(c["text"]) for c in choices] if isinstance(choices, list) else [one(choices)]


def peg_files():
    if not PEG.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no fixtures at {PEG}"))]
    return sorted(p.stem for p in PEG.glob("*.gift"))


@pytest.mark.parametrize("name", peg_files())
def test_gift_files_parse_as_their_authors_expect(name):
    result = parse((PEG / f"{name}.gift").read_text(encoding="utf-8"), "gift")
    expected = [q for q in json.loads((PEG / f"{name}.json").read_text(encoding="utf-8")) if q["type"] != "Category"]
    gradable = [q for q in expected if q["type"] in KINDS]
    assert not result.errors
    assert len(result.skipped) == len(expected) - len(gradable)
    assert len(result.questions) == len(gradable)
    for ours, theirs in zip(result.questions, gradable, strict=True):
        assert ours.kind in KINDS[theirs["type"]], (ours.kind, theirs["type"])
        assert norm(ours.text) == norm(theirs["stem"]), name
        if theirs["type"] == "MC":
            assert [norm(c.text) for c in ours.choices] == [norm(c["text"]) for c in theirs["choices"]]
            assert [c.fraction for c in ours.choices] == [
                1.0 if c["isCorrect"] else (c["weight"] or 0) / 100 for c in theirs["choices"]]
            assert [norm(c.feedback) for c in ours.choices] == [norm(c["feedback"]) for c in theirs["choices"]]
        elif theirs["type"] == "TF":
            assert ours.correct is theirs["isTrue"]
        elif theirs["type"] == "Short":
            assert [norm(c.text) for c in ours.choices] == [norm(c["text"]) for c in theirs["choices"]]
        elif theirs["type"] == "Numerical":
            assert [(round(n.value, 6), round(n.tolerance, 6)) for n in ours.numerical] == [
                (round(v, 6), round(t, 6)) for v, t in numbers(theirs["choices"])]
        elif theirs["type"] == "Matching":
            assert ours.pairs == [(norm(p["subquestion"]), norm(p["subanswer"])) for p in theirs["matchPairs"]]


TRICKY = r"""
// a comment before everything
$CATEGORY: $course$/top/计量

// [id:MET-001] [tag:计量] [tag:difficulty-1]
::法定单位::我国法定计量单位中，质量的基本单位是{=千克#正确 ~克 ~吨 ~斤####见《计量法》}。

::多行::HACCP 体系
有几项基本原则？{
  =七项#对
  ~五项
  ~十二项  # 十二是步骤
            数，不是原则数
}

::转义::比例 1\:2 中的冒号与 a\=b、\{x\} 都要转义 {
  =\~ 波浪号
  ~\# 井号
}

::坏的::这道题没有收尾 {=甲 ~乙

::推荐性标准::GB/T 表示推荐性国家标准。{T#错：GB/T 为推荐性#正确}

::5S多选::下列属于 5S 的是{~%50%整理 ~%50%整顿 ~%-50%审计 ~%-50%采购}

::问答::谈谈你对质量的理解。{}
"""


def test_tricky_gift_keeps_good_questions_around_a_bad_one():
    result = parse(TRICKY, "gift")
    assert [q.name for q in result.questions] == ["法定单位", "多行", "转义", "推荐性标准", "5S多选"]
    assert [(e.line, "unclosed" in e.message) for e in result.errors] == [(21, True)]
    assert [(s.line, s.kind) for s in result.skipped] == [(27, "essay")]
    first, multi, escaped, tf, five_s = result.questions
    assert first.category == "计量" and first.idnumber == "MET-001" and first.tags == ["计量", "difficulty-1"]
    assert first.text == "我国法定计量单位中，质量的基本单位是 _____ 。" and first.general_feedback == "见《计量法》"
    assert [(c.text, c.fraction, c.feedback) for c in first.choices][0] == ("千克", 1.0, "正确")
    assert multi.text == "HACCP 体系 有几项基本原则？" and multi.choices[2].feedback == "十二是步骤 数，不是原则数"
    assert escaped.text == "比例 1:2 中的冒号与 a=b、{x} 都要转义" and escaped.choices[0].text == "~ 波浪号"
    assert escaped.choices[1].text == "# 井号"
    # Moodle: {T#a#b} gives a for a wrong answer (FALSE given) and b for a right one.
    assert tf.correct is True and tf.feedback_false == "错：GB/T 为推荐性" and tf.feedback_true == "正确"
    assert five_s.kind == "multiple" and [c.fraction for c in five_s.choices] == [0.5, 0.5, -0.5, -0.5]


def test_gift_export_reads_back_the_same():
    original = [q for q in parse(TRICKY, "gift").questions]
    again = parse(export_gift(original), "gift").questions
    keys = ("kind", "name", "text", "category", "general_feedback", "choices", "correct",
            "feedback_true", "feedback_false")
    assert [[getattr(q, k) for k in keys] for q in again] == [[getattr(q, k) for k in keys] for q in original]


def test_gift_numerical_matching_and_short_answer():
    text = "年份？{#1822:2}\n\n范围{#1..5}\n\n配对{=中国 -> 北京 =日本 -> 东京}\n\n简答{=千克 =公斤}\n\n只有一对{=甲 -> 乙}"
    result = parse(text, "gift")
    year, span, match, short = result.questions
    assert (year.numerical[0].value, year.numerical[0].tolerance) == (1822, 2)
    assert (span.numerical[0].value, span.numerical[0].tolerance) == (3, 2)
    assert match.pairs == [("中国", "北京"), ("日本", "东京")]
    assert [c.text for c in short.choices] == ["千克", "公斤"]
    assert result.errors[0].line == 9 and "2 pairs" in result.errors[0].message


AIKEN = """以下哪项是 HACCP 的第一项原则？
A) 确定关键控制点
B) 进行危害分析
C) 建立纠偏措施
ANSWER: B

B) 没有题干的选项
ANSWER: A

计量单位中长度的基本单位是
A. 米
B. 厘米
ANSWER: A
"""


def test_aiken_reads_questions_and_reports_stray_lines():
    result = parse(AIKEN, "aiken")
    assert [q.text for q in result.questions] == ["以下哪项是 HACCP 的第一项原则？", "计量单位中长度的基本单位是"]
    assert [c.fraction for c in result.questions[0].choices] == [0, 1, 0]
    assert [e.line for e in result.errors] == [7, 8]
    assert parse(export_aiken(result.questions), "aiken").questions[1].choices[0].text == "米"


XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/标准化</text></category></question>
  <question type="multichoice">
    <name><text>强制性标准</text></name>
    <questiontext format="html"><text><![CDATA[<p>强制性国家标准的代号是？</p>]]></text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>GB</text><feedback><text>对</text></feedback></answer>
    <answer fraction="0"><text>GB/T</text></answer>
  </question>
  <question type="essay"><name><text>论述</text></name><questiontext><text>谈谈</text></questiontext></question>
  <question type="truefalse">
    <name><text>判断</text></name><questiontext format="moodle"><text>团体标准由社会团体制定。</text></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
  </question>
  <question type="matching">
    <name><text>只有一对</text></name><questiontext><text>配对</text></questiontext>
    <subquestion><text>甲</text><answer><text>乙</text></answer></subquestion>
  </question>
</quiz>
"""


def test_moodle_xml_reads_categories_skips_essays_and_reports_bad_questions():
    result = parse(XML, "moodle_xml")
    mc, tf = result.questions
    assert mc.category == "标准化" and mc.text == "<p>强制性国家标准的代号是？</p>" and mc.kind == "single"
    assert [(c.text, c.fraction) for c in mc.choices] == [("GB", 1.0), ("GB/T", 0.0)]
    assert tf.correct is True
    assert [(s.line, s.kind) for s in result.skipped] == [(11, "essay")]
    assert [e.line for e in result.errors] == [16]
    assert [q.text for q in parse(export_moodle_xml(result.questions), "moodle_xml").questions] == [mc.text, tf.text]


def test_moodle_xml_refuses_entity_tricks():
    bomb = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>'
    result = parse(bomb, "moodle_xml")
    assert result.errors and not result.questions


def test_format_detection():
    assert detect_format("q.xml", "<quiz/>") == "moodle_xml"
    assert detect_format("q.txt", "题？{T}") == "gift"
    assert detect_format("q.txt", AIKEN) == "aiken"
