"""Files uploaded through the API and the pages: one size limit, a safe name, and a place on
disk for importers that read paths — a temporary folder for one request, or a kept folder for
the browser's check-then-store import (named by a random token)."""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from localsdg.config import settings
from localsdg.errors import BadRequest, TooLarge

MAX_UPLOAD_MB = 20
MAX_UPLOAD = MAX_UPLOAD_MB * 1024 * 1024
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def read(file: UploadFile) -> tuple[str, bytes]:
    """The upload's file name (without any folder) and its bytes, refused above the limit."""
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise TooLarge(f"the file is larger than {MAX_UPLOAD_MB} MB")
    return Path(file.filename or "upload").name or "upload", content


@contextmanager
def as_path(file: UploadFile) -> Iterator[Path]:
    """The upload as a file in a temporary folder, removed when the request is done."""
    name, content = read(file)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        yield path


def _kept() -> Path:
    return settings().data_dir / "uploads"


def keep(name: str, content: bytes) -> tuple[str, Path]:
    """Keep an upload until it is stored or dropped; its token names it in the next form."""
    token = uuid.uuid4().hex
    folder = _kept() / token
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(content)
    return token, path


def kept(token: str) -> Path:
    found = list((_kept() / token).glob("*")) if TOKEN.match(token) else []
    if not found:
        raise BadRequest("the upload is unknown or has expired; upload the file again")
    return found[0]


def drop(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
