"""CQO Academy: the Flask application factory."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import Config
from lms.core.driver_read import release_read_connection
from lms.core.files import private_dir
from lms.core.i18n import install_template_gettext, shown_text
from lms.core.i18n import select_locale as _select_locale
from lms.core.ids import IdConverter
from lms.core.sessions import CookieSessionInterface, csrf_token, session_identifier
from lms.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")

# Our own origin only: no CDN, no inline script. Inline style attributes are allowed for
# progress-bar widths and chart sizes, nothing else.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


_FIXED_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                  ("Referrer-Policy", "same-origin"))
HSTS = ("Strict-Transport-Security", "max-age=31536000")  # when the base URL is https://


def create_app(config: Any = None) -> Flask:
    """Build the application; config is a Config-like object (defaults from the environment)."""
    config = config or Config()
    app = Flask(__name__, instance_path=getattr(config, "INSTANCE_PATH", None))
    app.config.from_object(config)
    app.url_map.converters["int"] = IdConverter  # before any route: ids past 32 bits are a 404
    private_dir(app.instance_path)  # the SQLite file, the keys, uploads and backups
    app.session_interface = CookieSessionInterface()
    _check_coroutines_once(app)

    db.init_app(app)
    app.teardown_request(release_read_connection)  # back to the pool after each request,
    app.teardown_appcontext(release_read_connection)  # and after reads outside one (CLI)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = csrf_token  # Flask-WTF's, signing once per session
    limiter.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=_babel_locale)
    install_template_gettext(app, _select_locale)
    # A programme's name, an exam's title: its English on an English page, else the Chinese marked so.
    app.jinja_env.globals["shown_text"] = shown_text
    _init_login(app)
    _register_blueprints(app)
    _register_hooks(app)

    import lms.coverage.reminders  # noqa: F401 - its model belongs to the schema
    from lms.certificates.service import on_progress
    from lms.core.signals import progress_made

    progress_made.connect(on_progress)

    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)
    if app.config.get("PROXY_COUNT"):  # outermost, so that every part sees the visitor's address
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    else:
        _warn_of_an_unnamed_proxy(app)
    return app


def _warn_of_an_unnamed_proxy(app: Flask) -> None:
    """Behind nginx with LMS_PROXY_COUNT unset, every visitor has the proxy's address: the
    sign-in limits per address would count a whole exam morning as one person. The first
    request that came through a proxy says so in the log, once."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        if "HTTP_X_FORWARDED_FOR" in environ:
            app.logger.warning("a request came through a proxy (X-Forwarded-For) but LMS_PROXY_COUNT is 0: "
                               "every visitor has the proxy's address and shares its sign-in limits; "
                               "set LMS_PROXY_COUNT to the number of proxies in front of the app")
            app.wsgi_app = inner  # said once
        return inner(environ, start_response)

    app.wsgi_app = wsgi


def _check_coroutines_once(app: Flask) -> None:
    """Flask asks inspect whether each hook and view is a coroutine function before every
    call, a tenth of a plain request's time here; the answer never changes."""
    answers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    ensure_sync = app.ensure_sync

    def ensure_sync_once(func):
        try:
            return answers[func]
        except KeyError:
            answers[func] = found = ensure_sync(func)
            return found
        except TypeError:  # not weakly referable
            return ensure_sync(func)

    app.ensure_sync = ensure_sync_once


# Parsed once: babel's Locale.parse of a string scans every known locale on each call.
_LOCALES = {code: Locale.parse(code) for code in ("zh_CN", "en")}


def _babel_locale() -> Locale:
    return _LOCALES[_select_locale()]


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext

    login_manager.init_app(app)
    login_manager._session_identifier_generator = session_identifier
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("请先登录。")
    login_manager.login_message_category = "warning"

    from flask_login import user_loaded_from_cookie

    from lms.accounts.language import restore_language
    from lms.accounts.loading import load_user

    login_manager.user_loader(load_user)
    user_loaded_from_cookie.connect(restore_language, app)


def _register_blueprints(app: Flask) -> None:
    from lms.accounts.staff_views import bp as accounts_staff_bp
    from lms.accounts.views import admin_bp
    from lms.accounts.views import bp as accounts_bp
    from lms.api.admin_views import bp as tokens_bp
    from lms.api.views import bp as api_bp
    from lms.assessment.staff_views import bp as exams_staff_bp
    from lms.assessment.views import bp as exams_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.catalog.views import staff_bp as catalog_staff_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.certificates.views import staff_bp as certificates_staff_bp
    from lms.certificates.views import verify_bp, wellknown_bp
    from lms.core.views import bp as core_bp
    from lms.coverage.views import bp as coverage_bp
    from lms.programs.views import bp as programs_bp
    from lms.registry.views import bp as registry_bp
    from lms.workshops import door, room_views  # noqa: F401 - their routes join the staff workshops blueprint
    from lms.workshops.staff_views import bp as workshops_staff_bp
    from lms.workshops.views import bp as workshops_bp

    for blueprint in (core_bp, accounts_bp, admin_bp, accounts_staff_bp, registry_bp, catalog_bp, catalog_staff_bp,
                      exams_bp, exams_staff_bp, certificates_bp, certificates_staff_bp, verify_bp,
                      wellknown_bp, programs_bp, coverage_bp, api_bp, tokens_bp, workshops_bp,
                      workshops_staff_bp):
        app.register_blueprint(blueprint)


def _register_hooks(app: Flask) -> None:
    from lms.core import errors, transactions

    errors.register(app)
    transactions.install(app)

    hsts = app.config.get("HTTPS", False)

    @app.after_request
    def security_headers(response):
        # Added, not set by default one by one: each setdefault scans the headers, and this
        # runs on every response. Views may set their own CSP and Cache-Control, no others.
        headers = response.headers
        headers.extend(_FIXED_HEADERS)
        if hsts:
            headers.add(*HSTS)
        if "Content-Security-Policy" not in headers:
            headers.add("Content-Security-Policy", CSP)
        endpoint = request.endpoint
        if endpoint and not endpoint.endswith("static") and "Cache-Control" not in headers:
            headers.add("Cache-Control", "no-store")
        return response

    @app.template_global()
    def url_with(**changes) -> str:
        """The current URL with some query arguments changed (paging, filters)."""
        args = request.args.to_dict()
        args.update({k: v for k, v in changes.items() if v is not None})
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    @app.context_processor
    def inject_globals():
        from lms.core.auth import has_role
        from lms.core.nav import layout_links, navigation
        from lms.core.urls import public_url_is_local

        return {
            "has_role": has_role,
            "public_url_is_local": public_url_is_local,  # links handed out would open on this PC only
            "nav_items": navigation(),
            "layout_links": layout_links(),
            "languages": app.config["LANGUAGES"],
            "current_lang": _select_locale(),
            "bureau_name": app.config["BUREAU_NAME_EN" if _select_locale() == "en" else "BUREAU_NAME"],
            "csrf_token": csrf_token,  # in place of Flask-WTF's own, which signs on every page
        }


from lms import models as _models  # noqa: E402,F401  every model, before anything builds a query (lms/models.py)
