"""The navigation bar: what each role can reach."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.core.auth import ADMIN, OFFICER, STAFF, has_role

# (endpoint, label, role): a role sees its own items and those of the roles below it,
# except officer items, which are for learners only.
ITEMS = [
    ("accounts.dashboard", _l("我的学习"), OFFICER),
    ("catalog.index", _l("课程"), OFFICER),
    ("exams.index", _l("考试"), OFFICER),
    ("certificates.mine", _l("证书"), OFFICER),
    ("coverage.dashboard", _l("覆盖率"), STAFF),
    ("registry.filings", _l("备案名册"), STAFF),
    ("registry.enterprises", _l("企业"), STAFF),
    ("registry.import_roster", _l("导入名册"), STAFF),
    ("registry.towns", _l("镇街"), STAFF),
    ("programs.index", _l("培训计划"), STAFF),
    ("catalog_staff.numbers", _l("课程管理"), STAFF),
    ("exams_staff.exams", _l("考试管理"), STAFF),
    ("exams_staff.questions", _l("题库"), STAFF),
    ("certificates_staff.index", _l("证书"), STAFF),
    ("admin.users", _l("用户"), ADMIN),
    ("admin.audit_log", _l("操作日志"), ADMIN),
]


_cache: dict[tuple[str, str], list[tuple[str, str]]] = {}


def navigation() -> list[tuple[str, str]]:
    """The items the current user's role sees, in the current language (cached: they are static)."""
    if not current_user or not current_user.is_authenticated:
        return []
    key = (current_user.role, str(get_locale()))
    if key not in _cache:
        _cache[key] = _items(current_user)
    return _cache[key]


def _items(user) -> list[tuple[str, str]]:
    items = []
    for endpoint, label, role in ITEMS:
        if role == OFFICER and user.role != OFFICER:
            continue
        if has_role(user, role):
            try:
                items.append((url_for(endpoint), str(label)))
            except Exception:  # an endpoint of a domain not registered in this app
                continue
    return items
