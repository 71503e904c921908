"""The catalog page: search as you type, facets with counts, chips, paging, bulk edit, export."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from localsdg import taxonomy as tx
from localsdg.areas.places import places_in
from localsdg.catalog import classify, files, suggest
from localsdg.catalog import properties as props
from localsdg.catalog.goals import target_titles
from localsdg.catalog.index import FACETS, get_index, index_ready
from localsdg.catalog.rows import selection_rows
from localsdg.catalog.search import SORTS, Selection, search
from localsdg.catalog.similarity import MAX_TEXT
from localsdg.errors import BadRequest, UserError
from localsdg.present.formats import number
from localsdg.present.i18n import translations
from localsdg.web.downloads import rows_download
from localsdg.web.i18n import choose
from localsdg.web.params import DB, LoopDB, Sel, in_worker
from localsdg.web.templating import code_options, render, url_with

router = APIRouter(include_in_schema=False)
FACET_ORDER = ["set", "goal", "target", "tbl", "evaluation_step", "quality_class",
               "development_area", "geography_level", "distribution", "data_owner",
               "periodicity", "priority_tag"]
PER_PAGE = (20, 50, 100)
EDITABLE = [p for p in props.PROPERTIES.values() if p.group != "description"]
MAX_EXPORT = 5000


def chips(request: Request, result: dict, lang: str) -> list[dict]:
    """The active filters, each with the URL that removes it."""
    index_labels = {f["value"]: f["label"] for facet in result.get("facets", {}).values()
                    for f in facet}
    out = []
    for facet, values in result["selection"]["filters"].items():
        for value in values:
            out.append({"facet": facet, "label": index_labels.get(value, value),
                        "url": url_with(request, drop=(facet, value), page=None)})
    for facet in result["selection"]["unclassified"]:
        out.append({"facet": facet, "label": None,
                    "url": url_with(request, drop=("unclassified", facet), page=None)})
    return out


def shown_facets(result: dict) -> dict[str, list[dict]]:
    """The facets to show: targets only under the chosen goals (and those chosen), because
    169 target boxes are a wall to read and to tab through before the results."""
    goals = set(result["selection"]["filters"].get("goal", []))
    return {**result["facets"], "target": [
        f for f in result["facets"]["target"]
        if f["selected"] or (f["value"] or "").split(".")[0] in goals]}


@router.get("/katalog")
async def catalog_page(request: Request, session: LoopDB, sel: Sel,
                       page: Annotated[int, Query(ge=1)] = 1, per_page: int = 20,
                       sort: str = "relevance"):
    if not index_ready(session):  # built anew after a change: seconds, off the event loop
        session.close()  # no connection held while waiting: the worker thread takes its own
        await run_in_threadpool(get_index, session)
    lang = choose(request)
    per_page = per_page if per_page in PER_PAGE else PER_PAGE[0]
    sort = sort if sort in SORTS else "relevance"
    places, words = places_in(session, sel.q)
    result = search(session, replace(sel, q=words), limit=per_page,
                    offset=(page - 1) * per_page, sort=sort, lang=lang)
    pages = max(1, -(-result["total"] // per_page))
    context = {"result": result, "facets": shown_facets(result),
               "chips": chips(request, result, lang), "page": page,
               "pages": pages, "per_page": per_page, "sort": sort, "sorts": SORTS,
               "facet_order": FACET_ORDER, "per_page_options": PER_PAGE,
               "changed": request.query_params.get("endret"),
               "places": places, "searched": words if words != sel.q else None}
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    return render(request, "catalog/_results.html" if partial else "catalog/page.html",
                  **context)


@router.get("/foresla")
def suggest_page(request: Request):
    return render(request, "suggest.html", text="", found=None, error=None)


@router.post("/foresla")
def suggest_result(request: Request, session: DB, text: Annotated[str, Form()] = ""):
    """The targets a pasted text most likely concerns: those above the confidence threshold,
    and up to three more as hints marked as such."""
    lang = choose(request)
    _ = translations(lang).gettext
    if not text.strip() or len(text) > MAX_TEXT:
        error = _("Write or paste a text first.") if not text.strip() else _(
            "The text is longer than %(max)s characters: paste one part of it.") % {
            "max": number(MAX_TEXT, lang)}
        return render(request, "suggest.html", 400, text=text[:MAX_TEXT], found=None,
                      error=error)
    found = suggest.suggest_targets(session, text, limit=suggest.SHOWN)
    sure, hints = suggest.confident_and_hints(found)
    return render(request, "suggest.html", text=text, error=None, found=sure, hints=hints,
                  titles=target_titles(session, [f.code for f in found], lang),
                  threshold=suggest.CONFIDENT)


@router.get("/katalog/eksport")
def export_selection(session: DB, sel: Sel, format: str = "csv"):  # noqa: A002
    """Download the current selection in the catalog layout."""
    if format not in files.FORMATS:
        raise BadRequest(f"unknown format '{format}'; use csv, xlsx or json")
    return rows_download(selection_rows(session, sel, MAX_EXPORT), "indikatorer", format)


# ---------------------------------------------------------------- bulk edit


def _form_selection(form: FormData) -> Selection:
    filters: dict[str, list[str]] = {}
    for facet in FACETS:
        values = [str(v) for v in form.getlist(facet) if str(v)]
        if values:
            filters[facet] = values
    return Selection(str(form.get("q") or ""), filters,
                     [str(v) for v in form.getlist("unclassified") if str(v)])


def _bulk_context(session: DB, request: Request, sel: Selection, prop_name: str) -> dict:
    lang = choose(request)
    result = search(session, sel, limit=0, lang=lang)
    prop = props.PROPERTIES.get(prop_name) or props.PROPERTIES["evaluation_steps"]
    targets = get_index(session).all_targets
    hidden = _hidden(sel)
    return {"result": result, "chips": chips(request, result, lang), "editable": EDITABLE,
            "prop": prop, "choices": _choices(prop, targets, lang), "hidden": hidden,
            "hidden_json": json.dumps(_grouped(hidden), ensure_ascii=False),
            "back_url": "/katalog?" + urlencode(hidden)}


def _grouped(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in items:
        out.setdefault(k, []).append(v)
    return out


def _choices(prop: props.Property, targets: list[str], lang: str) -> list[tuple[str, str]]:
    if prop.kind == "target":
        return [(t, t) for t in targets]
    if prop.kind == "bool":
        return code_options(tx.BOOLEAN.codes, lang)
    if prop.codelist is not None and prop.kind == "code":
        return code_options(prop.codelist.codes, lang)
    return []


def _hidden(sel: Selection) -> list[tuple[str, str]]:
    items = [("q", sel.q)] if sel.q else []
    items += [(facet, v) for facet, values in sel.filters.items() for v in values]
    items += [("unclassified", f) for f in sel.unclassified]
    return items


@router.get("/katalog/endre")
def bulk_form(request: Request, session: DB, sel: Sel, property: str = "evaluation_steps"):  # noqa: A002
    context = _bulk_context(session, request, sel, property)
    partial = request.headers.get("HX-Target") == "value-field"
    return render(request, "catalog/_value_field.html" if partial else "catalog/bulk.html",
                  **context, op="set", values=[], errors={})


@router.post("/katalog/endre")
async def bulk_preview(request: Request, session: DB):
    """Show exactly what would change; save only after the user confirms with a name."""
    return await in_worker(request, _bulk_preview, session)


def _bulk_preview(request: Request, form: FormData, session: DB):
    sel = _form_selection(form)
    prop_name, op = str(form.get("property") or ""), str(form.get("op") or "set")
    values = [str(v) for v in form.getlist("value") if str(v).strip()]
    context = _bulk_context(session, request, sel, prop_name)
    change = classify.Change(prop_name, op, values if context["prop"].multi else
                             (values[0] if values else None))
    errors: dict[str, str] = {}
    try:
        inds = classify.resolve(session, None, sel)
        planned = classify.apply(session, inds, [change], by=str(form.get("by") or "preview"),
                                 dry_run=True)
    except UserError as exc:
        errors["value"] = "; ".join(exc.details) or exc.message
        return render(request, "catalog/bulk.html", status=422, **context, op=op,
                      values=values, errors=errors)
    by = str(form.get("by") or "").strip()
    if form.get("confirm") and by:
        done = classify.apply(session, inds, [change], by=by)
        return RedirectResponse(_back(sel, done["changed_indicators"]), status_code=303)
    if form.get("confirm"):
        errors["by"] = "missing"
    labels = dict(context["choices"])
    return render(request, "catalog/preview.html", status=422 if errors else 200, **context,
                  op=op, values=values, planned=planned, errors=errors,
                  value_text=", ".join(labels.get(v, v) for v in values))


def _back(sel: Selection, changed: int) -> str:
    return "/katalog?" + urlencode([*_hidden(sel), ("endret", str(changed))])
