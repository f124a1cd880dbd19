"""Time per certificate PDF (embedded CJK font subset and QR code included) against reportlab
writing a blank one-page PDF, in the same run.

    .venv/bin/python bench/certificates.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date
from types import SimpleNamespace

from _common import emit
from reportlab.pdfgen import canvas

from lms.certificates.pdf import certificate_pdf


def blank() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.showPage()
    c.save()
    return out.getvalue()


def best_of(fn, n: int, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 30 if args.quick else 200
    cert = SimpleNamespace(serial="CQO-2026-000123-4", holder_name="张晓明", enterprise_name="淮北市相山区恒润食品有限公司",
                           program=SimpleNamespace(name="2026 年首席质量官培训"), hours=24.0,
                           issued_on=date(2026, 9, 30), expires_on=date(2029, 9, 30))
    url = "https://cqo.example.gov.cn/verify/CQO-2026-000123-4?s=0123456789abcdef"
    make = lambda: certificate_pdf(cert, "相山区市场监督管理局", url)  # noqa: E731
    make()  # font registration happens once per process, as in a server
    ours = best_of(make, n)
    bare = best_of(blank, n * 5)
    size = len(make())
    print(f"certificate: {ours * 1000:.2f} ms ({size} bytes)   blank page: {bare * 1000:.3f} ms")
    emit({"benchmark": "certificates", "per_certificate_ms": round(ours * 1000, 2),
          "blank_page_ms": round(bare * 1000, 3), "pdf_bytes": size, "ratio": round(ours / bare, 2),
          "goal": "ratio <= 15"})


if __name__ == "__main__":
    main()
