"""The `flask lms ...` commands: thin wrappers around the domain services, one module per
concern; importing the package registers them all on the group."""

from __future__ import annotations

import click


@click.group("lms")
def lms_cli() -> None:
    """CQO Academy administration."""


# Each module adds its commands to the group.
from lms.cli import accounts, content, credentials, operations, roster, tokens  # noqa: E402,F401
