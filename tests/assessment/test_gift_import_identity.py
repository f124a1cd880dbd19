"""What a GIFT file says about its questions beyond their content: Moodle's // [id:..] and
[tag:..], the ::name::, the $CATEGORY; and how the preview reports a file with errors."""

import html
import io

from sqlalchemy import select

from lms.assessment.formats import Choice, ParsedQuestion
from lms.assessment.formats.gift import export_gift, parse_gift
from lms.assessment.models import Question
from lms.catalog.sync import sync_courses
from lms.extensions import db
from tests.catalog.content_tree import write_course

MOODLE = """$CATEGORY: $course$/top/计量

// [id:WALKA-001] [tag:计量] [tag:difficulty-3]
::法定单位测试::我国法定计量单位中，质量的基本单位是{=千克#正确 ~克 ~吨 ~斤####见《计量法》}。

::HACCP原则数测试::HACCP 体系有几项基本原则？{#7}
"""


def two_courses(tmp_path) -> None:
    write_course(tmp_path, folder="01-duties", slug="cqo-duties", title="首席质量官职责与质量主体责任")
    write_course(tmp_path, folder="03-metrology", slug="metrology", title="计量基础与企业计量管理")
    sync_courses(tmp_path)


def upload(client, text: str, topic: str = "metrology") -> str:
    r = client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), "q.gift"), "format": "auto", "topic": topic},
        content_type="multipart/form-data")
    return r.location


def confirm(client, preview: str, **data) -> None:
    client.post(preview, data={"token": preview.rsplit("/", 1)[1], **data})


def test_the_idnumber_else_the_name_becomes_the_key_staff_search_for(app, as_staff, tmp_path):
    two_courses(tmp_path)
    confirm(as_staff, upload(as_staff, MOODLE))
    keys = dict(db.session.execute(select(Question.key, Question.difficulty)).all())
    assert keys == {"WALKA-001": 3, "HACCP原则数测试": 2}  # the difficulty tag is kept as the difficulty
    for term in ("WALKA-001", "HACCP原则数测试"):
        page = as_staff.get("/staff/exams/questions", query_string={"q": term}).get_data(as_text=True)
        assert "共 1 题" in page, term


def test_the_preview_says_which_tags_are_not_kept(app, as_staff, tmp_path):
    two_courses(tmp_path)
    page = html.unescape(as_staff.get(upload(as_staff, MOODLE)).get_data(as_text=True))
    assert "有 1 道试题带有标签" in page and "标签不会保存" in page


def test_a_repeated_idnumber_in_one_file_is_an_error_naming_both_lines():
    result = parse_gift("// [id:A-1]\n::一::题一{T}\n\n::二::\n// [id:A-1]\n题二{F}\n\n// [id:A-2]\n::三::题三{T}\n")
    assert [q.name for q in result.questions] == ["一", "三"]
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "[id:A-1] 与第 2 行的试题重复：同一文件中每道题的 id 必须不同")]


def test_a_file_with_errors_promises_no_import_and_says_each_line_once(app, as_staff, tmp_path):
    two_courses(tmp_path)
    text = "::好::题{T}\n\n::好二::题{F}\n\n::未闭合::大括号没有闭合{=对 ~错\n"
    page = html.unescape(as_staff.get(upload(as_staff, text)).get_data(as_text=True))
    assert "将导入" not in page and "1 处错误，不能导入" in page and "判断 2" in page
    assert "第 5 行：“{”开始了答案块" in page and "第 5 行：第 5 行" not in page
    assert "确认导入" not in page


def test_the_course_the_category_names_is_preselected_and_can_be_changed(app, as_staff, tmp_path):
    two_courses(tmp_path)
    preview = upload(as_staff, MOODLE, topic="cqo-duties")  # the drop-down's first course, left as it was
    page = as_staff.get(preview).get_data(as_text=True)
    assert '<option selected value="metrology">' in page and "已按文件中的分类" in page
    confirm(as_staff, preview, topic="metrology")
    assert set(db.session.scalars(select(Question.topic))) == {"metrology"}

    db.session.execute(Question.__table__.delete())
    db.session.commit()
    changed = upload(as_staff, MOODLE, topic="metrology")
    confirm(as_staff, changed, topic="cqo-duties")  # staff chose otherwise
    assert set(db.session.scalars(select(Question.topic))) == {"cqo-duties"}


def test_a_category_naming_no_course_leaves_the_course_chosen_on_upload(app, as_staff, tmp_path):
    two_courses(tmp_path)
    page = as_staff.get(upload(as_staff, "$CATEGORY: $course$/top/默认\n\n::一::题{T}\n", topic="metrology"))
    text = page.get_data(as_text=True)
    assert '<option selected value="metrology">' in text and "已按文件中的分类" not in text


def test_an_option_that_only_looks_like_a_weight_is_exported_as_written():
    q = ParsedQuestion(kind="single", name="坏权重", text="坏的权重",
                       choices=[Choice("%abc%甲", 0.0), Choice("乙", 1.0), Choice("[注意] 丙", 0.0)])
    text = export_gift([q])
    assert "~%abc%甲" in text and "~[注意] 丙" in text and "[moodle]" not in text
    assert parse_gift(text).questions[0].choices == q.choices


SEVERAL = """::先于分类::没有分类的题{T}

$CATEGORY: $course$/top/计量

::计量一::计量题一{T}

::计量二::计量题二{F}

$CATEGORY: $course$/top/首席质量官职责/岗位

::职责一::职责题一{T}
"""


def test_each_category_files_the_questions_after_it_under_its_course(app, as_staff, tmp_path):
    two_courses(tmp_path)
    preview = upload(as_staff, SEVERAL, topic="metrology")
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "将导入 4 题" in page and "各题归入其分类所指的课程" in page
    assert "未注明分类的 1 道试题归入下面所选的课程" in page  # the one before any $CATEGORY
    confirm(as_staff, preview, topic="cqo-duties")
    topics = dict(db.session.execute(select(Question.key, Question.topic)).all())
    assert topics == {"先于分类": "cqo-duties", "计量一": "metrology", "计量二": "metrology",
                      "职责一": "cqo-duties"}  # '首席质量官职责/岗位': the part that names a course


def test_a_category_naming_no_course_is_an_error_at_its_line_when_the_file_has_several(app, as_staff, tmp_path):
    two_courses(tmp_path)
    text = SEVERAL.replace("首席质量官职责/岗位", "默认")
    preview = upload(as_staff, text)
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "1 处错误，不能导入" in page and "第 9 行：分类“默认”对应不到任何课程" in page
    assert "cqo-duties, metrology" in page and "确认导入" not in page  # the courses there are
    confirm(as_staff, preview, topic="metrology")
    assert db.session.scalars(select(Question)).all() == []  # nothing filed under a course it did not name
