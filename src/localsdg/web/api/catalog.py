"""JSON endpoints for the catalog: taxonomy, sets, search, indicators, classification,
analyses, import and export."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from localsdg import taxonomy as tx
from localsdg.catalog import (
    analysis,
    classify,
    crosswalk,
    export,
    files,
    indicators,
    similarity,
    store,
    suggest,
)
from localsdg.catalog import properties as props
from localsdg.catalog.goals import goals_with_targets
from localsdg.catalog.index import FACETS
from localsdg.catalog.rows import selection_rows
from localsdg.catalog.search import SORTS, Selection, search
from localsdg.errors import BadRequest
from localsdg.web import uploads
from localsdg.web.api.models import (
    CHANGE,
    CatalogImport,
    ClassifyResult,
    CodeList,
    CrosswalkProposal,
    GoalTargets,
    IndicatorDetail,
    IndicatorSet,
    Namesakes,
    Overlaps,
    PropertyChange,
    SearchResult,
    Statistics,
    TargetSuggestion,
    by_field,
    errors,
    file_formats,
)
from localsdg.web.downloads import csv_download, download, rows_download
from localsdg.web.params import DB, WORD, Sel, check_params, facet_filter
from localsdg.web.who import recorded

router = APIRouter()
REF = r"^[^/]+/.+$"  # SET/CODE
Lang = Annotated[Literal["nb", "nn", "en"], Query(description="language of labels")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key must not be ignored silently


class ChangeIn(Strict):
    property: str = Field(description="property name, e.g. evaluation_steps",
                          json_schema_extra={"enum": list(props.PROPERTIES)})
    op: Literal["set", "add", "remove", "clear"] = "set"
    value: bool | int | float | str | list[int | str] | None = None


class ClassifyIn(Strict):
    changes: list[ChangeIn] = Field(min_length=1)
    by: str = Field("", **by_field("makes the change"))
    dry_run: bool = False


class IndicatorChangesIn(ClassifyIn):
    revision: int | None = Field(None, ge=1, description=(
        "the indicator's revision the change was made on; when someone has changed one of the "
        "same properties since, nothing is saved and the answer is 409 with both values"))


class IndicatorKey(Strict):
    set_id: str
    code: str


class SelectionIn(Strict):
    """Words, values per facet, or facets that must be empty: at least one of them (an empty
    selection would change the whole catalog)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["q"], "properties": {"q": {"pattern": WORD}}},
        {"required": ["filters"], "properties": {"filters": {"minProperties": 1}}},
        {"required": ["unclassified"], "properties": {"unclassified": {"minItems": 1}}}]})
    q: str = ""
    filters: dict[str, list[str]] = Field({}, json_schema_extra={
        "additionalProperties": False,
        "properties": {f: {**facet_filter(f), "minItems": 1} for f in FACETS}})
    unclassified: list[str] = Field([], json_schema_extra={
        "items": {"type": "string", "enum": list(FACETS)}})

    def is_empty(self) -> bool:
        return not (self.q.strip() or self.unclassified or any(
            str(v).strip() for values in self.filters.values() for v in values))


Level = Annotated[Literal["target", "goal"], Query(description="suggest targets or goals")]


class SuggestIn(Strict):
    text: str = Field(description="Norwegian or English text, up to 20,000 characters",
                      pattern=WORD, max_length=similarity.MAX_TEXT)
    level: Literal["target", "goal"] = "target"
    limit: int = Field(5, ge=1, le=suggest.MAX_LIMIT)


class LinkDecisionIn(Strict):
    first: str = Field(description="SET/CODE, e.g. un-global/13.2.2", pattern=REF)
    second: str = Field(description="SET/CODE", pattern=REF)
    decision: Literal["confirmed", "rejected", "reopened"]  # reopened: taken back
    kind: Literal["exact", "close", "related_match", "related"] = "exact"
    reason: str | None = Field(None, max_length=2000)
    by: str = Field("", **by_field("decides"))


class IndicatorsClassifyIn(ClassifyIn):
    indicators: list[IndicatorKey]


class SelectionClassifyIn(ClassifyIn):
    selection: SelectionIn


# The indicators to change: listed, or every indicator of a selection (exactly one of the two).
BulkClassifyIn = IndicatorsClassifyIn | SelectionClassifyIn


@router.get("/taxonomy", tags=["taxonomy"], response_model=dict[str, CodeList])
def get_taxonomy() -> dict:
    """Every code list with Bokmål, Nynorsk and English labels."""
    return {cl.id: {"label": {lang: cl.label(lang) for lang in tx.LANGUAGES},
                    "codes": [c.__dict__ for c in cl.codes]} for cl in tx.CODE_LISTS.values()}


