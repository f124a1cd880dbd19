"""The baseline for bench/exam_load.py: a bare Flask endpoint that inserts one row per request
into the same database, through the driver, and commits."""

import json
import os

from flask import Flask, request

DATABASE = os.environ["BARE_DATABASE"]  # a SQLite path or a PostgreSQL conninfo
app = Flask(__name__)
_conn = None


def connection():
    global _conn
    if _conn is None:
        if DATABASE.startswith("postgresql"):
            import psycopg

            _conn = psycopg.connect(DATABASE.replace("postgresql+psycopg", "postgresql"))
        else:
            import sqlite3

            _conn = sqlite3.connect(DATABASE, timeout=10)
            _conn.execute("PRAGMA journal_mode=WAL")
            _conn.execute("PRAGMA synchronous=NORMAL")
    return _conn


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/answer")
def answer():
    data = request.get_json()
    conn = connection()
    marker = "%s" if DATABASE.startswith("postgresql") else "?"
    conn.execute(f"INSERT INTO bare_answer (position, response) VALUES ({marker}, {marker})",
                 (data["position"], json.dumps(data["response"])))
    conn.commit()
    return {"saved": True}
