"""Checking a certificate credential offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli


@lms_cli.command("verify-credential")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jwks", "jwks_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The bureau's published key set (/.well-known/jwks.json); default: this server's key.")
@click.option("--status-list", "status_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A downloaded status list (/verify/status-list) to check revocation as of its date.")
@with_appcontext
def verify_credential(file: Path, jwks_file: Path | None, status_file: Path | None) -> None:
    """Verify a certificate credential (.jwt) offline. Exit 0: verified; 1: not to be trusted;
    3: genuine but outside its validity period; 4: revoked per the status list."""
    from lms.certificates import credential, status_list

    key_set = _read_key_set(jwks_file) if jwks_file else _own_key_set()
    try:
        payload = credential.verify_credential(_read_text(file, "凭证文件"), key_set)
    except credential.CredentialError as error:
        _refuse(f"凭证文件 {file}：{error}")
    revoked = None
    if status_file:
        try:
            revoked = status_list.is_revoked(payload, _read_text(status_file, "状态列表文件"), key_set)
        except credential.CredentialError as error:
            _refuse(f"状态列表文件 {status_file}：{error}")
    subject = payload.get("credentialSubject", {})
    click.echo(f"签名有效：由 {payload.get('issuer', {}).get('name', '')}（{payload.get('iss', '')}）签发")
    click.echo(f"  证书编号 {payload.get('certificateNumber', '')}，持证人 {subject.get('name', '')}，"
               f"企业 {subject.get('enterprise', {}).get('name', '')}")
    click.echo(f"  {subject.get('achievement', {}).get('name', '')}，{subject.get('creditsEarned', '')} 学时，"
               f"有效期 {payload.get('validFrom', '')} 至 {payload.get('validUntil', '')}")
    if revoked is None:
        click.echo(f"  是否已撤销须在线查验：{payload.get('id', '')}")
    elif revoked[0]:
        click.echo(f"证书已撤销或换发（据 {revoked[1]} 的状态列表）", err=True)
        sys.exit(4)
    else:
        click.echo(f"  据 {revoked[1]} 的状态列表，证书未被撤销")
    problem = credential.validity_problem(payload)
    if problem:
        click.echo(f"证书{problem}", err=True)
        sys.exit(3)

def _refuse(message: str) -> NoReturn:
    click.echo(f"验证失败：{message}", err=True)
    sys.exit(1)

def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _refuse(f"{what} {path} 不是 UTF-8 文本：是否选错了文件，或下载后被转换过？")

def _read_key_set(path: Path) -> dict:
    text = _read_text(path, "公钥集文件")
    try:
        key_set = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(f"公钥集文件 {path} 不是 JSON（第 {error.lineno} 行第 {error.colno} 列无法解析）")
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        _refuse(f"公钥集文件 {path} 不是公钥集：应为含 keys 列表的 JSON 对象，即 /.well-known/jwks.json 的内容")
    return key_set

def _own_key_set() -> dict:
    from lms.certificates import credential

    try:
        return credential.jwks()
    except (OSError, ValueError) as error:
        _refuse(f"本服务器的公钥无法读取（{error}）：请用 --jwks 指定公钥集文件")
