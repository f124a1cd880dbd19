"""Folders that hold personal data: the database, the secret key, uploads, backups."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path | str) -> Path:
    """path as a folder only its owner can enter (0700), made if missing and tightened if it is
    ours and looser: whatever the umask, other accounts on the server read no roster or key."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """A new file readable by its owner only, from the moment it exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
