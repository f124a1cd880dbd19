"""GIFT: real files written elsewhere (gift-peg), our own mixed file, and one rule per test."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from lms.assessment.formats import Choice, ParsedQuestion, detect_format, parse
from lms.assessment.formats.gift import export_gift, parse_gift

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# /work/main/tests/assessment/this.py -> /work/shared/fixtures/gift-peg (beside the project)
PEG = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "gift-peg"
PEG_TYPES = {"MC": ("single", "multiple"), "TF": ("truefalse",), "Short": ("shortanswer",),
             "Numerical": ("numerical",), "Matching": ("matching",)}
SKIPPED_TYPES = {"Essay": "essay", "Description": "description"}


def gift(text: str):
    return parse(text, "gift")


def without_lines(questions: list[ParsedQuestion]) -> list[ParsedQuestion]:
    return [dataclasses.replace(q, line=0) for q in questions]


# --- the gift-peg files: the parse their authors expect ------------------------------------

def norm(value) -> str:
    """Whitespace folded, and none around the blank: Moodle writes 'from _____.' where the
    gift-peg authors expect 'from _____ .'; we follow Moodle."""
    if isinstance(value, dict):
        value = value.get("text")
    text = " ".join((value or "").split())
    return re.sub(r"\s*_____\s*", "_____", text)


def peg_numbers(choices) -> list[tuple[float, float, float, str]]:
    def one(c) -> tuple[float, float]:
        if c["type"] == "simple":
            return float(c["number"]), 0.0
        if c["type"] == "range":
            return float(c["number"]), float(c["range"])
        low, high = float(c["numberLow"]), float(c["numberHigh"])
        return (low + high) / 2, (high - low) / 2

    if isinstance(choices, dict):  # one bare answer: {#1822:5}
        return [(*one(choices), 1.0, "")]
    return [(*one(c["text"]), peg_weight(c), norm(c["feedback"])) for c in choices]


def peg_weight(choice) -> float:
    """gift-peg gives weight null for a plain '=' (100%) or '~' (0%)."""
    if choice["weight"] is not None:
        return choice["weight"] / 100
    return 1.0 if choice["isCorrect"] else 0.0


def peg_files() -> list:
    if not PEG.is_dir():
        reason = f"the gift-peg fixtures are not at {PEG} (they live beside the project)"
        return [pytest.param("", marks=pytest.mark.skip(reason=reason))]
    return sorted(p.stem for p in PEG.glob("*.gift"))


def assert_same_as_peg(ours: ParsedQuestion, theirs: dict) -> None:
    assert ours.kind in PEG_TYPES[theirs["type"]]
    assert norm(ours.text) == norm(theirs["stem"])
    assert ours.text_format == theirs["stem"]["format"]
    assert norm(ours.general_feedback) == norm(theirs["globalFeedback"])
    if theirs["title"]:
        assert ours.name == theirs["title"]
    if theirs["type"] in ("MC", "Short"):
        expected = [(norm(c["text"]), peg_weight(c), norm(c["feedback"])) for c in theirs["choices"]]
        assert [(norm(c.text), c.fraction, norm(c.feedback)) for c in ours.choices] == expected
    if theirs["type"] == "MC":
        has_right = any(c["isCorrect"] for c in theirs["choices"])
        assert ours.kind == ("single" if has_right else "multiple")
    elif theirs["type"] == "TF":
        # gift-peg labels {T#a#b} by position; Moodle shows a for a wrong answer, b for a right one.
        wrong, right = norm(theirs["trueFeedback"]), norm(theirs["falseFeedback"])
        assert ours.correct is theirs["isTrue"]
        on_true, on_false = (right, wrong) if ours.correct else (wrong, right)
        assert (norm(ours.feedback_true), norm(ours.feedback_false)) == (on_true, on_false)
    elif theirs["type"] == "Numerical":
        ours_numbers = [(round(n.value, 6), round(n.tolerance, 6), n.fraction, norm(n.feedback))
                        for n in ours.numerical]
        assert ours_numbers == [(round(v, 6), round(t, 6), f, fb)
                                for v, t, f, fb in peg_numbers(theirs["choices"])]
    elif theirs["type"] == "Matching":
        assert ours.pairs == [(norm(p["subquestion"]), p["subanswer"]) for p in theirs["matchPairs"]]


@pytest.mark.parametrize("name", peg_files())
def test_gift_peg_file_parses_as_its_authors_expect(name):
    source = (PEG / f"{name}.gift").read_text(encoding="utf-8")
    expected = json.loads((PEG / f"{name}.json").read_text(encoding="utf-8"))
    result = parse_gift(source)
    gradable = [q for q in expected if q["type"] in PEG_TYPES]
    assert result.errors == []
    assert [s.kind for s in result.skipped] == [
        SKIPPED_TYPES[q["type"]] for q in expected if q["type"] in SKIPPED_TYPES]
    assert len(result.questions) == len(gradable)
    for ours, theirs in zip(result.questions, gradable, strict=True):
        assert_same_as_peg(ours, theirs)
    for category in (q["title"] for q in expected if q["type"] == "Category"):
        # A category applies to the questions after it; give it one to carry.
        after = parse_gift(source + "\n\n题？{T}\n").questions[-1]
        assert after.category == category.removeprefix("$course$/top/")


@pytest.mark.parametrize("name", peg_files())
def test_gift_peg_file_survives_export_and_import(name):
    questions = parse_gift((PEG / f"{name}.gift").read_text(encoding="utf-8")).questions
    again = parse_gift(export_gift(questions))
    assert again.errors == []
    assert without_lines(again.questions) == without_lines(questions)


# --- our mixed file ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed():
    return parse_gift((FIXTURES / "mixed.gift").read_text(encoding="utf-8"))


def by_name(result, name: str) -> ParsedQuestion:
    return next(q for q in result.questions if q.name == name)


def test_mixed_file_keeps_the_questions_around_a_broken_one(mixed):
    assert [(q.line, q.name) for q in mixed.questions] == [
        (7, "法定单位 SI unit"), (15, "转义 escapes"), (20, "多行 multi-line"),
        (34, "推荐性标准"), (36, "5S 多选"), (45, "计量法年份"), (47, "配对 matching"),
        (53, "HTML 格式"), (55, "pH 区间")]
    assert [(e.line, e.message) for e in mixed.errors] == [
        (30, "“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”")]
    assert mixed.by_type == {"single": 3, "truefalse": 2, "multiple": 1, "numerical": 2,
                             "matching": 1}


def test_essay_is_reported_as_skipped_with_its_line(mixed):
    assert [(s.line, s.kind, s.message) for s in mixed.skipped] == [
        (43, "essay", "问答题（essay）无法自动评分，已跳过")]


def test_category_applies_until_the_next_one_without_its_course_prefix(mixed):
    assert by_name(mixed, "多行 multi-line").category == "计量/法定单位"
    assert by_name(mixed, "推荐性标准").category == "标准化"


def test_comment_lines_carry_idnumber_and_tags(mixed):
    first = by_name(mixed, "法定单位 SI unit")
    assert (first.idnumber, first.tags) == ("MET-001", ["计量", "difficulty-1"])
    assert by_name(mixed, "转义 escapes").tags == []


def test_answer_feedback_and_general_feedback(mixed):
    first = by_name(mixed, "法定单位 SI unit")
    assert [(c.text, c.fraction, c.feedback) for c in first.choices] == [
        ("千克 kilogram", 1.0, "正确：SI 基本单位"), ("克", 0.0, "太小了"), ("吨", 0.0, ""),
        ("斤", 0.0, "市制单位，不是法定单位")]
    assert first.general_feedback == "见《中华人民共和国计量法》。"


def test_escaped_control_characters_are_literal(mixed):
    q = by_name(mixed, "转义 escapes")
    assert q.text == "比例 1:2 中的冒号、a=b、{x} 与 ~ 都要转义；反斜杠写作 \\ 即可。"
    assert [(c.text, c.feedback) for c in q.choices] == [("# 井号 hash", "写作 \\#"),
                                                         ("~ 波浪号 tilde", "")]


def test_multi_line_question_keeps_its_lines_and_drops_inner_comments(mixed):
    q = by_name(mixed, "多行 multi-line")
    assert q.text == "HACCP 体系\n有几项基本原则？\nHow many principles does HACCP have?"
    assert [c.text for c in q.choices] == ["七项 seven", "五项 five", "十二项 twelve"]
    assert q.choices[2].feedback == "十二是步骤数，\n不是原则数 (12 steps, not principles)"


def test_truefalse_feedback_follows_moodle(mixed):
    # {TRUE#a#b}: a is shown for the wrong answer (FALSE), b for the right one (TRUE).
    q = by_name(mixed, "推荐性标准")
    assert (q.correct, q.feedback_false, q.feedback_true) == (True, "错：GB/T 为推荐性", "正确 correct")
    # {F#a#b}: the wrong answer is TRUE, so a is shown when TRUE is given.
    html = by_name(mixed, "HTML 格式")
    assert (html.correct, html.feedback_true, html.feedback_false) == (False, "要记录 record it", "对")


def test_negative_weights_without_an_equals_answer_make_a_multiple_answer_question(mixed):
    q = by_name(mixed, "5S 多选")
    assert q.kind == "multiple"
    assert [c.fraction for c in q.choices] == [0.5, 0.5, -0.5, -0.5]


def test_format_prefix_sets_the_text_format_and_is_removed(mixed):
    q = by_name(mixed, "HTML 格式")
    assert (q.text_format, q.text) == ("html", "<p>温度 <b>≥ 60 ℃</b> 时需要记录吗？</p>")


def test_numerical_range_weights_and_missing_word(mixed):
    year = by_name(mixed, "计量法年份")
    assert year.text == "《计量法》自 _____ 年起施行。"
    assert [(n.value, n.tolerance) for n in year.numerical] == [(1986, 0)]
    ph = by_name(mixed, "pH 区间")
    assert [(n.value, n.tolerance, n.fraction, n.feedback) for n in ph.numerical] == [
        (7.0, 0.5, 1.0, "对"), (7.0, 1.5, 0.5, "接近 close")]  # "~#请复习" has no place


def test_matching_pairs(mixed):
    assert by_name(mixed, "配对 matching").pairs == [
        ("GB", "强制性"), ("GB/T", "推荐性"), ("GB/Z", "指导性技术文件")]


def test_mixed_file_survives_export_and_import(mixed):
    text = export_gift(mixed.questions)
    again = parse_gift(text)
    assert (again.errors, again.skipped) == ([], [])
    assert without_lines(again.questions) == without_lines(mixed.questions)


# --- one rule each -------------------------------------------------------------------------

@pytest.mark.parametrize(("block", "kind"), [
    ("{#5 ~#别的答案}", "numerical"),          # '#' first wins over '~'
    ("{=甲 -> 乙 ~丙}", "single"),             # '~' is tested before matching
    ("{=甲 -> 乙 =丙 -> 丁}", "matching"),
    ("{T}", "truefalse"), ("{FALSE#错}", "truefalse"),
    ("{true}", "shortanswer"),                 # Moodle compares T/TRUE/F/FALSE case-sensitively
    ("{=千克 =公斤}", "shortanswer"), ("{千克}", "shortanswer"),
])
def test_type_is_detected_in_moodles_order(block, kind):
    result = gift("题目 question " + block)
    assert [q.kind for q in result.questions] == [kind], result.errors


def test_text_without_answers_is_a_skipped_description():
    result = gift("\n\n::说明::以下各题均为单选。 Read carefully.\n")
    assert [(s.line, s.kind) for s in result.skipped] == [(3, "description")]
    assert result.questions == []


def test_missing_word_block_at_the_start_or_middle_becomes_a_blank():
    first, middle = gift("{=亚洲 Asia} 是最大的大洲。\n\nGrant is {~buried =entombed} there.").questions
    assert first.text == "_____ 是最大的大洲。"
    assert middle.text == "Grant is _____ there."


def test_weight_regex_takes_100_and_decimals():
    q = gift("题{~%100%对 ~%-33.33333%部分 ~%-100%错}").questions[0]
    assert (q.kind, [c.fraction for c in q.choices]) == ("multiple", [1.0, -0.3333333, -1.0])


def test_a_partial_weight_after_equals_is_an_error_not_a_mangled_answer():
    result = gift("题{=%50%半对 ~错}")
    assert result.errors[0].message == (
        "选择题中“=”标记的是得满分（100%）的答案，后面不能再写权重：部分得分的选项请写成“~%50%”")


def test_weights_of_a_multiple_answer_question_must_reach_100_percent():
    result = gift("::甲::题{~%50%一 ~%25%二 ~三}\n\n::乙::题{~一 ~二}")
    assert [e.message for e in result.errors] == [
        "多选题各正确选项的权重合计为 75%，应正好为 100%：请检查是否标出了全部正确答案及其权重",
        "多选题各正确选项的权重合计为 0%，应正好为 100%：请检查是否标出了全部正确答案及其权重"]


def test_a_weight_over_100_percent_is_an_error():
    assert gift("题{~%150%一 =二}").errors[0].message == "答案权重 150% 超出了 -100% 至 100% 的范围"


def test_multiple_choice_needs_two_answers():
    # One real answer and an empty one: Moodle drops empty answers when it saves.
    assert gift("题{=唯一 ~}").errors[0].message == "选择题至少需要 2 个有内容的选项"


def test_matching_needs_two_pairs_each_with_an_arrow():
    result = gift("题{=甲 -> 乙}\n\n题{=甲 -> 乙 =丙}")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "匹配题至少需要 2 组配对"), (3, "匹配项“丙”缺少“->”：每组配对请写成 =左边 -> 右边")]


def test_numerical_answer_must_be_a_number():
    result = gift("题{#一千}\n\n题{#5..1}\n\n题{#nan}")
    assert [e.message for e in result.errors] == [
        "“一千”不是数字：请用阿拉伯数字书写，如 1986、-3.14、0.5",
        "数值范围 5..1 的起点大于终点：请先写小的数，如 1..5",
        "“nan”不是数字：请用阿拉伯数字书写，如 1986、-3.14、0.5"]


def test_unclosed_block_is_reported_at_the_line_of_its_brace():
    result = gift("::好::前一题{T}\n\n::坏::第一行\n第二行 {=甲\n~乙\n\n::也好::后一题{F}\n")
    assert [q.name for q in result.questions] == ["好", "也好"]
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”")]


def test_stray_and_second_braces_are_errors():
    result = gift("文字 } 后面 {T}\n\n题 {T} 又一个 {F}\n\n::坏的名字 题{T}")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "“}”前面没有对应的“{”：多余的“}”请删除，题目文字中的“}”要写成“\\}”"),
        (3, "一道题只能有一个答案块，这里又出现了一个“{”：两道题之间要空一行；"
            "题目文字中的“{”要写成“\\{”"),
        (5, "题目名称以“::”开头，但没有用“::”结束：请写成 ::名称::题目文字")]


def test_category_needs_a_blank_line_after_it():
    result = gift("$CATEGORY: $course$/top/计量\n::题::题{T}\n")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "$CATEGORY 行后面必须空一行：第 2 行因此没有读入，请在它前面插入一个空行")]


def test_newline_escape_and_windows_line_endings():
    result = gift("\ufeff// 注释\r\n::换行::第一行\\n第二行{T}\r\n\r\n::下一题::next{F}\r\n")
    assert [(q.line, q.text) for q in result.questions] == [(2, "第一行\n第二行"), (4, "next")]


def test_name_defaults_to_the_text():
    assert gift("GB 是强制性国家标准的代号。{T}").questions[0].name == "GB 是强制性国家标准的代号。"


def test_export_escapes_what_would_otherwise_be_read_as_syntax():
    q = ParsedQuestion(kind="single", name="a::b", text="[注意] 1:2 {x} // 不是注释\n第二行",
                       category="计量", choices=[Choice("%50% 折扣", 1.0, "#反馈"),
                                                 Choice("=等号 ~波浪", 0.0, "[plain] 方括号")])
    again = parse_gift(export_gift([q]))
    assert again.errors == []
    assert without_lines(again.questions) == [q]


def test_detect_format_and_unknown_format():
    assert detect_format("bank.gift", "题{T}") == "gift"
    assert detect_format("bank.txt", "题{T}") == "gift"
    with pytest.raises(ValueError, match="unknown question format"):
        parse("题{T}", "qti")


def test_a_single_choice_with_two_full_mark_answers_is_refused_not_cut_to_one():
    """{=甲 =乙 ~丙}: the bank's single choice has one key, and keeping 甲 alone would mark
    everyone who chose 乙 wrong without a word; the line says how to write it instead."""
    result = gift("::计量-05:: 以下哪些是计量单位？ {=米 =千克 ~颜色}")
    assert not result.questions and len(result.errors) == 1
    assert "单选题只能有一个正确答案，本题有 2 个" in result.errors[0].message
    assert "~%50%" in result.errors[0].message
    assert gift("::计量-05:: 以下哪些是计量单位？ {~%50%米 ~%50%千克 ~%-100%颜色}").questions[0].kind == "multiple"
