"""A signed-in officer's lesson page under load, against a bare Flask endpoint that returns
the same bytes, both on gunicorn sync workers and loaded by wrk in the same run.

    .venv/bin/python bench/lesson_page.py [--quick] [--database URL]

Without --database it runs on SQLite and, when LMS_TEST_DATABASE_URL (or --postgres URL)
names a PostgreSQL database, there too.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import urllib.request
from pathlib import Path

from _common import emit, fresh_app
from _serve import ROOT, gunicorn, wrk

USER_AGENT = "Mozilla/5.0 (bench/lesson_page.py)"


def prepare(database_url: str | None):
    """A database with the real courses and one signed-in officer; returns env, URL path, cookie."""
    from lms.catalog.sync import sync_courses
    from lms.extensions import db

    app, instance = fresh_app(database_url)
    with app.app_context():
        sync_courses(Path(os.environ.get("LMS_CONTENT_ROOT", ROOT)))
        from lms.accounts.service import create_user
        from lms.catalog.models import Lesson

        create_user("压测学员", "bench-password-1", phone="13900000001")
        db.session.commit()
        lesson = db.session.query(Lesson).order_by(Lesson.id).first()
        path = f"/courses/{lesson.course.slug}/{lesson.slug}"
    # One browser: signed in with the User-Agent that wrk then sends. With another one,
    # Flask-Login's session protection marks the session non-fresh on every request and the
    # cookie is rewritten each time, which a browser (keeping the new cookie) never causes.
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "13900000001", "password": "bench-password-1",
                                "csrf_token": token})
    cookie = client.get_cookie("session").value
    env = {"LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LMS_SECRET_KEY": "bench",
           "LMS_INSTANCE_PATH": str(instance)}
    body = client.get(path).data
    return env, path, f"session={cookie}", body


def check_signed_in_page(url: str, headers: dict[str, str]) -> None:
    """wrk counts a redirect (to the sign-in page) as a success: make sure the page is served."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        page = response.read()
        assert response.status == 200 and response.url == url, (response.status, response.url)
        assert "标记为已学完".encode() in page or "本课已学完".encode() in page, "not the lesson page"


def run(database_url: str | None, seconds: int) -> dict:
    env, path, cookie, body = prepare(database_url)
    assert "标记为已学完".encode() in body or "本课已学完".encode() in body, "not the lesson page"
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    with gunicorn("lms:create_app()", env) as url:
        check_signed_in_page(url + path, headers)
        wrk(url + path, 2, headers=headers)  # warm up
        ours = wrk(url + path, seconds, headers=headers)
    body_file = Path(tempfile.mktemp(suffix=".html"))
    body_file.write_bytes(body)
    with gunicorn("bare_app:app", {"BARE_BODY_FILE": str(body_file)}, cwd=ROOT / "bench") as url:
        wrk(url + "/", 2)
        bare = wrk(url + "/", seconds)
    assert ours["non_2xx"] == 0, ours
    return {"ours_rps": ours["rps"], "ours_p50_ms": ours["p50_ms"], "ours_p99_ms": ours["p99_ms"],
            "bare_rps": bare["rps"], "ratio": round(ours["rps"] / bare["rps"], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("LMS_TEST_DATABASE_URL"))
    args = parser.parse_args()
    seconds = 5 if args.quick else 15
    result = {"benchmark": "lesson_page", "seconds": seconds, "goal": {"sqlite": 0.40, "postgresql": 0.30}}
    result["sqlite"] = run(None, seconds)
    print(f"sqlite: {result['sqlite']}")
    if args.postgres:
        result["postgresql"] = run(args.postgres, seconds)
        print(f"postgresql: {result['postgresql']}")
    result["ratio"] = min(r["ratio"] for k, r in result.items() if k in ("sqlite", "postgresql"))
    emit(result)


if __name__ == "__main__":
    main()
