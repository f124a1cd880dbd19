"""Exam load: officers answering concurrently (answers saved per second, p50/p99) against a
bare insert endpoint served the same way (gunicorn sync workers, wrk) in the same run; and
the exam-day spike: many officers press "start" within seconds and save a first answer, then
all of them press "submit" within seconds and are graded.

    .venv/bin/python bench/exam_load.py [--quick] [--postgres URL] [--spike N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import emit, fresh_app
from _serve import ROOT, gunicorn

QUESTIONS_PER_TOPIC = 60
TOPICS = ("cqo-duties", "standardization", "metrology", "haccp", "five-s", "quality-management")


def prepare(database_url: str | None, officers: int):
    """Officers, a bank, an exam of 30 questions; returns app, exam id, per-officer cookie+token."""
    os.environ["LMS_PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import insert

    from lms.accounts.models import User
    from lms.assessment.models import Exam, Question
    from lms.extensions import db

    app, instance = fresh_app(database_url)
    with app.app_context():
        db.session.execute(insert(Question), [
            {"key": f"{t}-{i}", "topic": t, "kind": "single", "difficulty": 2, "text": f"题 {t} {i}",
             "options": ["甲", "乙", "丙", "丁"], "answer": [0], "explanation": "", "lesson_slug": ""}
            for t in TOPICS for i in range(QUESTIONS_PER_TOPIC)])
        exam = Exam(title="压测考试", rules=[{"topic": t, "count": 5, "points": 2} for t in TOPICS],
                    time_limit_minutes=60, attempts_allowed=100)
        db.session.add(exam)
        db.session.execute(insert(User), [
            {"name": f"考生{i}", "phone": f"138{i:08d}", "password_hash": "x", "role": "officer"}
            for i in range(officers)])
        db.session.commit()
        exam_id = exam.id
        # What the session keeps once an officer has signed in: the id and the password's stamp.
        tokens = {u.id: u.get_id() for u in db.session.scalars(db.select(User).order_by(User.id))}
    serializer = app.session_interface.get_signing_serializer(app)
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    sessions = []
    for uid, token in tokens.items():
        raw = secrets.token_hex(20)
        cookie = serializer.dumps({"_user_id": token, "_fresh": True, "csrf_token": raw})
        sessions.append((uid, f"session={cookie}", csrf.dumps(raw)))
    env = {"LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LMS_SECRET_KEY": app.secret_key,
           "LMS_INSTANCE_PATH": str(instance)}
    return app, exam_id, sessions, env, instance


def start_attempts(app, exam_id: int, sessions) -> list[int]:
    from lms.assessment import service
    from lms.assessment.models import Exam
    from lms.extensions import db

    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        return [service.start_attempt(exam, uid).id for uid, _c, _t in sessions]


def lua_script(requests: list[tuple[str, dict, str]]) -> str:
    """wrk script that cycles through (path, headers, body) requests."""
    lines = ["local reqs = {}"]
    for i, (path, headers, body) in enumerate(requests, start=1):
        h = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
        lines.append(f'reqs[{i}] = wrk.format("POST", "{path}", {{{h}}}, \'{body}\')')
    lines += ["local n = 0", "request = function()", "  n = n % #reqs + 1", "  return reqs[n]", "end"]
    return "\n".join(lines)


def wrk_script(url: str, seconds: int, script: str) -> dict:
    path = Path(tempfile.mktemp(suffix=".lua"))
    path.write_text(script)
    import re
    import subprocess

    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(path), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(label):
        value, unit = re.search(label + r"\s+([\d.]+)(us|ms|s)", out).groups()
        return round(float(value) / 1000 if unit == "us" else float(value) * 1000 if unit == "s" else float(value), 2)

    return {"rps": rps, "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non_2xx": int(bad.group(1)) if bad else 0}


def answer_load(database_url: str | None, seconds: int, workers: int) -> dict:
    app, exam_id, sessions, env, instance = prepare(database_url, 200)
    attempts = start_attempts(app, exam_id, sessions)
    requests = []
    for (_uid, cookie, token), attempt_id in zip(sessions, attempts, strict=True):
        for position in (1, 7, 13):
            body = json.dumps({"position": position, "response": position % 4})
            requests.append((f"/exams/attempts/{attempt_id}/answer",
                             {"Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/json"}, body))
    # The same server for both: gunicorn's sync workers, as many as the README's deployment.
    with gunicorn("lms:create_app()", env, workers=workers) as url:
        wrk_script(url, 2, lua_script(requests))
        ours = wrk_script(url, seconds, lua_script(requests))
    bare_db = _bare_database(database_url, instance)
    bare_requests = [("/answer", {"Content-Type": "application/json"}, body) for _p, _h, body in requests]
    with gunicorn("bare_insert_app:app", {"BARE_DATABASE": bare_db}, workers=workers, cwd=ROOT / "bench") as url:
        wrk_script(url, 2, lua_script(bare_requests))
        bare = wrk_script(url, seconds, lua_script(bare_requests))
    assert ours["non_2xx"] == 0 and bare["non_2xx"] == 0, (ours, bare)
    return {"answers_per_s": ours["rps"], "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
            "bare_inserts_per_s": bare["rps"], "bare_p50_ms": bare["p50_ms"], "ratio": round(ours["rps"] / bare["rps"], 3)}


def _bare_database(database_url: str | None, instance: Path) -> str:
    if database_url and database_url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as conn:
            conn.execute("DROP TABLE IF EXISTS bare_answer")
            conn.execute("CREATE TABLE bare_answer (id serial PRIMARY KEY, position int, response text)")
        return database_url
    import sqlite3

    path = str(instance / "bare.sqlite3")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE bare_answer (id INTEGER PRIMARY KEY, position INT, response TEXT)")
    return path


def spike(database_url: str | None, officers: int, workers: int) -> dict:
    """Every officer presses start at once, loads the paper and saves a first answer."""
    app, exam_id, sessions, env, _instance = prepare(database_url, officers)
    timings, errors = [], []
    lock = threading.Lock()
    client_cpu = time.process_time()
    with gunicorn("lms:create_app()", env, workers=workers) as url:
        host, port = url.split("//")[1].split(":")
        begin = time.perf_counter()

        def officer(session):
            _uid, cookie, token = session
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                headers = {"Cookie": cookie, "X-CSRFToken": token,
                           "Content-Type": "application/x-www-form-urlencoded"}
                conn.request("POST", f"/exams/{exam_id}/start", body=f"csrf_token={token}", headers=headers)
                response = conn.getresponse()
                response.read()
                paper = response.getheader("Location")
                assert response.status == 302 and "/exams/attempts/" in paper, response.status
                conn.request("GET", paper, headers={"Cookie": cookie})
                response = conn.getresponse()
                assert response.status == 200 and b'id="q1"' in response.read()
                body = json.dumps({"position": 1, "response": 0})
                conn.request("POST", paper + "/answer", body=body, headers={
                    "Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/json"})
                response = conn.getresponse()
                assert response.status == 200 and json.loads(response.read())["saved"]
                with lock:
                    timings.append(time.perf_counter() - begin)
                    papers[_uid] = paper
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    errors.append(repr(error)[:200])
            finally:
                conn.close()
            return t0

        def submitter(session):
            """The end of the exam: everyone presses submit within seconds, and is graded."""
            uid, cookie, token = session
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                conn.request("POST", papers[uid] + "/submit", body=f"csrf_token={token}", headers={
                    "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                response = conn.getresponse()
                response.read()
                assert response.status == 302 and response.getheader("Location").endswith("/result"), response.status
                with lock:
                    submitted.append(time.perf_counter() - submit_begin)
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    submit_errors.append(repr(error)[:200])
            finally:
                conn.close()

        def storm(target, people):
            threads = []
            for person in people:  # all of them within about two seconds
                thread = threading.Thread(target=target, args=(person,))
                thread.start()
                threads.append(thread)
                time.sleep(2.0 / len(people))
            for thread in threads:
                thread.join(120)

        papers: dict = {}
        storm(officer, sessions)
        submitted, submit_errors = [], []
        submit_begin = time.perf_counter()
        storm(submitter, [s for s in sessions if s[0] in papers])
        client_cpu = time.process_time() - client_cpu
    graded = _graded(app)
    return {"officers": officers, "client_cpu_s": round(client_cpu, 1), "completed": len(timings), "errors": len(errors),
            "first_errors": errors[:3], "last_done_s": round(max(timings), 2) if timings else None,
            "p50_done_s": round(statistics.median(timings), 2) if timings else None,
            "within_20s": bool(timings) and len(timings) == officers and max(timings) <= 20,
            "submitted": len(submitted), "submit_errors": len(submit_errors), "first_submit_errors": submit_errors[:3],
            "last_submitted_s": round(max(submitted), 2) if submitted else None, "graded": graded}


def _graded(app) -> int:
    """Attempts closed and scored in the database (each exactly once: one attempt per officer)."""
    from sqlalchemy import func, select

    from lms.assessment.models import Attempt
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.status == "submitted",
                                                                      Attempt.score.is_not(None)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("LMS_TEST_DATABASE_URL"))
    parser.add_argument("--spike", type=int, help="officers in the spike (default 2000, quick 300)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (the README deploys 4)")
    args = parser.parse_args()
    seconds = 5 if args.quick else 15
    officers = args.spike or (300 if args.quick else 2000)
    result = {"benchmark": "exam_load", "goal": {"ratio": 0.6, "spike_within_s": 20}, "workers": args.workers}
    databases = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    for name, url in databases:
        result[name] = answer_load(url, seconds, args.workers)
        print(name, "answers:", result[name])
        result[name]["spike"] = spike(url, officers, args.workers)
        print(name, "spike:", result[name]["spike"])
    result["ratio"] = min(result[name]["ratio"] for name, _u in databases)
    emit(result)


if __name__ == "__main__":
    main()
