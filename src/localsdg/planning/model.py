"""A plan as a document: priorities, interactions, local targets and measures with their
indicators and budget lines, in the exchange format of docs/plan-format.md.

The same model reads a JSON file, an Excel workbook (after `sources.plan_files` has turned its
rows into this shape), a form in the browser and the stored plan, so one set of rules decides
what a plan may hold. Checks that need the database (does the area, target or indicator
exist?) are in `planning.check`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from localsdg import taxonomy as tx

FORMAT = "localsdg-plan/1"
SHARE_TOLERANCE = 1e-6  # goal shares of a budget line add up to 1 within this

Scale = Annotated[int, Field(ge=1, le=5)]
Score = Annotated[int, Field(ge=-3, le=3)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Amount = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(gt=0, le=1)]
TITLE_MAX, NOTE_MAX, ID_MAX = 300, 10_000, 60  # characters of a name, a free text, a measure id
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
Note = Annotated[str, Field(max_length=NOTE_MAX)]
STEPS: tuple[str, ...] = tuple(c.code for c in tx.EVALUATION_STEPS.codes)
# The allowed words are the taxonomy's codes, so a new code is allowed in one place.
Step = Literal[STEPS]  # type: ignore[valid-type]
Status = Literal[tuple(c.code for c in tx.MEASURE_STATUS.codes)]  # type: ignore[valid-type]
Kind = Literal[tuple(c.code for c in tx.MEASURE_KINDS.codes)]  # type: ignore[valid-type]
Funding = Literal[tuple(c.code for c in tx.FUNDING.codes)]  # type: ignore[valid-type]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True,
                              populate_by_name=True)


class Priority(Item):
    """A goal or a target the plan rates: importance (how big the local challenge is) and
    influence (how much the municipality can do), each 1–5."""

    goal: Annotated[int, Field(ge=1, le=17)] | None = None
    target: str | None = None
    importance: Scale
    influence: Scale
    reason: Note | None = None

    @model_validator(mode="after")
    def _one(self) -> Priority:
        if (self.goal is None) == (self.target is None):
            raise ValueError("give either a goal or a target")
        return self

    @property
    def key(self) -> str:
        return self.target or str(self.goal)


class Interaction(Item):
    """How progress on one goal or target affects another, −3 (cancelling) to +3
    (indivisible)."""

    source: str = Field(alias="from")
    to: str
    score: Score
    reason: Note | None = None

    @field_validator("source", "to", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class Baseline(Item):
    value: float
    year: Year


class LocalTarget(Item):
    """A level the area has decided to reach on an indicator by a year."""

    indicator: str
    value: float
    year: Year
    baseline: Baseline | None = None
    decision: Note | None = None  # the decision that set it (body, case, date)
    note: Note | None = None


class Effect(Item):
    year: Year
    value: float


class MeasureIndicator(Item):
    """An indicator that shows a measure's work at one step of the evaluation chain."""

    indicator: str
    step: Step
    expected: list[Effect] = []


class BudgetLine(Item):
    year: Year | None = None  # None: a grant or cost whose year the source does not state
    amount: Amount  # NOK
    funding: Funding = "own"
    funder: Note | None = None
    goals: dict[Annotated[int, Field(ge=1, le=17)], Share] = {}  # goal → share of the amount

    @model_validator(mode="after")
    def _shares(self) -> BudgetLine:
        total = sum(self.goals.values())
        if self.goals and abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"the goal shares add up to {total:g}, not 1")
        return self


class Measure(Item):
    id: Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=r"^[^/?#]+$")]
    title: Title
    description: Note | None = None
    responsible: Note | None = None
    start: Year | None = None
    end: Year | None = None
    status: Status = "planned"
    kind: Kind = "service"
    contract_value: Amount | None = None  # procurements: the contract's value in NOK
    targets: list[str] = []
    indicators: list[MeasureIndicator] = []
    budget: list[BudgetLine] = []

    @model_validator(mode="after")
    def _years(self) -> Measure:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        return self


class Plan(Item):
    format: Literal["localsdg-plan/1"] = FORMAT
    area: Annotated[str, Field(min_length=1, max_length=20)]
    name: Title
    start: Year | None = None
    end: Year | None = None
    description: Note | None = None
    example: bool = False  # a worked example, not a municipality's adopted plan
    priorities: list[Priority] = []
    interactions: list[Interaction] = []
    targets: list[LocalTarget] = []
    measures: list[Measure] = []

    @model_validator(mode="after")
    def _unique(self) -> Plan:
        _once("priorities", [p.key for p in self.priorities])
        _once("interactions", [f"{i.source} → {i.to}" for i in self.interactions])
        _once("targets", [f"{t.indicator} {t.year}" for t in self.targets])
        _once("measures", [m.id for m in self.measures])
        if any(i.source == i.to for i in self.interactions):
            raise ValueError("an interaction needs two different goals or targets")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"the plan ends ({self.end}) before it starts ({self.start})")
        return self

    def measure(self, measure_id: str) -> Measure | None:
        return next((m for m in self.measures if m.id == measure_id), None)

    def document(self) -> dict:
        """The plan as the exchange format's JSON object."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _once(part: str, keys: list[str]) -> None:
    if twice := sorted({k for k in keys if keys.count(k) > 1}):
        raise ValueError(f"{part}: {', '.join(twice)} given more than once")


class Problem(BaseModel):
    """One reason a plan is refused: where (as a path into the document) and what."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


def place(loc: tuple) -> str:
    """A path into the document a person can follow: list positions counted from 1."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def parse(document: object) -> tuple[Plan | None, list[Problem]]:
    """The plan, or every problem the document has (none is stored)."""
    try:
        return Plan.model_validate(document), []
    except ValidationError as exc:
        return None, [Problem(place=place(e["loc"]), message=_message(e))
                      for e in exc.errors(include_url=False)]


def _message(error: dict) -> str:
    text = error["msg"]
    return text.removeprefix("Value error, ")