@router.get("/goals", tags=["taxonomy"], response_model=list[GoalTargets])
def get_goals(session: DB) -> list[dict]:
    """The 17 goals with their targets (official titles in Bokmål and English)."""
    return goals_with_targets(session)


@router.get("/sets", tags=["catalog"], response_model=list[IndicatorSet])
def get_sets(session: DB) -> list[dict]:
    return indicators.list_sets(session)


@router.get("/indicators", tags=["catalog"], response_model=SearchResult,
            response_model_exclude_unset=True, responses=errors(400, 404, 422))
def get_indicators(request: Request, session: DB, sel: Sel, lang: Lang = "nb",
                   limit: Annotated[int, Query(ge=0, le=1000)] = 20,
                   offset: Annotated[int, Query(ge=0)] = 0,
                   sort: Annotated[Literal[SORTS], Query()] = "relevance",
                   facets: bool = True) -> dict:
    """Search across all sets with facet filters; facet counts for the current query."""
    check_params(request, "lang", "limit", "offset", "sort", "facets", selection=True)
    return search(session, sel, limit=limit, offset=offset, sort=sort, lang=lang, facets=facets)


@router.get("/sets/{set_id}/indicators/{code}", tags=["catalog"],
            response_model=IndicatorDetail, responses=errors(404, 422))
def get_indicator(session: DB, set_id: str, code: str, lang: Lang = "nb") -> dict:
    return indicators.detail(session, set_id, code, lang)


@router.get("/sets/{set_id}/indicators/{code}/history", tags=["catalog"],
            response_model=list[PropertyChange], responses=errors(404, 422))
def get_history(session: DB, set_id: str, code: str) -> list[dict]:
    return indicators.history(session, set_id, code)


@router.get("/sets/{set_id}/indicators/{code}/suggest", tags=["classification"],
            response_model=list[TargetSuggestion], responses=errors(404, 422))
def suggest_for_indicator(session: DB, set_id: str, code: str, level: Level = "target",
                          limit: Annotated[int, Query(ge=1, le=suggest.MAX_LIMIT)] = 5
                          ) -> list[dict]:
    """The targets (or goals) the indicator's own text most likely concerns, itself left out."""
    return [f.as_data() for f in suggest.suggest_for_indicator(session, set_id, code,
                                                               limit=limit, level=level)]


@router.post("/suggest", tags=["classification"], response_model=list[TargetSuggestion],
             responses=errors(400, 403, 413, 422))
def suggest_for_text(session: DB, body: SuggestIn) -> list[dict]:
    """The targets (or goals) a text most likely concerns: a paragraph of a plan, a measure's
    description, an indicator's name; each with its score, whether it is above the confidence
    threshold, the words that matched and the nearest classified indicators."""
    return [f.as_data() for f in suggest.suggest_targets(session, body.text, limit=body.limit,
                                                         level=body.level)]


@router.get("/sets/{set_id}/indicators/{code}/similar", tags=["crosswalk"],
            response_model=list[CrosswalkProposal], responses=errors(404, 422))
