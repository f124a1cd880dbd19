"""Demo data for a first look: towns of 相山区, enterprises, filings, and accounts."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.accounts.service import create_user
from lms.core.auth import ADMIN, OFFICER, STAFF
from lms.core.clock import local_date
from lms.core.models import utcnow
from lms.extensions import db
from lms.registry.identifiers import USCC_ALPHABET, uscc_check_char
from lms.registry.models import Enterprise, Filing, Town

TOWNS = ("相南街道", "东山街道", "南黎街道", "任圩街道", "曲阳街道", "三堤口街道", "渠沟镇", "凤凰山经济开发区")

ENTERPRISES = [  # name, industry code, industry, scale, above scale, town index
    ("淮北市相山区恒润食品有限公司", "C1431", "速冻食品制造", "medium", True, 0),
    ("淮北瑞丰乳业有限公司", "C1441", "液体乳制造", "large", True, 7),
    ("淮北市东山精密机械有限公司", "C3484", "机械零部件加工", "medium", True, 1),
    ("相山区南黎纺织有限公司", "C1713", "棉印染精加工", "small", False, 2),
    ("淮北市曲阳建材有限公司", "C3021", "水泥制品制造", "small", True, 4),
    ("淮北任圩电子科技有限公司", "C3982", "电子电路制造", "medium", True, 3),
    ("淮北市三堤口包装制品厂", "C2231", "纸和纸板容器制造", "micro", False, 5),
    ("渠沟镇绿源农副产品加工有限公司", "C1371", "蔬菜加工", "small", False, 6),
    ("淮北凤凰山新材料股份有限公司", "C2653", "合成纤维单体制造", "large", True, 7),
    ("淮北市相南餐饮管理有限公司", "H6210", "正餐服务", "small", False, 0),
    ("淮北东山汽车配件有限公司", "C3670", "汽车零部件及配件制造", "medium", True, 1),
    ("淮北市曲阳医疗器械有限公司", "C3585", "机械治疗及病房护理设备制造", "small", False, 4),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (  # given name and the gender it usually goes with, so a filing's 性别 fits its name
    ("伟", "男"), ("芳", "女"), ("娜", "女"), ("敏", "女"), ("静", "女"), ("丽", "女"), ("强", "男"),
    ("磊", "男"), ("洋", "男"), ("艳", "女"), ("勇", "男"), ("军", "男"), ("杰", "男"), ("娟", "女"),
    ("涛", "男"), ("明", "男"), ("超", "男"), ("秀英", "女"), ("建国", "男"), ("晓东", "男"),
)
EXAM_QUESTIONS, EXAM_POINTS = 30, 2  # 60 points; the pass mark is 60 %
POSITIONS = ("副总经理", "质量总监", "总工程师", "质量副总", "常务副总经理")


def demo_uscc(rng: random.Random) -> str:
    """A code with a correct GB 32100 check character, registered in 相山区 (340603)."""
    body = "91340603" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


class DemoAccount(NamedTuple):
    role: str
    login: str
    password: str
    note: str  # what the account shows a newcomer


def load_demo(only_if_empty: bool = True, seed: int = 2026) -> list[DemoAccount]:
    """Create the demo roster and accounts; returns their credentials, to print once."""
    if only_if_empty and db.session.scalar(select(func.count(User.id))):
        return []
    rng = random.Random(seed)
    towns = []
    for order, name in enumerate(TOWNS):
        town = db.session.scalar(select(Town).where(Town.name == name)) or Town(name=name, sort_order=order)
        db.session.add(town)
        towns.append(town)
    filings = []
    for index, (name, code, industry, scale, above, town_index) in enumerate(ENTERPRISES):
        ent = Enterprise(uscc=demo_uscc(rng), name=name, industry_code=code, industry_name=industry,
                         scale=scale, is_above_scale=above, town=towns[town_index])
        db.session.add(ent)
        appointed = date(2021, 1, 4) + timedelta(days=rng.randrange(0, 900))
        if index % 4 == 1:  # a succession: the first CQO left, the successor was filed
            successor_on = appointed + timedelta(days=rng.randrange(200, 500))
            db.session.add(_filing(rng, ent, appointed, status="replaced", ended_on=successor_on,
                                   end_reason="离职", number=f"XS-{index:03d}-1"))
            appointed = successor_on
        filings.append(_filing(rng, ent, appointed, number=f"XS-{index:03d}"))
        db.session.add(filings[-1])
    db.session.flush()
    requirements = _demo_requirements()
    exam = _demo_exam([r["course"] for r in requirements if r["industries"] is None])
    _demo_program(exam, requirements)
    credentials = _demo_accounts(filings)
    _demo_workshops(filings[:3], towns)
    _demo_learning(filings[:3], exam)
    return credentials


def _demo_requirements() -> list[dict]:
    """Every synced course its manifest requires: of everyone (industries None) or of some
    industries; an optional course (required_for: []) is left out."""
    from lms.catalog.models import Course

    requirements = []
    for course in db.session.scalars(select(Course).where(Course.is_active).order_by(Course.position)):
        if course.required_for == "all":
            requirements.append({"course": course.slug, "industries": None})
        elif course.required_for:
            requirements.append({"course": course.slug, "industries": list(course.required_for)})
    return requirements


def _demo_program(exam, requirements: list[dict]) -> None:
    """The current program: the courses' manifests say who must take which."""
    from lms.programs.models import Program

    db.session.add(Program(name="2026 年首席质量官培训", name_en="2026 Chief Quality Officer Training",
                           requirements=requirements,
                           # 24 study hours: the required courses give more; workshops count too.
                           exam_id=exam.id if exam else None, hours_required=24,
                           starts_on=date(2026, 3, 1), deadline=date(2026, 12, 31), target_percent=100,
                           certificate_months=36, is_current=True,
                           description="质量月（9 月）集中培训与全年在线学习相结合。"))


