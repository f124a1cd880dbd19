"""The roster list's 培训 column says each current officer's standing as the dashboard and the
chase list count it: 已培训, 学习中, 未开始, or 未认领 where no account is linked yet."""

import re
from datetime import UTC, date, datetime

from lms.catalog.models import Course, Lesson, LessonProgress
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.programs.models import Program


def test_the_roster_list_shows_the_chase_lists_standings(as_staff, factory):
    program = Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1), deadline=date(2099, 12, 31),
                      is_current=True)
    course = Course(slug="c", folder="c", title="课", hours=1)
    db.session.add_all([program, course])
    db.session.flush()
    lesson = Lesson(course_id=course.id, slug="l", title="课", source_hash="x", body_html="", plain_text="")
    db.session.add(lesson)
    trained, studying, idle = (factory.user("officer") for _ in range(3))
    for name, user in (("甲已训", trained), ("乙在学", studying), ("丙未动", idle), ("丁无号", None)):
        factory.filing(officer_name=name, user_id=user.id if user else None)
    db.session.add(Certificate(serial="S-1", user_id=trained.id, program_id=program.id, holder_name="甲已训",
                               issued_on=date(2026, 5, 1), expires_on=date(2099, 5, 1), status="valid"))
    db.session.add(LessonProgress(user_id=studying.id, lesson_id=lesson.id,
                                  first_opened_at=datetime(2026, 3, 1, tzinfo=UTC)))
    db.session.commit()
    page = as_staff.get("/staff/registry/filings").get_data(as_text=True)
    cells = {name: re.sub(r"<[^>]+>", "", row.rsplit("<td>", 1)[1]).strip()
             for name, row in re.findall(r'>(甲已训|乙在学|丙未动|丁无号)</a></td>(.*?)</tr>', page, re.S)}
    assert cells == {"甲已训": "已培训", "乙在学": "学习中", "丙未动": "未开始", "丁无号": "未认领"}
    chase = as_staff.get("/staff/coverage/chase").get_data(as_text=True)
    row = re.search(r"<tr>(?:(?!</tr>).)*乙在学(?:(?!</tr>).)*</tr>", chase, re.S).group(0)
    assert "学习中" in row  # the chase list says the same of the one studying
