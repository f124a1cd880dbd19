"""Spreadsheet downloads: one place for the XLSX media type and the attachment headers."""

from __future__ import annotations

from typing import IO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(stream: IO[bytes], filename: str) -> Response:
    """The workbook as a download named filename."""
    return send_file(stream, as_attachment=True, download_name=filename, mimetype=XLSX)