def _demo_exam(courses: list[str]):
    """The final exam over the courses every officer must take, whatever the industry: a
    paper never asks about a course the officer's program calls optional or another
    industry's. Its questions are shared out evenly, the first courses taking any remainder."""
    from lms.assessment.models import Exam
    from lms.assessment.service import check_rules

    if not courses:
        return None
    share, extra = divmod(EXAM_QUESTIONS, len(courses))
    rules = [{"topic": slug, "kind": None, "difficulty": None, "points": EXAM_POINTS,
              "count": share + (1 if i < extra else 0)} for i, slug in enumerate(courses)]
    if check_rules(rules):  # the bank is not synced, or too small for these rules
        return None
    exam = Exam(title="2026 年首席质量官培训结业考试", rules=rules, time_limit_minutes=60,
                title_en="2026 Chief Quality Officer Training: Final Exam",
                pass_percent=60, attempts_allowed=3, wait_minutes=10, is_active=True,
                description=f"覆盖各行业都必修的 {len(courses)} 门课程，共 {EXAM_QUESTIONS} 题。",
                description_en=f"Covers the {len(courses)} courses every industry must take;"
                               f" {EXAM_QUESTIONS} questions.")
    db.session.add(exam)
    db.session.flush()
    return exam


def _filing(rng, ent, appointed, status="current", ended_on=None, end_reason="", number=None):
    surname = rng.choice(SURNAMES)
    given, gender = rng.choice(GIVEN)
    name = surname + given
    return Filing(enterprise=ent, filing_no=number, officer_name=name, position=rng.choice(POSITIONS),
                  mobile="13" + "".join(rng.choice("0123456789") for _ in range(9)),
                  appointed_on=appointed, filed_on=appointed + timedelta(days=rng.randrange(3, 30)),
                  status=status, ended_on=ended_on, end_reason=end_reason,
                  gender=gender, education=rng.choice(("大专", "本科", "硕士")),
                  title=rng.choice(("质量工程师", "高级工程师", "工程师")), years_in_quality=rng.randrange(3, 20))


def _demo_accounts(filings: list[Filing]) -> list[DemoAccount]:
    credentials = []

    def account(role: str, name: str, note: str, **login) -> User:
        password = secrets.token_urlsafe(9)
        user = create_user(name, password, role=role, **login)
        credentials.append(DemoAccount(role, user.login, password, note))
        return user

    account(ADMIN, "系统管理员", "账号、角色、审计日志", email="admin@example.gov.cn")
    account(STAFF, "质量科工作人员", "名册、培训班、覆盖率", email="staff@example.gov.cn")
    notes = ("参加过质量月培训班，在线课程未开始", "学习中：第一门课已学完", "已完成培训，持有证书")
    for filing, note in zip(filings[:3], notes, strict=True):  # three officers who have claimed their filing
        user = account(OFFICER, filing.officer_name, f"{filing.officer_name}，{note}", phone=filing.mobile)
        filing.user_id = user.id
        user.last_login_at = utcnow()  # registered themselves, and signed in since
    db.session.commit()
    return credentials


