"""Indicator pages: every property explained, links, history, and the classification form."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from localsdg import taxonomy as tx
from localsdg.catalog import classify, crosswalk, store, suggest
from localsdg.catalog import properties as props
from localsdg.catalog.goals import target_titles
from localsdg.catalog.index import get_index
from localsdg.catalog.indicators import detail, get_indicator, history, split_ref
from localsdg.catalog.search import set_names
from localsdg.catalog.store import known_targets, record_values
from localsdg.errors import BadRequest, Conflict, UserError
from localsdg.messages import Message
from localsdg.observations.series import summary
from localsdg.present.i18n import translations
from localsdg.web.i18n import choose
from localsdg.web.params import DB, in_worker
from localsdg.web.templating import render
from localsdg.web.who import name_of, remember

router = APIRouter(include_in_schema=False)
GROUPS = ["description", "goal", "perspective", "quality", "data"]
SHOWN = 10  # crosswalk proposals shown before "show all"
MAX_PROPOSALS = 500


def _page(request: Request, session: DB, set_id: str, code: str) -> dict:
    lang = choose(request)
    data = detail(session, set_id, code, lang)
    walk = crosswalk.similar(session, set_id, code, limit=MAX_PROPOSALS)
    shown = walk if request.query_params.get("alle") else walk[:SHOWN]
    name_lang = "en" if lang == "en" else "nb"
    name = data["values"][f"name_{name_lang}"]
    other = "nb" if name_lang == "en" else "en"
    return {"ind": data, "history": history(session, set_id, code),
            "data": summary(session, get_indicator(session, set_id, code).id),
            "name": name or data["values"][f"name_{other}"] or code,
            "name_language": name_lang if name else other, "groups": GROUPS,
            "properties": props.PROPERTIES, "proposals": [p.as_dict() for p in shown],
            "more_proposals": len(walk) - len(shown), "by": name_of(request),
            "set_names": set_names(get_index(session), lang),
            "namesakes": next((n for n in crosswalk.namesakes(session, set_id)
                               if code in n.codes), None),
            "suggested": None if data["values"]["targets"] else _suggested(session, set_id, code,
                                                                          lang)}


def _suggested(session: DB, set_id: str, code: str, lang: str) -> dict:
    """For an indicator without targets: the targets its text most likely concerns."""
    found = suggest.suggest_for_indicator(session, set_id, code, limit=suggest.SHOWN)
    sure, hints = suggest.confident_and_hints(found)
    return {"found": sure, "hints": hints, "threshold": suggest.CONFIDENT,
            "titles": target_titles(session, [f.code for f in found], lang)}


@router.get("/indikator/{set_id}/{code}")
def indicator_page(request: Request, session: DB, set_id: str, code: str):
    return render(request, "indicator.html", **_page(request, session, set_id, code),
                  saved=request.query_params.get("lagret"),
                  decided=request.query_params.get("avgjort"))


@router.post("/indikator/{set_id}/{code}/kobling")
async def decide_link(request: Request, session: DB, set_id: str, code: str):
    """A curator confirms or rejects one of the crosswalk's proposals for this indicator, or
    takes a decision back."""
    return await in_worker(request, _decide, session, set_id, code)


def _decide(request: Request, form: FormData, session: DB, set_id: str, code: str):
    by, other = name_of(request, form), str(form.get("other") or "")
    _ = translations(choose(request)).gettext
    if not by:
        return _link_error(request, session, set_id, code,
                           _("Write your name: it is recorded with the decision."))
    decision = form.get("decision")
    try:
        if decision != "reopened" and store.is_decided(session, (set_id, code), split_ref(other)):
            return _link_error(request, session, set_id, code,
                               _("This pair has been decided already; the list shows by whom."))
        if decision == "reopened":
            store.reopen(session, (set_id, code), split_ref(other), by)
        elif decision == "confirmed":
            store.confirm(session, (set_id, code), split_ref(other),
                          str(form.get("kind") or "exact"), by)
        else:
            store.reject(session, (set_id, code), split_ref(other), by,
                         str(form.get("reason") or "").strip()[:2000] or None)
    except UserError as exc:
        return _link_error(request, session, set_id, code, str(exc))
    where = f"/indikator/{quote(set_id)}/{quote(code)}?avgjort={quote(other)}#kobling"
    return remember(RedirectResponse(where, status_code=303), by)


def _link_error(request: Request, session: DB, set_id: str, code: str, message: str):
    return render(request, "indicator.html", 400, **_page(request, session, set_id, code),
                  saved=None, decided=None, link_error=message)


@router.get("/indikator/{set_id}/{code}/endre")
def edit_form(request: Request, session: DB, set_id: str, code: str):
    context = _page(request, session, set_id, code)
    return render(request, "indicator_edit.html", **context, **_form_context(session),
                  values=context["ind"]["values"], errors={})


def _form_context(session: DB) -> dict:
    return {"targets": known_targets(session), "code_lists": tx, "boolean": tx.BOOLEAN}


def _read(form: FormData, prop: props.Property) -> object:
    raw = [str(v) for v in form.getlist(prop.name)]
    if prop.multi:
        return [part for v in raw for part in props.split_multi(v)]
    return raw[0] if raw else None


@router.post("/indikator/{set_id}/{code}/endre")
async def save(request: Request, session: DB, set_id: str, code: str):
    return await in_worker(request, _save, session, set_id, code)


def _save(request: Request, form: FormData, session: DB, set_id: str, code: str):
    """Check every field the form showed, show errors beside them, and save nothing unless all
    are valid; a field the form did not show is left as it is. A field someone else changed
    since the form was opened is kept as they left it unless this form changes it too: then
    the form comes back with both values."""
    targets = known_targets(session)
    shown = set(form.getlist("shown")) | set(form.keys())
    posted, errors = {}, {}
    for prop in props.PROPERTIES.values():
        if prop.name not in shown:
            continue
        raw = _read(form, prop)
        try:
            posted[prop.name] = prop.parse(raw, targets)
        except ValueError as exc:
            posted[prop.name] = raw
            errors[prop.name] = exc.args[0]  # the reason as a message: shown translated
    context = _page(request, session, set_id, code)
    values = {**context["ind"]["values"], **posted}
    if not (values.get("name_nb") or values.get("name_en")):
        errors.setdefault("name_nb", Message("a name is needed in Bokmål or English"))
    by = name_of(request, form)
    if not by:
        errors["by"] = Message("write your name so the change can be traced")
    seen = _revision(form)
    if not errors:
        changes = [classify.Change(name, "set" if value not in (None, []) else "clear", value)
                   for name, value in posted.items()]
        inds = classify.resolve(session, [(set_id, code)], None)
        try:
            result = classify.apply(session, inds, changes, by, seen=seen)
        except Conflict as exc:  # shown again: theirs where only they changed, else yours
            clashing = {c["field"] for c in exc.clashes}
            now = record_values(inds[0])  # as read under the hold
            return render(request, "indicator_edit.html", status=409, **{**context, "by": by},
                          **_form_context(session), errors={}, clashes=exc.clashes,
                          revision=exc.revision, values={**values, **{
                              f: now[f] for f in exc.changed - clashing if f in now}})
        return remember(RedirectResponse(
            f"/indikator/{set_id}/{code}?lagret={len(result['changes'])}", status_code=303), by)
    return render(request, "indicator_edit.html", status=422, **{**context, "by": by},
                  **_form_context(session), values=values, errors=errors,
                  revision=seen or context["ind"]["revision"])


def _revision(form: FormData) -> int | None:
    """The revision the form was opened on (none from a form that does not say)."""
    raw = str(form.get("revision") or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise BadRequest("the form's revision is not a whole number; open the form again")
    return int(raw)
