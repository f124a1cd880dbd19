"""What the API tests share: a token, a current program, a push row."""

from datetime import date

import pytest

from lms.api.models import create_token
from lms.extensions import db
from lms.programs.models import Program
from tests.conftest import make_uscc


@pytest.fixture
def token(app):
    _token, plain = create_token("备案登记系统")
    db.session.commit()
    return plain


def auth(plain):
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def program(app):
    program = Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True, target_percent=100)
    db.session.add(program)
    db.session.commit()
    return program


def row(**kw):
    values = {"enterprise_name": "推送企业", "uscc": make_uscc(7), "town": "东街道", "size": "小型",
              "above_scale": "否", "officer_name": "孙八", "position": "质量总监", "mobile": "13912345678",
              "appointed_on": "2025-01-02", "filed_on": "2025-01-05"}
    values.update(kw)
    return values
