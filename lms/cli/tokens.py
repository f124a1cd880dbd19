"""Registry API tokens: made, listed and revoked by name."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli
from lms.extensions import db


@lms_cli.command("create-token")
@click.argument("name")
@with_appcontext
def create_token(name: str) -> None:
    """Create a registry API token; it is printed once and stored only as a digest."""
    from lms.api.models import create_token as make
    from lms.api.models import token_name_problem
    from lms.core import audit
    from lms.core.text import clean

    name = clean(name)
    if problem := token_name_problem(name):
        raise click.ClickException(problem)
    token, plain = make(name)
    audit.record("api_token.created", f"token:{token.id}", f"{name} (cli)")
    db.session.commit()
    click.echo(plain)

@lms_cli.command("list-tokens")
@with_appcontext
def list_tokens() -> None:
    """List the registry API tokens: number, name, created, last used, revoked (never the token)."""
    from flask_babel import format_datetime
    from sqlalchemy import select

    from lms.api.models import ApiToken

    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    if not tokens:
        click.echo("还没有接口令牌。")
        return

    def when(moment) -> str:
        return format_datetime(moment, "yyyy-MM-dd HH:mm") if moment else "—"

    click.echo("编号\t名称\t创建时间\t最近使用\t状态")
    for token in tokens:
        state = "有效" if token.is_active else f"已吊销 {when(token.revoked_at)}"
        click.echo(f"{token.id}\t{token.name}\t{when(token.created_at)}\t{when(token.last_used_at)}\t{state}")

@lms_cli.command("revoke-token")
@click.argument("name")
@click.option("--id", "token_id", type=int, help="Which one, when older tokens share the name (see list-tokens).")
@with_appcontext
def revoke_token(name: str, token_id: int | None) -> None:
    """Revoke the active API token called NAME: requests with it are refused from then on."""
    from sqlalchemy import select

    from lms.api.models import ApiToken, active_tokens_named
    from lms.core import audit
    from lms.core.models import utcnow

    name = name.strip()
    tokens = [token for token in active_tokens_named(name) if token_id in (None, token.id)]
    if not tokens:
        named = select(ApiToken.id).where(ApiToken.name == name)
        if db.session.scalar(named if token_id is None else named.where(ApiToken.id == token_id)):
            click.echo(f"令牌“{name}”已经吊销，未做更改。")
            return
        raise click.ClickException(f"没有名为“{name}”的令牌{f'（编号 {token_id}）' if token_id else ''}；"
                                   "list-tokens 列出全部令牌。")
    if len(tokens) > 1:
        numbers = "、".join(str(token.id) for token in tokens)
        raise click.ClickException(f"有 {len(tokens)} 个名为“{name}”的有效令牌（编号 {numbers}）："
                                   "请用 --id 指定吊销哪一个。")
    token = tokens[0]
    token.revoked_at = utcnow()
    audit.record("api_token.revoked", f"token:{token.id}", f"{token.name} (cli)")
    db.session.commit()
    click.echo(f"已吊销令牌“{name}”（编号 {token.id}）：用它访问接口从现在起会被拒绝。")