def get_similar(session: DB, set_id: str, code: str,
                limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[dict]:
    """The crosswalk of one indicator: the same, nearly the same or related indicators of other
    sets, confirmed first, then open by confidence, then rejected; each with its evidence."""
    return [p.as_dict() for p in crosswalk.similar(session, set_id, code, limit=limit)]


@router.post("/links/decisions", tags=["crosswalk"], response_model=list[CrosswalkProposal],
             responses=errors(*CHANGE, 400, 404, 422))
def decide_link(request: Request, session: DB, body: LinkDecisionIn) -> list[dict]:
    """A curator confirms (as `kind`) or rejects a pair of indicators, or takes a decision back
    (reopened); recorded in both indicators' history. Answers the first indicator's crosswalk
    as it is after the decision."""
    first, second = indicators.split_ref(body.first), indicators.split_ref(body.second)
    by = recorded(request, body.by)
    if body.decision == "confirmed":
        store.confirm(session, first, second, body.kind, by)
    elif body.decision == "rejected":
        store.reject(session, first, second, by, body.reason)
    else:
        store.reopen(session, first, second, by)
    session.commit()  # stored before the crosswalk of the new catalog version is built and kept
    return [p.as_dict() for p in crosswalk.similar(session, *first, limit=500)]


@router.get("/overlaps", tags=["analysis"], response_model=Overlaps,
            responses=errors(404, 422))
def get_overlaps(session: DB, set_ids: Annotated[list[str], Query(
        alias="set", description="only these sets (repeat the parameter)")] = []) -> dict:  # noqa: B006 - FastAPI copies it
    """Where sets measure the same thing: groups of indicators joined by confirmed exact links
    and strong exact proposals, and how many each pair and combination of sets shares."""
    return analysis.overlaps(session, set_ids)


@router.get("/sets/{set_id}/namesakes", tags=["crosswalk"], response_model=list[Namesakes],
            responses=errors(404, 422))
def get_namesakes(session: DB, set_id: str) -> list[dict]:
    """Indicators of the set with the same name, with what tells them apart, or a flag."""
    return [asdict(n) for n in crosswalk.namesakes(session, set_id)]


@router.patch("/sets/{set_id}/indicators/{code}", tags=["classification"],
              response_model=ClassifyResult, responses=errors(*CHANGE, 400, 404, 409, 422))
def patch_indicator(request: Request, session: DB, set_id: str, code: str,
                    body: IndicatorChangesIn) -> dict:
    """Change properties of one indicator; all changes are checked before any is saved."""
    inds = classify.resolve(session, [(set_id, code)], None)
    return classify.apply(session, inds, _changes(body), recorded(request, body.by),
                          body.dry_run, body.revision)


@router.post("/classify", tags=["classification"], response_model=ClassifyResult,
             responses=errors(*CHANGE, 400, 404, 422))
def bulk_classify(request: Request, session: DB, body: BulkClassifyIn) -> dict:
    """Change properties of listed indicators, or of every indicator in a selection."""
    if isinstance(body, IndicatorsClassifyIn):
        inds = classify.resolve(session, [(k.set_id, k.code) for k in body.indicators], None)
    elif body.selection.is_empty():
        raise BadRequest("the selection is empty, which would change the whole catalog; give "
                         "'q', 'filters' or 'unclassified'")
    else:
        inds = classify.resolve(session, None, Selection(**body.selection.model_dump()))
    return classify.apply(session, inds, _changes(body), recorded(request, body.by),
                          body.dry_run)


def _changes(body: ClassifyIn) -> list[classify.Change]:
    return [classify.Change(c.property, c.op, c.value) for c in body.changes]


@router.get("/stats", tags=["analysis"], response_model=Statistics,
            responses=file_formats("csv") | errors(400, 404, 422))
def get_stats(request: Request, session: DB, sel: Sel, lang: Lang = "nb",
              format: Literal["json", "csv"] = "json") -> dict | Response:  # noqa: A002
    """Counts per dimension with unclassified shares, and the set-by-set comparison."""
    check_params(request, "lang", "format", selection=True)
    data = analysis.statistics(session, sel, lang)
    if format == "csv":
        return csv_download(analysis.statistics_rows(data),
                            ["dimension", "value", "label", "count", "share"], "statistics")
    return data


@router.get("/sets/{set_id}/export", tags=["import and export"],
            response_class=Response,
            responses=file_formats("csv", "xlsx", "json", "ttl") | errors(404, 422))
def export_set(session: DB, set_id: str,
               format: Literal["csv", "xlsx", "json", "ttl"] = "csv") -> Response:  # noqa: A002
    """A whole set in the catalog layout, or as SKOS/Turtle."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{set_id}.{format}"
        export.export(session, format, path, [set_id])
        return download(path.read_bytes(), set_id, format)


@router.get("/export", tags=["import and export"], response_class=Response,
            responses=file_formats("csv", "xlsx", "json") | errors(400, 404, 422))
def export_selection(request: Request, session: DB, sel: Sel,
                     format: Literal["csv", "xlsx", "json"] = "csv") -> Response:  # noqa: A002
    """The indicators of any selection (up to 1,000) in the catalog layout."""
    check_params(request, "format", selection=True)
    return rows_download(selection_rows(session, sel, 1000), "indicators", format)


@router.post("/import", tags=["import and export"], response_model=CatalogImport,
             responses=errors(*CHANGE, 400, 422))
def import_sets(request: Request, session: DB, file: Annotated[UploadFile, File()],
                by: Annotated[str, Form(**by_field("imports"))] = "") -> dict:
    """Import indicator sets (CSV, XLSX or JSON): checked whole, stored all or nothing."""
    with uploads.as_path(file) as path:
        return files.import_file(session, path, recorded(request, by))
