"""Importing indicator sets in the browser: upload, see the check report, then confirm."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from localsdg.catalog import files
from localsdg.errors import TooLarge, UserError
from localsdg.present.labels import N_
from localsdg.web import uploads
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/import")
def import_form(request: Request):
    return render(request, "import.html", report=None)


@router.post("/import")
def check_upload(request: Request, session: DB, file: Annotated[UploadFile, File()]):
    """Check the file completely and show the report; nothing is stored yet."""
    if not Path(file.filename or "").name:
        return render(request, "import.html", status=422, report=None,
                      problem=N_("Choose a file to upload."))
    try:
        name, content = uploads.read(file)
    except TooLarge:
        return render(request, "import.html", status=413, report=None,
                      problem=N_("The file is larger than %(mb)d MB."), mb=uploads.MAX_UPLOAD_MB)
    token, path = uploads.keep(name, content)
    try:
        sets = files.check_report(session, path)
    except UserError as exc:
        uploads.drop(path)
        return render(request, "import.html", status=422, report=None, file_name=name,
                      problems=exc.details or [exc.message])
    return render(request, "import.html", report={"sets": sets, "token": token},
                  file_name=name)


@router.post("/import/lagre")
def store_upload(request: Request, session: DB, token: Annotated[str, Form()],
                 by: Annotated[str, Form()] = ""):
    path = uploads.kept(token)
    if not by.strip():
        return render(request, "import.html", status=422, file_name=path.name,
                      report={"sets": [], "token": token}, by_missing=True)
    summary = files.import_file(session, path, by.strip())
    uploads.drop(path)
    return render(request, "import_done.html", summary=summary, file_name=path.name)
