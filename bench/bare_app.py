"""The baseline for HTTP benchmarks: a bare Flask endpoint returning fixed bytes."""

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
BODY = Path(os.environ.get("BARE_BODY_FILE", "/dev/null")).read_bytes() or b"ok"


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/")
def page():
    return Response(BODY, mimetype="text/html")
