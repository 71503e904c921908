"""Plans in the browser: an area's plans, a plan's page (priorities with the suggestions from
data, interactions, local targets with their projections, measures, budget per goal, history),
a measure's evaluation chain, and every edit as a plain form (no JavaScript needed).

Each form is read here field by field with messages in the reader's language; the whole plan
is then checked and stored by `planning.store`, so a form can never store what an imported
file could not. The name recorded with a change is asked once and kept in a cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from localsdg import taxonomy as tx
from localsdg.catalog.goals import goals_with_targets
from localsdg.catalog.indicators import indicator_name
from localsdg.catalog.properties import target_codes
from localsdg.catalog.store import known_targets
from localsdg.errors import Conflict, UserError
from localsdg.observations.series import area_overview
from localsdg.planning import selection, store
from localsdg.planning.model import FORMAT, ID_MAX, NOTE_MAX, TITLE_MAX
from localsdg.planning.progress import interaction_matrix, measure_chain, overview
from localsdg.present import charts
from localsdg.present.formats import estimate, number
from localsdg.present.i18n import translations
from localsdg.present.labels import N_
from localsdg.reports import plan_report
from localsdg.scoring.status import find_area
from localsdg.sources.plan_files import import_bytes, write_json, write_workbook
from localsdg.web import uploads
from localsdg.web.auth import require, user_of
from localsdg.web.downloads import download
from localsdg.web.i18n import choose
from localsdg.web.params import DB, in_worker
from localsdg.web.templating import render
from localsdg.web.who import name_of, remember

router = APIRouter(include_in_schema=False)
PATHS = {"municipality": "kommune", "county": "fylke"}
REQUIRED = N_("Fill in this field.")
NOT_NUMBER = N_("Write a number, for example 12.5.")
NOT_WHOLE = N_("Write a whole number, for example 2030.")
OUT_OF_RANGE = N_("Write a number from %(low)s to %(high)s.")
TOO_LONG = N_("Write at most %(n)d characters (this has %(given)d).")
END_BEFORE_START = N_("The end year is before the start year.")
SAME_ENDS = N_("Choose two different goals or targets.")
NOT_TARGETS = N_("Not SDG targets: %(codes)s. Write targets as 11.2 or 11.a, separated by "
                 "commas.")
SHARES = N_("The goals' shares add up to %(total)s %%; they must add up to 100 %%.")
NO_NAME = N_("Write your name at the top of the page first: it is recorded with every change.")
CHANGED_MEANWHILE = N_("Someone else changed “%(part)s” (%(by)s, %(at)s) after you opened the "
                       "page; nothing was saved. The page now shows their change; send yours "
                       "again if it is still needed.")
# The parts of a plan as its history and messages name them ("priorities: 13.2" is shown as
# "prioriteringer: 13.2" on a Bokmål page).
PARTS = {"plan": N_("Plan"), "priorities": N_("priorities"), "interactions": N_("interactions"),
         "targets": N_("Local targets"), "measures": N_("measures")}
# A store call, given who makes the change and the plan's revision the form was shown with.
Act = Callable[[str, int | None], None]


@router.get("/planer")
def all_plans(request: Request, session: DB):
    plans = store.listed(session)
    names = {(p["level"], p["area"]): find_area(session, p["area"], p["level"])["name"]
             for p in plans}
    return render(request, "plans.html", area=None, plans=plans, paths=PATHS, names=names)


@router.get("/kommune/{code}/planer")
def municipality_plans(request: Request, session: DB, code: str):
    return _area_plans(request, session, "municipality", code)


@router.get("/fylke/{code}/planer")
def county_plans(request: Request, session: DB, code: str):
    return _area_plans(request, session, "county", code)


def _area_plans(request: Request, session: DB, level: str, code: str, status: int = 200,
                errors: dict | None = None, form: dict | None = None):
    area = find_area(session, code, level)
    return render(request, "plans.html", status=status, area=area, level=level, paths=PATHS,
                  plans=store.listed(session, area["code"]), errors=errors or {},
                  form=form or {}, by=name_of(request))


@router.post("/planer/ny")
async def new_plan(request: Request, session: DB):
    return await in_worker(request, _new_plan, session)


def _new_plan(request: Request, form: FormData, session: DB):
    f = Fields(form, choose(request))
    area = find_area(session, f.text("area", required=True) or "")
    require(request, "plan", area["code"])
    name, by = f.text("name", required=True, limit=TITLE_MAX), name_of(request, form)
    if not by:
        f.errors["by"] = f._(REQUIRED)
    start, end = f.years()
    if not f.errors:
        document = {"format": FORMAT, "area": area["code"], "name": name, "start": start,
                    "end": end, "description": f.text("description")}
        try:
            if any(p["name"] == name for p in store.listed(session, area["code"])):
                raise UserError(f._("The area already has a plan with this name.")
                                + f" ({name})")
            plan_id = store.save(session, {k: v for k, v in document.items() if v is not None},
                                 by or "", action="create")
        except UserError as exc:
            f.errors["name"] = str(exc)
    if f.errors:
        return _area_plans(request, session, area["level"], area["code"], 422, f.errors,
                           dict(form))
    return remember(RedirectResponse(f"/plan/{plan_id}", status_code=303), by)


@router.post("/planer/importer")
def upload_plan(request: Request, session: DB, file: Annotated[UploadFile, File()],
                by: Annotated[str, Form()] = ""):
    name, content = uploads.read(file)
    plan_id = import_bytes(session, content, name, name_of(request) if user_of(request) else by)
    require(request, "plan", store.get(session, plan_id).plan.area)  # else rolled back
    return remember(RedirectResponse(f"/plan/{plan_id}", status_code=303), by)


@router.get("/plan/{plan_id}")
def plan_page(request: Request, session: DB, plan_id: int):
    return _plan_page(request, session, plan_id)


def _plan_page(request: Request, session: DB, plan_id: int, status: int = 200,
               errors: dict | None = None, form: dict | None = None, section: str = "",
               revision: int | None = None):
    lang = choose(request)
    stored = store.get(session, plan_id)
    o = overview(session, stored)
    return render(request, "plan.html", status=status, o=o, plan=o.plan, level=o.area["level"],
                  revision=revision or stored.revision,
                  paths=PATHS, goals=goals_with_targets(session), matrix=_matrix(o, lang),
                  budget_chart=_chart(plan_report.budget_chart(o, lang)),
                  history=store.history(session, plan_id),
                  interactions=interaction_matrix(o.plan),
                  projections=[_chart(plan_report.projection_chart(t, lang))
                               for t in o.targets],
                  indicator_options=_indicator_options(session, o.area, lang), errors=errors or {},
                  form=form or {}, section=section, by=name_of(request),
                  label=lambda key: plan_report.label(o, key, lang),
                  assumption=lambda v: plan_report.assumption(v, lang),
                  part_label=lambda part: part_label(part, translations(lang).gettext),
                  on_track=lambda t: plan_report.on_track_text(t, lang))


def _matrix(o, lang: str) -> dict:
    _ = translations(lang).gettext
    rows = [{"key": p.key, "importance": p.importance, "influence": p.influence,
             "colour": tx.GOAL_COLOURS[p.goal or int(p.key.split(".")[0])],
             "label": plan_report.label(o, p.key, lang)} for p in o.plan.priorities]
    description = _("%(n)d priorities by importance (across) and influence (up), 1 to 5; the "
                    "table below lists them.") % {"n": len(rows)}
    spec = charts.priority_matrix(rows, _("Importance and influence"), description,
                                  _("Importance"), _("Influence"), lang)
    return {"spec": charts.script_json(spec), "text": description}


def _chart(chart: dict | None) -> dict | None:
    return chart and {"spec": charts.script_json(chart["spec"]), "text": chart["text"]}


def _indicator_options(session: DB, area: dict, lang: str) -> list[tuple[str, str]]:
    """The indicators with data for the area, as (SET/CODE, name and latest value) choices:
    the value shows the unit a target is written in (a share as 0,95, or per cent as 95)."""
    _ = translations(lang).gettext
    out = []
    for r in area_overview(session, area["level"], area["code"]):
        name = indicator_name(r, lang)
        latest = _("latest %(value)s (%(period)s)") % {
            "value": number(r["value"], lang) + (f" {_(r['unit'])}" if r["unit"] else ""),
            "period": r["period"]} if r["value"] is not None else ""
        out.append((f"{r['set_id']}/{r['code']}", f"{name} – {latest}" if latest else name))
    return out


@router.post("/plan/{plan_id}/navn")
async def set_name(request: Request, plan_id: int):
    form = await request.form()
    response = RedirectResponse(f"/plan/{plan_id}#top", status_code=303)
    return remember(response, str(form.get("by") or ""))


class Fields:
    """A submitted form read field by field; `errors` maps a field to its message in the
    reader's language."""

    def __init__(self, form: FormData, lang: str):
        self.form, self.errors = form, {}
        self._ = translations(lang).gettext

    def text(self, name: str, required: bool = False, limit: int = NOTE_MAX) -> str | None:
        value = str(self.form.get(name) or "").strip()
        if required and not value:
            self.errors[name] = self._(REQUIRED)
        if len(value) > limit:
            self.errors[name] = self._(TOO_LONG) % {"n": limit, "given": len(value)}
        return value or None

    def years(self) -> tuple[int | None, int | None]:
        """The fields start and end as years, the end not before the start."""
        start, end = self.whole("start", 1900, 2100), self.whole("end", 1900, 2100)
        if start is not None and end is not None and end < start:
            self.errors["end"] = self._(END_BEFORE_START)
        return start, end

    def number(self, name: str, required: bool = False, low: float | None = None,
               high: float | None = None, wrong: str = NOT_NUMBER) -> float | None:
        raw = self.text(name, required)
        if raw is None:
            return None
        try:
            value = float(raw.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except ValueError:
            self.errors[name] = self._(wrong)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.errors[name] = self._(wrong)
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.errors[name] = self._(OUT_OF_RANGE) % {"low": low, "high": high}
            return None
        return value

    def whole(self, name: str, low: int, high: int, required: bool = False) -> int | None:
        value = self.number(name, required, low, high, NOT_WHOLE)
        if value is not None and not float(value).is_integer():
            self.errors[name] = self._(NOT_WHOLE)
            return None
        return None if value is None else int(value)

    def targets(self, name: str, known: set[str]) -> list[str]:
        """The SDG targets of a field ('4.1, 4,6' or '11.a;11.b'), each one that exists."""
        codes = target_codes(self.text(name))
        if unknown := [c for c in codes if c not in known]:
            self.errors[name] = self._(NOT_TARGETS) % {"codes": ", ".join(unknown)}
        return codes

    def choice(self, name: str, allowed: tuple[str, ...] | list[str],
               required: bool = True) -> str | None:
        value = self.text(name, required)
        if value is not None and value not in allowed:
            self.errors[name] = self._(REQUIRED)
            return None
        return value


async def _edit(request: Request, session: DB, plan_id: int, section: str,
                read: Callable[[Fields], Act | None],
                measure: str | None = None, done: str | None = None):
    """Read the form with `read` (it returns the store call to make, given the name and the
    plan's revision the form was shown with), then
    store and go back to the section (or to the measure's page the form is on, or to `done`);
    on any problem show that page again with the messages and what was typed."""
    return await in_worker(request, _apply, session, plan_id, section, read, measure, done)


def _apply(request: Request, form: FormData, session: DB, plan_id: int, section: str,
           read: Callable[[Fields], Act | None], measure: str | None, done: str | None):
    f = Fields(form, choose(request))
    by = name_of(request, form)
    act = read(f)
    seen = f.whole("revision", 1, 2**31 - 1)
    if not by:
        f.errors["by"] = f._(NO_NAME)
    status = 422
    if not f.errors and act is not None:
        try:
            act(by, seen)
        except Conflict as exc:
            clash = exc.clashes[0]
            f.errors["plan"], status = f._(CHANGED_MEANWHILE) % {
                "part": part_label(clash["field"], f._), "by": clash["by"],
                "at": f"{clash['at']:%Y-%m-%d %H:%M} UTC"}, 409
        except UserError as exc:
            f.errors["plan"] = str(exc)
    started = seen if status == 422 else None  # a form shown again keeps its revision
    if f.errors and measure is not None:
        return _measure_page(request, session, plan_id, measure, status, f.errors, dict(form),
                             started)
    if f.errors:
        return _plan_page(request, session, plan_id, status, f.errors, dict(form), section,
                          started)
    where = done or (f"/plan/{plan_id}/tiltak/{quote(measure)}" if measure is not None
                     else f"/plan/{plan_id}#{section}")
    return remember(RedirectResponse(where, status_code=303), by)


def part_label(part: str, gettext: Callable[[str], str]) -> str:
    section, _sep, item = part.partition(": ")
    name = gettext(PARTS[section]) if section in PARTS else section
    return f"{name}: {item}" if item else name


def _goal_or_target(f: Fields, name: str) -> tuple[int | None, str | None]:
    key = f.text(name, required=True)
    if key is None:
        return None, None
    return (int(key), None) if key.isdigit() else (None, key)


@router.post("/plan/{plan_id}/endre")
async def change_plan(request: Request, session: DB, plan_id: int):
    def read(f: Fields):
        start, end = f.years()
        fields = {"name": f.text("name", required=True, limit=TITLE_MAX), "start": start,
                  "end": end, "description": f.text("description")}
        return lambda by, seen: store.set_fields(session, plan_id, fields, by, seen=seen)
    return await _edit(request, session, plan_id, "planen", read)


@router.post("/plan/{plan_id}/prioritet")
async def add_priority(request: Request, session: DB, plan_id: int):
    def read(f: Fields):
        goal, target = _goal_or_target(f, "key")
        importance = f.whole("importance", 1, 5, required=True)
        influence = f.whole("influence", 1, 5, required=True)
        item = {k: v for k, v in {"goal": goal, "target": target, "importance": importance,
                                  "influence": influence, "reason": f.text("reason")}.items()
                if v is not None}
        return lambda by, seen: store.put(session, plan_id, "priorities", item, by, seen=seen)
    return await _edit(request, session, plan_id, "prioriteringer", read)


@router.post("/plan/{plan_id}/samspill")
async def add_interaction(request: Request, session: DB, plan_id: int):
    def read(f: Fields):
        source, to = f.text("from", required=True), f.text("to", required=True)
        if source and source == to:
            f.errors["to"] = f._(SAME_ENDS)
        score = f.whole("score", -3, 3, required=True)
        item = {k: v for k, v in {"from": source, "to": to, "score": score,
                                  "reason": f.text("reason")}.items() if v is not None}
        return lambda by, seen: store.put(session, plan_id, "interactions", item, by, seen=seen)
    return await _edit(request, session, plan_id, "samspill", read)


@router.post("/plan/{plan_id}/mal")
async def add_target(request: Request, session: DB, plan_id: int):
    def read(f: Fields):
        indicator = f.text("indicator_ref") or f.text("indicator", required=True)
        item: dict = {"indicator": indicator, "value": f.number("value", required=True),
                      "year": f.whole("year", 1900, 2100, required=True)}
        base_value, base_year = f.number("baseline_value"), f.whole("baseline_year", 1900, 2100)
        if base_value is not None or base_year is not None:
            item["baseline"] = {"value": base_value, "year": base_year}
        if decision := f.text("decision"):
            item["decision"] = decision
        replaces = f.text("replaces")
        return lambda by, seen: store.put(session, plan_id, "targets", item, by,
                                          replaces=replaces, seen=seen)
    return await _edit(request, session, plan_id, "mal", read)


@router.post("/plan/{plan_id}/tiltak")
async def save_measure(request: Request, session: DB, plan_id: int):
    def read(f: Fields):
        replaces = f.text("replaces")
        old = store.get(session, plan_id).plan.measure(replaces) if replaces else None
        item = {**(old.model_dump(mode="json", by_alias=True) if old else {}),
                "id": f.text("id", required=True, limit=ID_MAX),
                "title": f.text("title", required=True, limit=TITLE_MAX),
                "description": f.text("description"), "responsible": f.text("responsible"),
                **dict(zip(("start", "end"), f.years(), strict=True)),
                "status": f.choice("status", [c.code for c in tx.MEASURE_STATUS.codes]),
                "kind": f.choice("kind", [c.code for c in tx.MEASURE_KINDS.codes]),
                "contract_value": f.number("contract_value", low=0),
                "targets": f.targets("targets", known_targets(session))}
        item = {k: v for k, v in item.items() if v is not None}
        return lambda by, seen: store.put(session, plan_id, "measures", item, by,
                                          replaces=replaces, seen=seen)
    came_from = request.query_params.get("fra")  # the measure's own page
    if not came_from:
        return await _edit(request, session, plan_id, "tiltak", read)
    new_id = str((await request.form()).get("id") or came_from).strip()
    return await _edit(request, session, plan_id, "tiltak", read, came_from,
                       done=f"/plan/{plan_id}/tiltak/{quote(new_id)}")


@router.post("/plan/{plan_id}/fjern/{section}")
async def remove_item(request: Request, session: DB, plan_id: int,
                      section: Literal["priorities", "interactions", "targets", "measures"]):
    anchors = {"priorities": "prioriteringer", "interactions": "samspill", "targets": "mal",
               "measures": "tiltak"}

    def read(f: Fields):
        key = f.text("key", required=True)
        return None if key is None else (
            lambda by, seen: store.remove(session, plan_id, section, key, by, seen=seen))
    return await _edit(request, session, plan_id, anchors[section], read)


@router.get("/plan/{plan_id}/tiltak/{measure_id}")
def measure_page(request: Request, session: DB, plan_id: int, measure_id: str):
    return _measure_page(request, session, plan_id, measure_id)


def _measure_page(request: Request, session: DB, plan_id: int, measure_id: str,
                  status: int = 200, errors: dict | None = None, form: dict | None = None,
                  revision: int | None = None):
    stored = store.get(session, plan_id)
    area, found = measure_chain(session, stored, measure_id)
    return render(request, "measure.html", status=status, plan_id=plan_id, area=area,
                  revision=revision or stored.revision,
                  plan=stored.plan, chain=found, m=found.measure, level=area["level"],
                  paths=PATHS, indicator_options=_indicator_options(session, area,
                                                                    choose(request)),
                  goal_options=[(c.code, f"{c.code} {c.label(choose(request))}")
                                for c in tx.GOALS.codes],
                  errors=errors or {}, form=form or {}, by=name_of(request))


def _measure_edit(session: DB, plan_id: int, measure_id: str,
                  change: Callable[[dict], None]) -> Callable[[str, int | None], None]:
    """The store call that changes one measure's indicators or budget lines."""
    return lambda by, seen: store.change_item(session, plan_id, "measures", measure_id, change,
                                              by, seen)


@router.post("/plan/{plan_id}/tiltak/{measure_id}/indikator")
async def add_link(request: Request, session: DB, plan_id: int, measure_id: str):
    def read(f: Fields):
        link: dict = {"indicator": f.text("indicator_ref") or f.text("indicator",
                                                                     required=True),
                      "step": f.choice("step", [c.code for c in tx.EVALUATION_STEPS.codes]),
                      "expected": []}
        year, value = f.whole("expected_year", 1900, 2100), f.number("expected_value")
        if (year is None) != (value is None):
            f.errors["expected_year" if year is None else "expected_value"] = f._(REQUIRED)
        elif year is not None:
            link["expected"].append({"year": year, "value": value})
        return _measure_edit(session, plan_id, measure_id,
                             lambda m: m["indicators"].append(link))
    return await _edit(request, session, plan_id, "tiltak", read, measure_id)


@router.post("/plan/{plan_id}/tiltak/{measure_id}/budsjett")
async def add_budget(request: Request, session: DB, plan_id: int, measure_id: str):
    def read(f: Fields):
        line: dict = {"year": f.whole("year", 1900, 2100), "amount": f.number(
            "amount", required=True, low=0), "funding": f.choice("funding", ("own", "external")),
            "funder": f.text("funder"), "goals": {}}
        for i in (1, 2, 3):
            goal, share = f.whole(f"goal_{i}", 1, 17), f.number(f"share_{i}", low=0, high=100)
            if goal is not None and share:
                line["goals"][str(goal)] = share / 100
        if line["goals"] and abs(sum(line["goals"].values()) - 1) > 1e-6:
            total = estimate(sum(line["goals"].values()) * 100, choose(request))
            f.errors["share_1"] = f._(SHARES) % {"total": total}
        line = {k: v for k, v in line.items() if v is not None}
        return _measure_edit(session, plan_id, measure_id, lambda m: m["budget"].append(line))
    return await _edit(request, session, plan_id, "tiltak", read, measure_id)


@router.post("/plan/{plan_id}/tiltak/{measure_id}/fjern/{part}")
async def remove_from_measure(request: Request, session: DB, plan_id: int, measure_id: str,
                              part: Literal["indicators", "budget"]):
    def read(f: Fields):
        at = f.whole("at", 1, 10_000, required=True)
        return None if at is None else _measure_edit(
            session, plan_id, measure_id, lambda m: m[part].pop(at - 1))
    return await _edit(request, session, plan_id, "tiltak", read, measure_id)


@router.get("/plan/{plan_id}/rapport.{fmt}")
def follow_up(request: Request, session: DB, plan_id: int,
              fmt: Literal["pdf", "html", "xlsx"]):
    lang = choose(request)
    o = overview(session, store.get(session, plan_id))
    make = {"pdf": plan_report.pdf, "html": plan_report.html, "xlsx": plan_report.xlsx}[fmt]
    return download(make(o, lang), f"localsdg-plan-{plan_id}-{lang}", fmt)


@router.get("/plan/{plan_id}/eksport.{fmt}")
def export(session: DB, plan_id: int, fmt: Literal["json", "xlsx"]):
    plan = store.get(session, plan_id).plan
    content = write_json(plan) if fmt == "json" else write_workbook(plan)
    return download(content, f"plan-{plan.area}-{plan_id}", fmt)


@router.get("/planer/mal.xlsx")
def template_workbook():
    return download(write_workbook(None), "localsdg-plan-template", "xlsx")


@router.get("/velg")
def choose_page(request: Request, session: DB, mal: str = "", omrade: str = "",
                plan: int | None = None):
    """The smallest good indicator set for priorities typed, or for a plan's priorities."""
    if plan is not None:
        stored = store.get(session, plan).plan
        mal, omrade = ",".join(p.key for p in stored.priorities), stored.area
    found = selection.choose(session, selection.parse_priorities(session, [mal]),
                             omrade or None) if mal.strip() else None
    return render(request, "choose.html", found=found, mal=mal, omrade=omrade, plan=plan,
                  area=find_area(session, omrade) if found and omrade else None,
                  by=name_of(request))


@router.post("/velg/lagre")
async def save_choice(request: Request, session: DB):
    return await in_worker(request, _save_choice, session)


def _save_choice(request: Request, form: FormData, session: DB):
    f = Fields(form, choose(request))
    mal, omrade = f.text("mal", required=True) or "", f.text("omrade")
    set_id, by = f.text("id", required=True), name_of(request, form)
    if omrade:
        require(request, "plan", omrade)
    if f.errors or not by:
        raise UserError(f._(NO_NAME) if not by else f._(REQUIRED))
    found = selection.choose(session, selection.parse_priorities(session, [mal]), omrade)
    selection.save(session, found, set_id, f.text("name") or set_id, by)
    where = f"/{PATHS[find_area(session, omrade)['level']]}/{omrade}?profil={quote(set_id)}" \
        if omrade else f"/velg?mal={quote(mal)}"
    return remember(RedirectResponse(where, status_code=303), by)
