"""Files uploaded through the API and the pages: one size limit, a safe name, and a place on
disk for importers that read paths — a temporary folder for one request, or a kept folder for
the browser's check-then-store import (named by a random token)."""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from localsdg.config import settings
from localsdg.errors import BadRequest, TooLarge
from localsdg.messages import Message, placed

MAX_UPLOAD_MB = 20
MAX_UPLOAD = MAX_UPLOAD_MB * 1024 * 1024
MAX_UNPACKED_MB = 200  # an Open SDG repository as a zip, unpacked
MAX_UNPACKED = MAX_UNPACKED_MB * 1024 * 1024
MAX_MEMBERS = 10_000
TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_NAME = 120  # bytes of an upload's file name as kept
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read(file: UploadFile) -> tuple[str, bytes]:
    """The upload's file name (made safe) and its bytes, refused above the limit."""
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise TooLarge(f"the file is larger than {MAX_UPLOAD_MB} MB")
    return safe_name(file.filename), content


def safe_name(given: str | None) -> str:
    """The name an upload is kept under: without folders (/ or \\) or control characters, at
    most MAX_NAME bytes (the end of the stem cut, the suffix kept: file systems allow 255);
    "upload" when nothing but dots is left."""
    name = CONTROL.sub("", re.split(r"[/\\]", given or "")[-1]).strip()
    if not name.strip("."):
        return "upload"
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    room = MAX_NAME - len(suffix.encode())  # a character cut in half is dropped
    stem = name.removesuffix(suffix).encode()[:room].decode(errors="ignore")
    return (stem or "upload") + suffix


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
    found = [p for p in (_kept() / token).glob("*") if p.is_file()] if TOKEN.match(token) else []
    if not found:
        raise BadRequest("the upload is unknown or has expired; upload the file again")
    return found[0]


def unpack(path: Path) -> Path:
    """A kept zip file unpacked beside it, checked first: no more than MAX_UNPACKED_MB and
    MAX_MEMBERS files, and no name that leads outside its folder. Returns the folder that holds
    `data/` (the zip's root, or its one folder)."""
    folder = path.parent / "unpacked"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
                raise TooLarge(placed(path.name, Message(
                    "more than %(files)s files or %(mb)s MB unpacked", files=MAX_MEMBERS,
                    mb=MAX_UNPACKED_MB)))
            root = folder.resolve()
            if any(not (root / m.filename).resolve().is_relative_to(root) for m in members):
                raise BadRequest(placed(path.name, Message(
                    "a file in it would land outside its folder")))
            archive.extractall(folder)
    except zipfile.BadZipFile:
        raise BadRequest(placed(path.name, Message("not a zip file that can be read"))
                         ) from None
    inner = [p for p in folder.iterdir() if p.is_dir()]
    return inner[0] if not (folder / "data").is_dir() and len(inner) == 1 else folder


def drop(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
