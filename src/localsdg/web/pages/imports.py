"""Importing indicator sets in the browser: upload, see the check report, then confirm."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from localsdg.catalog import files
from localsdg.config import settings
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)
TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_UPLOAD = 20 * 1024 * 1024


def _uploads() -> Path:
    return settings().data_dir / "uploads"


def _stored(token: str) -> Path:
    if not TOKEN.match(token):
        raise UserError("the upload is unknown or has expired; upload the file again",
                        status=400)
    found = list((_uploads() / token).glob("*"))
    if not found:
        raise UserError("the upload is unknown or has expired; upload the file again",
                        status=400)
    return found[0]


@router.get("/import")
def import_form(request: Request):
    return render(request, "import.html", report=None)


@router.post("/import")
def check_upload(request: Request, session: DB, file: Annotated[UploadFile, File()]):
    """Check the file completely and show the report; nothing is stored yet."""
    name = Path(file.filename or "").name
    if not name:
        return render(request, "import.html", status=422, report=None,
                      problem="choose a file to upload")
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return render(request, "import.html", status=413, report=None,
                      problem="the file is larger than 20 MB")
    token = uuid.uuid4().hex
    folder = _uploads() / token
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(content)
    try:
        parsed = files.check_file(session, path)
    except UserError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return render(request, "import.html", status=422, report=None, file_name=name,
                      problems=exc.details or [exc.message])
    existing = {(s, c) for s, c in session.execute(
        select(Indicator.set_id, Indicator.code).where(Indicator.set_id.in_(parsed.sets)))}
    sets = [{"id": set_id, "indicators": len(recs),
             "new": sum((set_id, r.code) not in existing for r in recs)}
            for set_id, recs in parsed.indicators.items()]
    return render(request, "import.html", report={"sets": sets, "token": token},
                  file_name=name)


@router.post("/import/lagre")
def store_upload(request: Request, session: DB, token: Annotated[str, Form()],
                 by: Annotated[str, Form()] = ""):
    path = _stored(token)
    if not by.strip():
        return render(request, "import.html", status=422, file_name=path.name,
                      report={"sets": [], "token": token}, by_missing=True)
    summary = files.import_file(session, path, by.strip())
    shutil.rmtree(path.parent, ignore_errors=True)
    return render(request, "import_done.html", summary=summary, file_name=path.name)
