"""Loading data in the browser: upload a table or a JSON-stat file, see its columns and first
rows with the guessed meaning of each, adjust, see the check report, then confirm. The same
importer and rules as `localsdg data import`: all or nothing, the batch listed and undoable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from localsdg.areas.lookup import AreaIndex
from localsdg.errors import NotAllowed, TooLarge, UserError
from localsdg.observations.store import batches, rollback
from localsdg.present.i18n import translations
from localsdg.sources import data_import as imports
from localsdg.sources.table_columns import guess_columns
from localsdg.web import uploads
from localsdg.web.auth import require_areas
from localsdg.web.i18n import choose
from localsdg.web.params import DB, in_worker
from localsdg.web.templating import indicator_href, render
from localsdg.web.who import name_of, remember

router = APIRouter(include_in_schema=False)
SUFFIXES = (".csv", ".xlsx", ".json", ".zip")
PREVIEW = 5  # rows shown under the columns
RECENT = 10  # data imports listed, to be undone
ROLES = ("area", "period", "value")


@router.get("/import/data")
def upload_form(request: Request, session: DB, angret: int | None = None, indikator: str = ""):
    """The upload form; `indikator` (SET/CODE) fills in the indicator the figures go to."""
    return render(request, "data_upload.html", step="upload", form={"indicator": indikator},
                  by=name_of(request), recent=_recent(session), undone=angret)


@router.post("/import/data/angre")
def undo(request: Request, session: DB, batch: Annotated[int, Form()]):
    """Take one data import back: its figures go, the values it replaced come back."""
    rollback(session, batch, name_of(request) or "anonymous")
    return RedirectResponse(f"/import/data?angret={batch}#imports", status_code=303)


def _recent(session: DB) -> list[dict]:
    """The latest data imports, newest first, each with its file's name only."""
    return [{**b, "file": Path(b["source"]).name} for b in reversed(batches(session)[-RECENT:])]


@router.post("/import/data")
def preview(request: Request, session: DB, file: Annotated[UploadFile, File()],
            indicator: Annotated[str, Form()] = "", create: Annotated[str, Form()] = "",
            set_id: Annotated[str, Form()] = "", area_code: Annotated[str, Form()] = ""):
    """Keep the upload and show its columns with the guessed meaning of each."""
    _ = translations(choose(request)).gettext
    form = {"indicator": indicator.strip(), "create": create.strip(), "set_id": set_id.strip(),
            "area_code": area_code.strip(), **dict.fromkeys(ROLES, ""), "dims": []}
    name = Path(file.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return _again(request, session, form, _(
            "Choose a .csv, .xlsx or JSON-stat .json file, or an Open SDG repository as .zip."))
    if suffix == ".zip" and not (form["set_id"] and form["area_code"]):
        return _again(request, session, form, _(
            "An Open SDG repository needs the set to make and the area it covers."))
    if suffix != ".zip" and bool(form["indicator"]) == bool(form["create"]):
        return _again(request, session, form, _(
            "Name the indicator: either one in the catalog, or a new one to make (not both)."))
    try:
        name, content = uploads.read(file)
    except TooLarge:
        return _again(request, session, form, _("The file is larger than %(mb)d MB.")
                      % {"mb": uploads.MAX_UPLOAD_MB}, 413)
    token, path = uploads.keep(name, content)
    form["token"] = token
    if suffix in (".json", ".zip"):  # JSON-stat and Open SDG say what each column is
        return _check(request, session, path, form)
    try:
        guess = guess_columns(path, AreaIndex(session))
    except UserError as exc:
        uploads.drop(path)
        return _again(request, session, form, exc.message, 422)
    form.update({role: getattr(guess, role) or "" for role in ROLES}, dims=list(guess.dims))
    return render(request, "data_upload.html", step="map", form=form, file_name=name,
                  header=guess.header, rows=guess.rows[:PREVIEW], by=name_of(request))


@router.post("/import/data/sjekk")
async def check(request: Request, session: DB):
    """Import in a transaction that is then undone: the report, and nothing stored."""
    return await in_worker(request, lambda request, form: _check(
        request, session, uploads.kept(str(form.get("token") or "")), _fields(form)))


@router.post("/import/data/lagre")
async def store(request: Request, session: DB):
    return await in_worker(request, _store, session)


def _store(request: Request, form: FormData, session: DB):
    fields = _fields(form)
    path = uploads.kept(fields["token"])
    by = name_of(request, form)
    if not by:
        return _check(request, session, path, fields, missing_name=True)
    try:
        result = require_areas(request, session, imports.run(session, _request(path, fields),
                                                             by))
    except NotAllowed:
        raise
    except UserError as exc:
        return _check(request, session, path, fields, problems=exc.details or [exc.message])
    uploads.drop(path)
    where = (f"/sett/{quote(fields['set_id'])}" if path.suffix.lower() == ".zip" else
             indicator_href(fields["create"] or fields["indicator"],
                            f"/data?importert={result['written']}"))
    return remember(RedirectResponse(where, status_code=303), by)


def _fields(form: FormData) -> dict:
    return {**{k: str(form.get(k) or "") for k in ("token", "indicator", "create", "set_id",
                                                  "area_code", *ROLES)},
            "dims": [str(d) for d in form.getlist("dims") if str(d)]}


def _request(path: Path, fields: dict) -> imports.Request:
    if path.suffix.lower() == ".zip":
        return imports.Request(path=uploads.unpack(path), set_id=fields["set_id"],
                               area_code=fields["area_code"], source=path.name)
    table = {role: fields[role] for role in ROLES if fields[role]}
    if fields["dims"]:
        table["dims"] = tuple(fields["dims"])
    return imports.Request(path=path, indicator=fields["indicator"] or None, table=table,
                           create=fields["create"] or None, source=path.name)


def _check(request: Request, session: DB, path: Path, fields: dict, *,
           problems: list[str] | None = None, missing_name: bool = False):
    """The check report: what the import would store, or every problem located."""
    result = None
    if problems is None:
        savepoint = session.begin_nested()
        try:
            result = imports.run(session, _request(path, fields), "check")
        except UserError as exc:
            problems = exc.details or [exc.message]
        finally:
            savepoint.rollback()
    return render(request, "data_upload.html", 422 if problems or missing_name else 200,
                  step="check", form=fields, file_name=path.name, result=result,
                  problems=problems or [], missing_name=missing_name, by=name_of(request))


def _again(request: Request, session: DB, form: dict, problem: str, status: int = 422):
    return render(request, "data_upload.html", status, step="upload", form=form,
                  problems=[problem], by=name_of(request), recent=_recent(session),
                  undone=None)
