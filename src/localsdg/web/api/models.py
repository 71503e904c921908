"""The answers of the catalog, data and scoring endpoints, typed so that the OpenAPI document
describes them. Each model mirrors the dict its domain function builds, key for key and in the
same order: a key left out here would be dropped from the answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, create_model

from localsdg.observations.periods import MAX_YEAR, MIN_YEAR
from localsdg.scoring.engine import GOALS
from localsdg.web.downloads import MEDIA
from localsdg.web.who import MAX_NAME

# One property of an indicator: text or code, yes/no, a list of codes or texts, or unknown.
PropertyValue = str | bool | list[str] | None


def file_formats(*formats: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry naming the file formats an endpoint answers with (by `format`)."""
    return {200: {"content": {MEDIA[f].split(";")[0]: {} for f in formats}}}


# ---------------------------------------------------------------- errors


class Error(BaseModel):
    """Every refusal of the API has this shape, whatever its status."""

    detail: str  # what is wrong and what to do, in one message
    # each problem found, located (a file's row, a field): at most 100, then how many more
    problems: list[str]


# What each refusal means; a route declares those it can give.
REFUSALS = {
    400: "A parameter or file cannot be read as given (an unknown query parameter, a value "
         "in the wrong form, a malformed upload).",
    401: "The change does not say who makes it: on a server (PostgreSQL, or `localsdg serve "
         "--server`) send `Authorization: Bearer TOKEN` (see `localsdg users token`); in the "
         "open mode give `by`.",
    403: "The change is refused: it came from another site's page, its form token is missing "
         "or stale, or the signed-in user's role or areas do not cover it.",
    404: "Something the request names (a set, an indicator, an area, a profile set, a plan, an "
         "import batch) does not exist.",
    409: "Someone else changed the record after the revision the change was made on; nothing "
         "was saved. The problems name each clash with both values.",
    413: "The request's body (an upload) is larger than the limit the message names.",
    422: "The request is valid in form but not in content: a value out of range, a missing "
         "field, or a file whose contents fail the checks (every problem is located).",
    429: "Too many requests of this kind from this client; wait the seconds `Retry-After` "
         "says.",
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "seconds to wait before asking again", "required": True,
                          "schema": {"type": "integer", "minimum": 1}}},
}
# What any change (a request with a body) can be refused with, besides its own checks.
CHANGE = (401, 403, 413)  # what any change can be answered with (409: where a revision is sent)


# Bounds of what a path or query names: a stored row's number, a year of data.
ID = {"ge": 1, "le": 2**31 - 1}
YEAR = {"ge": MIN_YEAR, "le": MAX_YEAR}


