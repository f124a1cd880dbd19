"""The roster import from the command line, for the filing registry's scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli
from lms.core.transactions import database_reason
from lms.extensions import db


@lms_cli.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and preview only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as one JSON object.")
@click.option("--complete", is_flag=True,
              help="The file is the district's complete list of current filings: end (已注销) the current "
                   "filings of enterprises it does not name.")
@with_appcontext
def import_roster(file: Path, dry_run: bool, as_json: bool, complete: bool) -> None:
    """Import the filing registry's roster export (XLSX, XLS or CSV)."""
    from lms.registry.importer import RosterFileError, parse_roster
    from lms.registry.reading import estimate_rows
    from lms.registry.roster_plan import build_preview

    quiet = as_json or not sys.stderr.isatty()
    try:
        # Estimating reads a workbook once more: only for a bar someone sees.
        with click.progressbar(length=1 if quiet else estimate_rows(file), label="读取并校验", file=sys.stderr,
                               hidden=quiet) as bar, file.open("rb") as stream:
            parsed = parse_roster(stream, file.name, progress=bar.update)
        preview = build_preview(parsed, complete=complete)
    except RosterFileError as error:
        if as_json:
            click.echo(json.dumps(_file_error_report(str(error)), ensure_ascii=False))
        else:
            click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    report = preview.as_dict()
    if not as_json:
        _print_preview(preview)
    failure = None  # why nothing was imported, when no row says so
    if not preview.errors and not preview.can_commit:
        failure = "文件中没有数据行，未导入任何数据"
    elif preview.can_commit and not dry_run:
        failure = _commit_roster(preview, file.name, quiet)
    if failure:
        report["errors"].append(_file_error(failure))
    report["committed"] = preview.can_commit and not dry_run and failure is None
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, default=str))
    if preview.errors:
        if not as_json:
            click.echo("文件有错误，未导入任何数据。", err=True)
        sys.exit(1)
    if failure:
        if not as_json:  # the JSON above says why; a reader of stdout gets one document, no echo
            click.echo(failure, err=True)
        sys.exit(1)
    if report["committed"] and not as_json:
        click.echo("导入完成。")

def _commit_roster(preview, filename: str, quiet: bool) -> str | None:
    """Write the preview; on a database error, why nothing was written, in one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from lms.registry.roster_write import commit_preview

    total = sum(preview.counts.values())
    try:
        with click.progressbar(length=max(total, 1), label="写入", file=sys.stderr, hidden=quiet) as bar:
            commit_preview(preview, filename, progress=bar.update)
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"写入数据库失败，未导入任何数据：{database_reason(error)}"
    return None

def _file_error(message: str) -> dict:
    return {"row": 0, "column": "", "message": message}

def _file_error_report(message: str) -> dict:
    """A file that could not be read, in the same keys as a preview, so one reader serves both."""
    from lms.registry.importer import ParsedRoster
    from lms.registry.roster_plan import CHANGE_LABELS, Preview

    report = Preview(parsed=ParsedRoster(header_row=None)).as_dict()
    report.update(counts=dict.fromkeys(CHANGE_LABELS, 0), errors=[_file_error(message)], committed=False)
    return report

def _print_preview(preview) -> None:
    d = preview.as_dict()
    where = f"工作表“{d['sheet']}”第 {d['header_row']} 行" if d.get("sheet") else f"第 {d['header_row']} 行"
    click.echo(f"表头在{where}；数据 {d['total_rows']} 行，有效 {d['valid_rows']} 行")
    from lms.registry.roster_plan import CHANGE_LABELS

    for kind, count in d["counts"].items():
        click.echo(f"  {CHANGE_LABELS.get(kind, kind)}：{count}")
    if d["unknown_columns"]:
        click.echo("  忽略的列：" + "、".join(d["unknown_columns"]))
    for skipped in d["skipped_rows"]:
        click.echo(f"  跳过第 {skipped['row']} 行（{skipped['text']}）：表格下方的说明，不是备案")
    absent = d["not_in_file"]
    if absent["current_filings"] and not absent["complete"]:
        towns = "、".join(f"{town} {n}" for town, n in absent["by_town"].items())
        click.echo(f"  另有 {absent['current_filings']} 份在任备案的企业不在文件中，导入不改动它们（{towns}）；"
                   "文件是全区完整的在任名册时，加 --complete 结束它们")
    for error in d["errors"][:200]:
        column = f" [{error['column']}]" if error["column"] else ""  # none: the whole row
        click.echo(f"  第 {error['row']} 行{column} {error['message']}", err=True)
    if len(d["errors"]) > 200:
        click.echo(f"  ……共 {len(d['errors'])} 处错误", err=True)
