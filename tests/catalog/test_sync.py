"""sync-content: idempotent, versioned, retiring, all or nothing."""

import pytest
from sqlalchemy import func, select

from lms.catalog.content import ContentError
from lms.catalog.models import Course, Lesson, LessonProgress, LessonVersion
from lms.catalog.sync import sync_courses
from lms.extensions import db
from tests.catalog.content_tree import write_course


def lessons() -> dict[str, Lesson]:
    return {l.slug: l for l in db.session.scalars(select(Lesson))}


def test_first_sync_loads_courses_and_lessons(app, tmp_path):
    write_course(tmp_path)
    report = sync_courses(tmp_path)
    assert report.courses_added == ["demo"] and len(report.lessons_added) == 2
    course = db.session.scalar(select(Course))
    assert course.hours == 1.5 and [l.title for l in course.lessons] == ["第一课", "第二课"]
    assert "<table>" in lessons()["01-first"].body_html


def test_second_sync_of_unchanged_files_changes_nothing(app, tmp_path):
    write_course(tmp_path)
    sync_courses(tmp_path)
    before = {l.slug: (l.version, l.updated_at) for l in lessons().values()}
    report = sync_courses(tmp_path)
    assert not report.changed and report.unchanged == 2
    db.session.expire_all()
    assert {l.slug: (l.version, l.updated_at) for l in lessons().values()} == before


def test_a_lesson_rendered_by_an_older_renderer_is_rendered_again_without_a_new_version(app, tmp_path):
    write_course(tmp_path)
    sync_courses(tmp_path)
    stale = lessons()["01-first"]  # as a sanitiser or a search-text rule of an earlier release left it
    fresh = (stale.body_html, stale.plain_text)
    stale.body_html, stale.plain_text = "<p onclick=x>旧的</p>", "## 旧的 **正文**"
    db.session.commit()
    report = sync_courses(tmp_path)
    assert report.lessons_changed == ["demo/01-first"] and report.unchanged == 1
    db.session.expire_all()
    lesson = lessons()["01-first"]
    assert (lesson.body_html, lesson.plain_text) == fresh and lesson.version == 1  # progress stays valid


def test_changed_lesson_gets_a_new_version_and_progress_is_kept(app, tmp_path, factory):
    course_dir = write_course(tmp_path)
    sync_courses(tmp_path)
    user = factory.user("officer")
    first = lessons()["01-first"]
    db.session.add(LessonProgress(user_id=user.id, lesson_id=first.id, completed_at=func.now(),
                                  completed_version=1))
    db.session.commit()
    (course_dir / "01-first.md").write_text("## 新内容\n\n改写后的课文。", encoding="utf-8")
    report = sync_courses(tmp_path)
    assert report.lessons_changed == ["demo/01-first"]
    db.session.expire_all()
    lesson = lessons()["01-first"]
    assert lesson.version == 2 and "改写后的课文" in lesson.body_html
    assert db.session.scalar(select(func.count()).select_from(LessonVersion)
                             .where(LessonVersion.lesson_id == lesson.id)) == 2
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at is not None and progress.completed_version == 1


def test_removed_lesson_is_retired_not_deleted(app, tmp_path):
    write_course(tmp_path)
    sync_courses(tmp_path)
    write_course(tmp_path, lessons=[("01-first", "第一课", 1.0)])
    report = sync_courses(tmp_path)
    assert report.lessons_retired == ["demo/02-second"]
    assert lessons()["02-second"].is_retired
    assert [l.slug for l in db.session.scalar(select(Course)).lessons] == ["01-first"]


def test_malformed_manifest_names_file_and_line_and_changes_nothing(app, tmp_path):
    course_dir = write_course(tmp_path)
    sync_courses(tmp_path)
    (course_dir / "01-first.md").write_text("## 改过\n", encoding="utf-8")  # a valid change...
    manifest = course_dir / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "objectives: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:  # ...is not applied because another file is bad
        sync_courses(tmp_path)
    problem = error.value.problems[0]
    assert str(manifest) in problem and problem.split(":")[1].isdigit()
    db.session.expire_all()
    assert lessons()["01-first"].version == 1


def test_broken_lesson_link_and_missing_image_are_reported_with_lines(app, tmp_path):
    course_dir = write_course(tmp_path)
    (course_dir / "02-second.md").write_text("## 一\n\n见[不存在](09-none.md)。\n\n![图](images/none.svg)\n",
                                             encoding="utf-8")
    with pytest.raises(ContentError) as error:
        sync_courses(tmp_path)
    problems = "\n".join(error.value.problems)
    assert "02-second.md:3" in problems and "09-none.md" in problems
    assert "02-second.md:5" in problems and "images/none.svg" in problems
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_hours_must_add_up(app, tmp_path):
    course_dir = write_course(tmp_path)
    manifest = course_dir / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("hours: 1.5", "hours: 3"), encoding="utf-8")
    with pytest.raises(ContentError, match="合计"):
        sync_courses(tmp_path)


def test_cross_course_links_resolve_to_lesson_urls(app, tmp_path):
    write_course(tmp_path, "02-other", "other", title="另一门")
    course_dir = write_course(tmp_path)
    (course_dir / "02-second.md").write_text("## 一\n\n见[第一课](01-first.md#第一节)和[别处](../02-other/01-first.md)。",
                                             encoding="utf-8")
    sync_courses(tmp_path)
    html = db.session.scalar(select(Lesson).join(Course).where(Course.slug == "demo", Lesson.slug == "02-second")).body_html
    assert 'href="/courses/demo/01-first#%E7%AC%AC%E4%B8%80%E8%8A%82"' in html  # 第一节, URL-encoded and 'href="/courses/other/01-first"' in html
