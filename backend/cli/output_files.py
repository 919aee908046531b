"""Writing a file a sub-command was asked for (``--out``, ``--png``, ``--svg``)."""

from __future__ import annotations

import os
from pathlib import Path

from backend.errors import ValidationError


def check_writable(path: str | Path) -> None:
    """Refuse up front a file that cannot be written, before a change is made for it."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ValidationError(f"Cannot write {path}: it is a folder.", field="out")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise ValidationError(
            f"Cannot write {path}: the folder {folder} does not exist or is read-only.",
            field="out",
        )


def write_output(path: str | Path, content: bytes | str) -> None:
    """Write ``content``; a folder that does not exist or a read-only place is a message."""
    try:
        target = Path(path)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot write {path}: {exc.strerror}.", field="out") from None
