"""Courses and questions: syncing content/ and importing question files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli


@lms_cli.command("sync-content")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def sync_content(dry_run: bool) -> None:
    """Load courses/ (and the question bank) into the database, idempotently."""
    from flask import current_app

    from lms.assessment.bank import sync_content as sync
    from lms.catalog.content import ContentError

    root = Path(current_app.config["CONTENT_ROOT"])
    try:
        report = sync(root, dry_run=dry_run)
    except ContentError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException("内容有错误，未做任何更改。") from error
    verb = "将" if dry_run else "已"
    click.echo(f"课程：{verb}新增 {len(report.courses_added)}，更新 {len(report.courses_changed)}，"
               f"停用 {len(report.courses_retired)}；课时：{verb}新增 {len(report.lessons_added)}，"
               f"更新 {len(report.lessons_changed)}，停用 {len(report.lessons_retired)}，"
               f"未变 {report.unchanged}")
    bank = report.extra
    click.echo(f"试题：{verb}新增 {len(bank.added)}，更新 {len(bank.changed)}，停用 {len(bank.retired)}，"
               f"未变 {bank.unchanged}")

@lms_cli.command("import-questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--topic", required=True, help="The course slug the questions belong to.")
@click.option("--format", "fmt", type=click.Choice(["auto", "gift", "aiken", "moodle_xml"]), default="auto")
@click.option("--dry-run", is_flag=True, help="Preview only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as one JSON object.")
@with_appcontext
def import_questions(file: Path, topic: str, fmt: str, dry_run: bool, as_json: bool) -> None:
    """Import questions from GIFT, Aiken or Moodle XML into the bank."""
    from flask_babel import gettext as _

    from lms.assessment.importer import UnknownTopic, commit_import, preview_import
    from lms.core.text import UndecodableText, decode_upload

    try:
        text = decode_upload(file.read_bytes())
    except UndecodableText as error:
        raise click.ClickException(str(error)) from error
    try:
        preview = preview_import(text, file.name, topic, fmt)
    except UnknownTopic as error:
        raise click.ClickException(str(error)) from error
    report = preview.as_dict()
    failure = _nothing_importable(preview)
    if as_json:
        if failure and not preview.result.errors:  # a reader of the JSON learns why it failed
            report["errors"].append({"line": 0, "message": failure})
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print_question_preview(preview, file.name)
    if failure:
        if not as_json:
            click.echo(failure, err=True)
        sys.exit(1)
    if not preview.fields:
        if not as_json:  # every question is in the bank already: a re-run, which is no error
            click.echo(_("没有新的试题，未导入任何试题。"))
        return
    if not dry_run:
        count = commit_import(preview, file.name)
        if not as_json:
            click.echo(f"已导入 {count} 题。")

def _nothing_importable(preview) -> str | None:
    """Why the file can import nothing, said after the preview; None when it can."""
    from flask_babel import gettext as _

    from lms.assessment.importer import empty_file_message

    result = preview.result
    if result.errors:
        return _("文件有 %(n)s 处错误，未导入任何试题：请改正后重新导入。", n=len(result.errors))
    if preview.is_empty:
        return empty_file_message(preview.fmt) + _("未导入任何试题。")
    if not result.questions:
        return _("文件中的试题都无法自动评分，未导入任何试题。")
    return None

def _print_question_preview(preview, filename: str) -> None:
    from flask_babel import gettext as _

    from lms.assessment.paper import kind_labels

    kinds = kind_labels()
    result = preview.result

    def breakdown(by_type: dict[str, int]) -> str:
        return "，".join(f"{kinds.get(k, k)} {v}" for k, v in by_type.items())

    if result.errors:  # a file with errors imports nothing, so its summary promises nothing either
        click.echo(_("文件中可评分的试题 %(n)s 题", n=len(result.questions))
                   + (f"：{breakdown(result.by_type)}" if result.questions else ""))
    elif not preview.is_empty:
        line = _("可导入 %(n)s 题", n=len(preview.fields))
        if preview.fields:
            line += f"：{breakdown(preview.new_by_type)}"
        if preview.duplicates:
            line += _("；%(n)s 题题库中已有，跳过", n=preview.duplicates)
        click.echo(line)
    for item in result.skipped:
        click.echo(f"  跳过 第 {item.line} 行：{item.message}")
    for item in result.errors:
        click.echo(f"  错误 {filename}:{item.line}：{item.message}", err=True)
