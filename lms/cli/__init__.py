"""The `flask lms ...` commands: thin wrappers around the domain services, one module per
concern; importing the package registers them all on the group."""

from __future__ import annotations

import click


class _Commands(click.Group):
    """A database that refuses (not upgraded, unreachable, a constraint) ends a command with one
    line saying why, not a traceback that quotes the statement and its roster data."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import SQLAlchemyError

        from lms.core.transactions import database_reason

        try:
            return super().invoke(ctx)
        except SQLAlchemyError as error:
            reason = database_reason(error)
            hint = ("数据库还没有建表或没有升级到最新：请先运行 flask --app lms db upgrade（make run 会自动运行）。"
                    if "no such table" in reason or "does not exist" in reason else "命令没有完成。")
            raise click.ClickException(f"数据库出错：{reason}。{hint}") from error


@click.group("lms", cls=_Commands)
def lms_cli() -> None:
    """CQO Academy administration."""


# Each module adds its commands to the group.
from lms.cli import accounts, content, credentials, operations, roster, tokens  # noqa: E402,F401