def by_field(does: str) -> dict[str, Any]:
    """The arguments of the `by` field of a change: who does it, needed in the open mode (401
    without it); on a server the signed-in user is recorded instead."""
    return {"max_length": MAX_NAME, "pattern": r"^[^\x00-\x1f\x7f]*$",
            "description": f"who {does}: needed in the open (embedded) mode; on a server the "
                           "signed-in user is recorded instead"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` entries of the refusals a route can give, all in the shape of `Error`."""
    return {code: {"model": Error, "description": REFUSALS[code],
                   **({"headers": HEADERS[code]} if code in HEADERS else {})}
            for code in sorted(codes)}


# ---------------------------------------------------------------- taxonomy


class Labels(BaseModel):
    nb: str
    nn: str
    en: str


class Code(BaseModel):
    code: str
    nb: str
    nn: str
    en: str


class CodeList(BaseModel):
    label: Labels
    codes: list[Code]


class TargetTitle(BaseModel):
    code: str
    title_nb: str | None
    title_en: str | None


class GoalTargets(BaseModel):
    id: int
    short_nb: str | None
    short_en: str | None
    title_nb: str | None
    title_en: str | None
    colour: str  # the goal's official colour, #RRGGBB
    targets: list[TargetTitle]


# ---------------------------------------------------------------- catalog


class IndicatorSet(BaseModel):
    id: str
    name_nb: str | None
    name_en: str | None
    publisher: str | None
    version: str | None
    level: str | None
    url: str | None
    indicators: int


class SelectionOut(BaseModel):
    """The selection as understood: filters by facet, codes normalised."""

    q: str
    filters: dict[str, list[str]]
    unclassified: list[str]


class Hit(BaseModel):
    set_id: str
    set_name: str  # in the language asked for where the set has a name in it
    code: str
    name: str | None
    name_language: str  # the language of `name`: the other one where the asked one is missing
    name_nb: str | None
    name_en: str | None
    score: float | None  # relevance to the words searched for
    goals: list[str]
    targets: list[str]
    tbl: list[str]
    evaluation_steps: list[str]
    quality_class: str | None
    namesakes: list[str]  # codes of the set's other indicators with the same name


class NamedSet(BaseModel):
    set_id: str
    name: str
    indicators: int
    score: float


class Neighbour(BaseModel):
    set_id: str
    code: str
    similarity: float  # cosine of the two texts, 0–1
    shared: list[str]  # the words that made them similar, the weightiest first


class TargetSuggestion(BaseModel):
    code: str  # the target (13.2), or the goal (13) when goals were asked for
    goal: str
    score: float  # 0–1
    confident: bool  # at or above the threshold chosen by cross-validation on the catalog
    words: list[str]  # the words that matched, in the target's text and the neighbours'
    neighbours: list[Neighbour]  # the most similar classified indicators that carry it


class LinkDecisionOut(BaseModel):
    status: Literal["confirmed", "rejected"]
    by: str
    at: str | None  # ISO time; None for a link its source published as confirmed
    kind: str | None  # the kind it was confirmed as
    reason: str | None


class CrosswalkProposal(BaseModel):
    set_id: str
    code: str
    name_nb: str | None
    name_en: str | None
    kind: Literal["exact", "close", "related_match"]
    confidence: float  # 0–1: 1 − Π(1 − p) over the evidence; 1 when confirmed
    status: Literal["confirmed", "open", "rejected"]
    evidence: list[dict]  # items with `kind`: un_code, link, shared_targets or similar_text
    decision: LinkDecisionOut | None


class OverlapGroup(BaseModel):
    indicators: list[dict]  # set_id, code, name_nb, name_en
    sets: list[str]
    confirmed: bool  # every link in the group confirmed by a curator or its source


class SetsPair(BaseModel):
    sets: list[str]
    same: int  # groups of the same indicator the two sets share
    confirmed: int  # of them, groups whose every link is confirmed


class SetsCount(BaseModel):
    sets: list[str]
    same: int  # groups of the same indicator these sets share


class Overlaps(BaseModel):
    sets: list[str]
    strong: float  # open exact proposals from this confidence count
    groups: list[OverlapGroup]
    pairs: list[SetsPair]
    combinations: list[SetsCount]
    shared_by_all: int | None  # with sets asked for: the groups all of them share


class Namesakes(BaseModel):
    name: str
    codes: list[str]
    differences: dict[str, dict[str, object]]  # property → code → value, where they differ
    words: dict[str, list[str]]  # code → words of its description and notes the others lack
    flag: Literal["classification_only", "no_difference"] | None


class FacetValue(BaseModel):
    value: str | None  # None: unclassified
    label: str
    count: int
    selected: bool


class SearchResult(BaseModel):
    total: int
    offset: int
    limit: int
    sort: str
    selection: SelectionOut
    sets: list[NamedSet]  # the sets whose names hold every word searched for
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] | None = None  # by facet; left out with facets=false


class Link(BaseModel):
    kind: str
    direction: str  # out: from this indicator, in: to it
    set_id: str
    code: str
    name_nb: str | None
    name_en: str | None
    proposed_by: str
    confirmed: bool


class IndicatorDetail(BaseModel):
    set_id: str
    code: str
    uri: str | None
    set_name: str | None
    values: dict[str, PropertyValue]  # every property by name
    labels: dict[str, str | list[str] | None]  # the values' labels, for coded properties
    target_titles: dict[str, str | None]  # by target code
    links: list[Link]
    updated_at: str | None
    revision: int  # counted up by every change; send it back with a change to catch clashes


class PropertyChange(BaseModel):
    at: str
    by: str
    property: str
    old: str | None  # as text, as in a CSV cell
    new: str | None
    batch: int | None  # the import that made it; None for a classification
    revision: int | None  # the indicator's after this change; None before revisions were kept


class PlannedChange(BaseModel):
    set_id: str
    code: str
    property: str
    old: PropertyValue
    new: PropertyValue


class ClassifyResult(BaseModel):
    indicators: int
    changed_indicators: int
    changes: list[PlannedChange]
    saved: bool  # false for a dry run


class CatalogImport(BaseModel):
    batch: int
    sets: list[str]
    indicators: int
    created: int
    updated: int
    unchanged: int
    changes: int


# ---------------------------------------------------------------- statistics


class Count(BaseModel):
    value: str | None  # None: unclassified
    label: str
    count: int
    share: float


class Share(BaseModel):
    count: int
    share: float


class SetCoverage(BaseModel):
    set_id: str
    name: str
    indicators: int
    goals: list[str]
    goals_covered: int
    targets_covered: int
    unclassified_share: dict[str, float]  # by facet


class TargetSets(BaseModel):
    target: str
    sets: list[str]


class TargetCoverage(BaseModel):
    total: int
    covered: int
    covered_by_several_sets: list[TargetSets]
    without_indicator: list[str]
    without_quality_class_1: list[str]


class Statistics(BaseModel):
    selection: SelectionOut
    total: int
    counts: dict[str, list[Count]]  # by dimension
    unclassified: dict[str, Share]  # by dimension
    sets: list[SetCoverage]
    targets: TargetCoverage


# ---------------------------------------------------------------- areas and data


class AreaVersion(BaseModel):
    level: str
    code: str
    name: str
    short_name: str | None
    name_en: str | None
    parent: str | None
    valid_from: int | None
    valid_to: int | None  # the first year the version no longer exists
    source: str


class MovedValue(BaseModel):
    area: str
    period: str
    value: float | None
    batch: int


class DataRow(BaseModel):
    indicator: str
    area_level: str
    area_code: str
    area_name: str | None
    period: str
    start_year: int
    end_year: int
    dims: dict[str, str]  # the breakdown; {} for the total
    value: float | None
    unit: str | None
    flags: list[str]
    note: str | None  # why there is no value, or how it was made
    source: str | None
    batch: int | list[int] | None  # several when values were combined on other borders
    # Only on rows read on the borders of a year: the values moved there (None: not moved).
    harmonised_from: list[MovedValue] | None = None


class MapValue(BaseModel):
    area_code: str
    area_name: str
    value: float | None  # None: no figure for the municipality that year


class YearMapOut(BaseModel):
    year: int  # the year shown
    years: list[int]  # the years with municipal figures
    boundary: int  # the year of the municipal borders drawn
    table: list[MapValue]  # every municipality on those borders


class DataView(BaseModel):
    """What an indicator's data page shows: one breakdown on the chosen borders, the areas
    shown (chosen, or a few by default) with gaps as rows without a value, and a year across
    all municipalities."""

    indicator: str
    breakdowns: list[str]  # every breakdown as 'key=value;…' ('' the total)
    breakdown: str  # the one shown
    areas: list[str]
    borders: int | None
    rows: list[DataRow]
    map: YearMapOut | None


class DataBatch(BaseModel):
    """An import of observations, with the details its importer recorded (format, publisher,
    mapping, …), which differ from importer to importer."""

    model_config = ConfigDict(extra="allow")

    id: int
    source: str
    checksum: str | None
    by: str
    at: str
    rolled_back_at: str | None
    rows: int
    written: int
    unchanged: int
    skipped: list[str]
    left_out: list[str] = []
    indicators: list[int]


class Rollback(BaseModel):
    batch: int
    removed: int
    by: str


class DataImport(BaseModel):
    source: str
    rows: int
    written: int
    unchanged: int  # the same as already stored: not written again
    batch_id: int | None  # None when nothing was new
    skipped: list[str]  # bad rows left out at the user's request (skip_bad)
    left_out: list[str]  # what the file holds that is no data (a statistics bank's groups)
    read_as: list[str] = []  # how values open to two readings were read (codes out of years)
    indicator_created: str | None = None  # SET/CODE made from the file (create)
    columns_guessed: list[str] | None = None  # a table's columns found by their meaning


# ---------------------------------------------------------------- scoring


class ProfileSetBrief(BaseModel):
    id: str
    name: str
    indicators: int
    method: dict[str, Any]  # the scoring rules as stored (see `localsdg profiles`)
    source: str


class ProfileRow(BaseModel):
    indicator: str
    area_code: str | None  # set: one area's own target
    goal: int
    direction: str | None
    lower: float | None
    lower_rule: str
    upper: float | None
    upper_rule: str
    green: float | None
    yellow: float | None
    red: float | None
    target_value: float | None
    target_year: int | None
    weight: float
    in_index: bool
    impute: bool
    trend_from: int | None
    only_in: str | None
    not_in: str | None
    justification: str | None


class ProfileSetDetail(BaseModel):
    id: str
    name: str
    method: dict[str, Any]  # the scoring rules as stored (see `localsdg profiles`)
    source: str
    notes: str | None
    profiles: list[ProfileRow]


class GroupBrief(BaseModel):
    id: str
    name: str
    method: str  # how the members were chosen, in words
    members: int


class Member(BaseModel):
    level: str
    code: str
    name: str
    subgroup: str  # "" where there is none
    # what a group of similar municipalities was chosen by: population, density (per km²),
    # growth (per cent over five years), aged (per cent aged 67 or older)
    structure: dict[str, float] = {}


class GroupDetail(BaseModel):
    id: str
    name: str
    method: str
    members: list[Member]


class MethodRules(BaseModel):
    aggregation: str
    min_share: float
    missing_goal: str
    max_missing: float | None
    min_goals: int | None
    decimals: int | None
    colour_from: str  # dashboard (SDSN's rule) or index: what a goal's colour needs rated


class ScoreRowBase(BaseModel):
    code: str
    name: str
    group: str | None  # the area's subgroup
    index: float | None
    rank: float | None
    missing_share: float | None
    # With runs > 0 only: the 5th percentile, median and 95th percentile of the runs.
    index_p5: float | None = None
    index_median: float | None = None
    index_p95: float | None = None
    rank_p5: float | None = None
    rank_median: float | None = None
    rank_p95: float | None = None


def _goal_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for g in range(1, GOALS + 1):
        fields |= {f"goal_{g}": (float | None, ...),
                   f"goal_{g}_filled": (bool, ...),  # the group's mean stands in for it
                   f"goal_{g}_colour": (str | None, ...),
                   f"goal_{g}_trend": (str | None, ...)}
    return fields


# Per goal N: goal_N, goal_N_filled, goal_N_colour and goal_N_trend, after the fields above.
ScoreRow = create_model("ScoreRow", __base__=ScoreRowBase, **_goal_fields())


class ScoreResult(BaseModel):
    profile_set: str
    group: str
    group_method: str
    year: int
    method: MethodRules
    trend_method: str
    areas: list[ScoreRow]
    indicators: int
    sensitivity: dict[str, float] | None  # with runs: rank band width by choice varied


class IndicatorSteps(BaseModel):
    indicator: str
    name: str | None
    goal: int
    value: float | None
    year: int | None
    source: str | None
    batch: int | None
    lower: float | None  # scores 0
    upper: float | None  # scores 100
    score: float | None
    colour: str | None
    trend: str | None
    weight: float
    in_index: bool
    steps: list[str]


class GoalSteps(BaseModel):
    goal: int
    score: float | None
    filled_from_group: bool
    colour: str | None
    trend: str | None
    steps: list[str]
    indicators: list[IndicatorSteps]


class GoalUse(BaseModel):
    goal: int
    score: float | None
    used: float | None  # what the index takes: the score, or the group's mean
    filled_from_group: bool


class IndexSteps(BaseModel):
    score: float | None
    rank: float | None
    missing_share: float | None
    goals: list[GoalUse]
    steps: list[str]


class Explanation(BaseModel):
    area: str
    name: str
    profile_set: str
    group: str
    group_method: str
    year: int
    method: MethodRules
    trend_method: str
    areas: int
    indicators: int


class IndexExplanation(Explanation):
    index: IndexSteps


class GoalExplanation(Explanation):
    goal: GoalSteps


class IndicatorExplanation(Explanation):
    indicator: IndicatorSteps