def _demo_workshops(claimed: list[Filing], towns: list[Town]) -> None:
    """Quality Month's workshop (attended by the first demo officer) and three to come."""
    from lms.core.models import utcnow
    from lms.programs.service import current_program
    from lms.workshops.models import ATTENDED, ENROLLED, Enrollment, Workshop
    from lms.workshops.service import new_checkin_code

    program = current_program()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    today_9am = now.replace(hour=1)  # 09:00 in Shanghai
    september = today_9am.replace(month=9, day=15) if now.month > 9 else today_9am.replace(
        year=now.year - 1, month=9, day=15)
    plans = [  # title, topic, start, hours long, capacity, credited hours, industries, town
        ("质量月专题培训：HACCP 体系建立实务", "HACCP", september, 3, 60, 3.0, ["C13", "C14", "C15", "H62"], None),
        ("计量器具管理与强制检定实务", "计量", today_9am + timedelta(days=14), 3, 40, 3.0, [], None),
        ("企业标准自我声明与“领跑者”申报辅导", "标准化", today_9am + timedelta(days=21, hours=5), 2, 30, 2.0, [], None),
        ("小微企业 5S 现场管理入门（渠沟镇专场）", "5S", today_9am + timedelta(days=28), 3, 25, 3.0, [], towns[6]),
    ]
    workshops = []
    for title, topic, start, length, capacity, hours, industries, town in plans:
        workshop = Workshop(title=title, topic=topic, program_id=program.id if program else None,
                            trainer="区市场监管局质量发展科", venue="相山区政务服务中心三楼培训室",
                            starts_at=start, ends_at=start + timedelta(hours=length), capacity=capacity,
                            hours=hours, audience_industries=industries, audience_town=town,
                            enrol_closes_at=start - timedelta(days=1))
        db.session.add(workshop)
        workshops.append(workshop)
    db.session.flush()
    first, second = claimed[0], claimed[1]
    db.session.add_all([
        Enrollment(workshop_id=workshops[0].id, user_id=first.user_id, status=ATTENDED, queued_at=september - timedelta(days=7),
                   checkin_code=new_checkin_code(), checked_in_at=september - timedelta(minutes=10),
                   checked_in_by="staff", hours_credited=workshops[0].hours),
        Enrollment(workshop_id=workshops[1].id, user_id=second.user_id, status=ENROLLED, queued_at=now,
                   checkin_code=new_checkin_code()),
    ])
    db.session.commit()


def _demo_learning(claimed: list[Filing], exam) -> None:
    """The third demo officer finished about seven weeks ago (every required lesson, the exam,
    the certificate), the second is part-way through the first course, the first has only
    the workshop: the coverage dashboard, its trend, the chase list and /verify have
    something real to show. Done through the services an officer's clicks call."""
    from lms.assessment.grading import correct_response
    from lms.assessment.models import Attempt, AttemptQuestion
    from lms.assessment.service import start_attempt, submit
    from lms.catalog.models import Course, Lesson, LessonProgress
    from lms.certificates.models import Certificate
    from lms.certificates.service import add_months, issue_if_complete, make_serial
    from lms.core.audit import AuditEntry
    from lms.core.models import utcnow
    from lms.programs.service import current_program

    program = current_program()
    if program is None or exam is None:  # no content synced: nothing to study
        return
    now = utcnow()
    finished, partway = (db.session.get(User, filing.user_id) for filing in (claimed[2], claimed[1]))

    def study(user: User, slugs: list[str], days_ago: int) -> datetime:
        """A lesson a day at 09:30 in Shanghai, read for longer than its reading time."""
        lessons = db.session.scalars(select(Lesson).join(Course).where(
            Course.slug.in_(slugs), Course.is_active, Lesson.is_retired.is_(False))
            .order_by(Course.position, Lesson.position))
        morning = now.replace(hour=1, minute=30, second=0, microsecond=0) - timedelta(days=days_ago)
        done = morning
        for day, lesson in enumerate(lessons):
            opened = morning + timedelta(days=day)
            done = opened + timedelta(minutes=40 * lesson.hours + 5)
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, first_opened_at=opened,
                                          last_opened_at=done, completed_at=done,
                                          completed_version=lesson.version))
        return done

    required = program.required_courses(claimed[2].enterprise.industry_code)
    studied_until = study(finished, required, days_ago=75)
    study(partway, required[:1], days_ago=12)
    db.session.commit()
    attempt = start_attempt(exam, finished.id)
    items = db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id)
                               .order_by(AttemptQuestion.position)).all()
    for item in items[:-4]:  # four left unanswered: a pass, not a perfect score
        if item.frozen["kind"] in ("single", "multiple", "truefalse", "matching"):
            item.response = correct_response(item.frozen)
    db.session.commit()
    submit(attempt)
    sat = studied_until.replace(hour=6, minute=0) + timedelta(days=1)  # 14:00 the next day
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        started_at=sat, deadline_at=sat + timedelta(minutes=exam.time_limit_minutes),
        submitted_at=sat + timedelta(minutes=35)))
    cert = issue_if_complete(finished, program) or db.session.scalar(
        select(Certificate).where(Certificate.user_id == finished.id))
    if cert is not None:  # dated when the exam completed the program, and logged then too
        issued_at = sat + timedelta(minutes=35)
        issued_serial = cert.serial
        cert.issued_on = local_date(issued_at)
        cert.expires_on = add_months(cert.issued_on, program.certificate_months)
        cert.serial = make_serial(cert.issued_on.year, cert.id)  # the serial names the year of issue
        db.session.execute(update(AuditEntry).where(
            AuditEntry.action == "certificate.issued", AuditEntry.target == issued_serial)
            .values(at=issued_at, target=cert.serial))
    db.session.commit()
