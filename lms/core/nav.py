"""The navigation bar: what each role can reach, grouped so that it fits a laptop screen."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _pl  # list pages are plural in English
from flask_login import current_user

from lms.core.auth import ADMIN, OFFICER, STAFF, has_role

# (group, endpoint, label, role): a role sees its own items and those of the roles below it,
# except officer items, which are for learners only. Items of one group share a dropdown.
ITEMS = [
    (None, "accounts.dashboard", _l("我的学习"), OFFICER),
    (None, "catalog.index", _l("课程"), OFFICER),
    (None, "exams.index", _l("考试"), OFFICER),
    (None, "workshops.index", _l("线下培训"), OFFICER),
    (None, "certificates.mine", _l("证书"), OFFICER),
    (None, "coverage.dashboard", _l("覆盖率"), STAFF),
    (_l("名册"), "registry.filings", _l("备案名册"), STAFF),
    (_l("名册"), "registry.enterprises", _pl("page title", "企业"), STAFF),
    (_l("名册"), "registry.import_roster", _l("导入名册"), STAFF),
    (_l("名册"), "registry.invitations", _pl("page title", "邀请码"), STAFF),
    (_l("名册"), "registry.towns", _pl("page title", "镇街"), STAFF),
    (_l("名册"), "coverage.outbox", _l("发件箱"), STAFF),
    (_l("培训"), "programs.index", _l("培训计划"), STAFF),
    (_l("培训"), "workshops_staff.index", _l("培训班"), STAFF),
    (_l("培训"), "catalog_staff.numbers", _l("课程管理"), STAFF),
    (_l("培训"), "exams_staff.exams", _l("考试管理"), STAFF),
    (_l("培训"), "exams_staff.questions", _l("题库"), STAFF),
    (_l("培训"), "certificates_staff.index", _l("证书"), STAFF),
    (_l("系统"), "admin.users", _l("用户"), ADMIN),
    (_l("系统"), "admin.audit_log", _l("操作日志"), ADMIN),
    (_l("系统"), "tokens.index", _l("接口令牌"), ADMIN),
]

_cache: dict[tuple[str, str, str], list] = {}


def navigation() -> list[tuple[str, object]]:
    """[(label, url)] for single links and [(label, [(url, label), ...])] for dropdowns, in
    the current user's role and language (cached per process: they are static)."""
    if not current_user or not current_user.is_authenticated:
        return [(_l("证书查验"), url_for("verify.certificate"))]  # what anyone may do here
    key = (current_user.role, str(get_locale()), request.script_root)  # a proxy's prefix, or none
    if key not in _cache:
        _cache[key] = _items(current_user)
    return _cache[key]


def _items(user) -> list[tuple[str, object]]:
    entries: list[tuple[str, object]] = []
    groups: dict[str, list] = {}
    for group, endpoint, label, role in ITEMS:
        if (role == OFFICER and user.role != OFFICER) or not has_role(user, role):
            continue
        try:
            url = url_for(endpoint)
        except Exception:  # an endpoint of a domain not registered in this app
            continue
        if group is None:
            entries.append((str(label), url))
        else:
            if str(group) not in groups:
                groups[str(group)] = []
                entries.append((str(group), groups[str(group)]))
            groups[str(group)].append((url, str(label)))
    return entries


_links: dict[str, dict[str, str]] = {}


def layout_links() -> dict[str, str]:
    """The base layout's fixed URLs and asset tags, built once per mount point: url_for
    costs more than everything else in rendering a link (bench/lesson_page.py)."""
    root = request.script_root
    links = _links.get(root)
    if links is None:
        from lms.extensions import bootstrap

        links = {
            "home": url_for("core.home"), "login": url_for("accounts.login"),
            "logout": url_for("accounts.logout"), "password": url_for("accounts.change_password"),
            "account": url_for("accounts.account"),
            "app_css": url_for("static", filename="css/app.css"),
            "favicon": url_for("static", filename="favicon.svg"),
            "app_js": url_for("static", filename="js/app.js"),
            "bootstrap_css": bootstrap.load_css(), "bootstrap_js": bootstrap.load_js(),
        }
        if len(_links) < 8:  # a server has one or two mount points; never grow without bound
            _links[root] = links
    return links
