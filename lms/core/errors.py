"""Error pages that say what happened in the user's language."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _page(status: int, title: str, message: str, **extra):
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("error.html", status=status, title=title, message=message, **extra), status


def answer_errors_under(app: Flask, prefix: str, handler: Callable) -> None:
    """Let an API answer the HTTP errors of its paths in its own shape and language. Its
    blueprint's handlers see the errors of its views; this hands it those that routing raises
    before any blueprint is known (an unknown path, a method no route takes), which Flask gives
    to the app's handlers only."""
    app.extensions.setdefault("lms_error_prefixes", []).append((prefix, handler))


def _deferred(error):
    """The answer of the API whose paths the request is under, or None."""
    for prefix, handler in current_app.extensions.get("lms_error_prefixes", ()):
        if request.path.startswith(prefix):
            return handler(error)
    return None


def register(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        return _page(400, _("请求有误"), getattr(error, "description", "") or "")

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, _("页面已过期"), _("表单的安全令牌缺失或已失效。请返回上一页，刷新后重新提交。"))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("没有权限"), _("您的账号没有访问此页面的权限。"))

    @app.errorhandler(404)
    def not_found(error):
        return _deferred(error) or _page(404, _("页面不存在"), _("您要找的页面不存在或已被移除。"))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _deferred(error) or error  # elsewhere Werkzeug's own page, as before

    @app.errorhandler(413)
    def too_large(error):
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _page(413, _("文件过大"), _("上传的文件超过了允许的 %(mb)s MB。请删去不需要的内容，或分成几个文件上传。",
                                         mb=round(limit / 2**20)) if limit else _("上传的文件超过了允许的大小。"))

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("操作过于频繁"), _limit_text(error), wait=_wait_text(), back=_back_link())

    @app.errorhandler(500)
    def server_error(error):
        from lms.extensions import db

        db.session.rollback()  # a failed flush leaves the session unusable, and the page reads it
        return _page(500, _("服务器错误"), _("系统出现了问题，请稍后再试；如果持续出现，请联系管理员。"))


def _limit_text(error) -> str:
    """'30 per 1 minute' in the page's language: 尝试次数过多（每分钟最多 30 次），请稍后再试。"""
    item = getattr(getattr(error, "limit", None), "limit", None)
    periods = {"second": _("每秒"), "minute": _("每分钟"), "hour": _("每小时"), "day": _("每天")}
    if item is None or item.multiples != 1 or item.GRANULARITY.name not in periods:
        return _("尝试次数过多，请稍后再试。")
    return _("尝试次数过多（%(period)s最多 %(n)s 次），请稍后再试。",
             period=periods[item.GRANULARITY.name], n=item.amount)


def _wait_text() -> str | None:
    """How long until the limit lets the visitor try again, as the Retry-After header says it:
    45 秒后可以再试。 / 3 分钟后可以再试。 (None when the limiter knows no reset time)."""
    seconds = _seconds_until_reset()
    if seconds is None:
        return None
    wait = _("%(n)s 秒", n=seconds) if seconds <= 60 else _("%(n)s 分钟", n=math.ceil(seconds / 60))
    return _("%(wait)s后可以再试。", wait=wait)


def _seconds_until_reset() -> int | None:
    from lms.extensions import limiter

    try:
        return max(int(limiter.current_limit.reset_at - time.time()), 1)
    except Exception:  # noqa: BLE001 - no limit in this request, or its storage is unreachable
        return None


def _back_link() -> tuple[str, str] | None:
    """The way back to a refused form: the sign-in page, or the form's own page where the
    address that was posted to also shows it (not an action such as starting an exam)."""
    if request.endpoint == "accounts.login":
        return url_for("accounts.login", next=request.args.get("next")), _("返回登录")
    if request.method == "POST" and request.url_rule is not None and "GET" in request.url_rule.methods:
        return request.full_path.rstrip("?"), _("返回")
    return None
