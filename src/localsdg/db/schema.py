"""The database schema: one definition for SQLite and PostgreSQL, versioned by Alembic."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Goal(Base):
    __tablename__ = "goal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    short_nb: Mapped[str | None] = mapped_column(Text)
    short_en: Mapped[str | None] = mapped_column(Text)
    title_nb: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)


class Target(Base):
    __tablename__ = "target"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title_nb: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)


class IndicatorSet(Base):
    __tablename__ = "indicator_set"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name_nb: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="set", cascade="all, delete-orphan", passive_deletes=True
    )


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("set_id", "code", name="uq_indicator_set_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[str] = mapped_column(ForeignKey("indicator_set.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str | None] = mapped_column(Text)
    name_nb: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    description_nb: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(String(20))
    data_owner: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(Text)
    notation: Mapped[str | None] = mapped_column(Text)
    periodicity: Mapped[str | None] = mapped_column(String(20))
    geography_level: Mapped[str | None] = mapped_column(String(20))
    quality_class: Mapped[str | None] = mapped_column(String(2))
    ess_relevance: Mapped[bool | None] = mapped_column(Boolean)
    ess_accuracy: Mapped[bool | None] = mapped_column(Boolean)
    ess_timeliness: Mapped[bool | None] = mapped_column(Boolean)
    ess_coherence: Mapped[bool | None] = mapped_column(Boolean)
    ess_accessibility: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    set: Mapped[IndicatorSet] = relationship(back_populates="indicators")
    values: Mapped[list[IndicatorValue]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class IndicatorValue(Base):
    """One value of a multi-valued taxonomy property (targets, TBL, development areas, ...)."""

    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_property_value", "property", "value"),)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    property: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)


class IndicatorLink(Base):
    """The same or a similar indicator in another set, with who proposed it."""

    __tablename__ = "indicator_link"
    __table_args__ = (UniqueConstraint("from_id", "to_id", "kind", name="uq_indicator_link"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    proposed_by: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


class LinkDecision(Base):
    """A curator's decision on linking two indicators: `confirmed` (as `kind`; the link itself is
    a confirmed row of indicator_link) or `rejected` (never proposed again). One row per pair,
    whichever way it was asked: the lower indicator id is `from_id`."""

    __tablename__ = "link_decision"
    __table_args__ = (UniqueConstraint("from_id", "to_id", name="uq_link_decision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class IndicatorChange(Base):
    """Every change to an indicator's properties: who, when, what, old and new value."""

    __tablename__ = "indicator_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    property: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    revision: Mapped[int | None] = mapped_column(Integer)  # the indicator's, after the change


class ImportBatch(Base):
    """One import or sync: what, from where, by whom, when, with counts and reported issues."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rolled_back_by: Mapped[str | None] = mapped_column(Text)


class CatalogState(Base):
    """A counter bumped by every catalog write, so in-memory search indexes know to rebuild."""

    __tablename__ = "catalog_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Area(Base):
    """One version of a municipality, county or country: a code with the years it was valid.

    Codes are reused across reforms, so (level, code) alone does not name an area; the version
    valid in a year does. `valid_to` is the first year the version no longer exists."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("level", "code", "valid_from"),
                      Index("ix_area_level_code", "level", "code"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[int | None] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class AreaChange(Base):
    """The share of one area version that became part of another (merge, split, renumbering).

    `weight` is the share of the predecessor that went to the successor; NULL when the split is
    known but its shares are not."""

    __tablename__ = "area_change"
    __table_args__ = (UniqueConstraint("from_id", "to_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    weight: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)


class Observation(Base):
    """One value of an indicator for an area and period, as imported in one batch.

    A later batch that brings a different value for the same key supersedes it; rolling that
    batch back brings the earlier value back. `dims` is the disaggregation as sorted
    `key=value` pairs joined by ';' (empty for the total), with '%', ';' and '=' in the texts
    written %25, %3B and %3D (observations.store.dims_key)."""

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("batch_id", "indicator_id", "area_level", "area_code", "period", "dims"),
        Index("ix_observation_series", "indicator_id", "area_code", "end_year"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_level: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(40))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    dims: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(String(10))  # count or rate: how to aggregate
    borders: Mapped[int | None] = mapped_column(Integer)  # year of the area codes; NULL: period's
    flags: Mapped[str] = mapped_column(String(100), default="")
    # no index of its own: the unique constraint, which begins with batch_id, serves lookups
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))


class ProfileSet(Base):
    """A named way of scoring: one profile per indicator plus the method's rules (`method`:
    the fields of scoring.engine.Method, the trend rule, the year window)."""

    __tablename__ = "profile_set"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    method: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    profiles: Mapped[list[ScoringProfile]] = relationship(
        back_populates="profile_set", cascade="all, delete-orphan",
        order_by="ScoringProfile.id")


class ScoringProfile(Base):
    """How one indicator is scored in a profile set; `area_code` set: one area's own override
    (its local target) of the shared profile."""

    __tablename__ = "scoring_profile"
    __table_args__ = (UniqueConstraint("profile_set_id", "indicator_id", "area_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_set_id: Mapped[str] = mapped_column(
        ForeignKey("profile_set.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_code: Mapped[str | None] = mapped_column(String(20))
    goal: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str | None] = mapped_column(String(10))  # higher|lower; NULL: catalog's
    lower: Mapped[float | None] = mapped_column(Float)
    lower_rule: Mapped[str] = mapped_column(String(30), default="fixed")
    upper: Mapped[float | None] = mapped_column(Float)
    upper_rule: Mapped[str] = mapped_column(String(30), default="fixed")
    green: Mapped[float | None] = mapped_column(Float)
    red: Mapped[float | None] = mapped_column(Float)
    yellow: Mapped[float | None] = mapped_column(Float)  # yellow/orange split; NULL: midpoint
    target_value: Mapped[float | None] = mapped_column(Float)
    target_year: Mapped[int | None] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    in_index: Mapped[bool] = mapped_column(Boolean, default=True)
    impute: Mapped[bool] = mapped_column(Boolean, default=False)
    trend_from: Mapped[int | None] = mapped_column(Integer)
    only_in: Mapped[str | None] = mapped_column(Text)  # dashboard only in these subgroups
    not_in: Mapped[str | None] = mapped_column(Text)  # … or not in these (comma-separated)
    justification: Mapped[str | None] = mapped_column(Text)
    profile_set: Mapped[ProfileSet] = relationship(back_populates="profiles")


class AreaGroup(Base):
    """Areas compared with each other: SDSN's countries, a county, a KOSTRA group, a user's list.
    A member's `subgroup` (e.g. SDSN's region) is what group-mean rules fill from."""

    __tablename__ = "area_group"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)  # how the members were chosen, in words
    members: Mapped[list[AreaGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="AreaGroupMember.id")


class AreaGroupMember(Base):
    __tablename__ = "area_group_member"
    __table_args__ = (UniqueConstraint("group_id", "area_level", "area_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("area_group.id", ondelete="CASCADE"),
                                          index=True)
    area_level: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str] = mapped_column(String(20))
    subgroup: Mapped[str | None] = mapped_column(Text)
    group: Mapped[AreaGroup] = relationship(back_populates="members")


class Plan(Base):
    """A plan of one area (its priorities, interactions, local targets, measures and budget),
    held as the exchange document of docs/plan-format.md and checked whole before it is
    stored. It belongs to the area, so access can later be limited to that area's users."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("area_code", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_level: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(Text)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class PlanChange(Base):
    """Every change to a plan: who, when, what was done to which part, and that part before
    and after (null where it did not exist)."""

    __tablename__ = "plan_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    part: Mapped[str] = mapped_column(Text)
    old_value: Mapped[object | None] = mapped_column(JSON)
    new_value: Mapped[object | None] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revision: Mapped[int | None] = mapped_column(Integer)  # the plan's, after the change


class UserAccount(Base):
    """A person (or a script) who may change things on a shared server: a role (editor, curator
    or admin), the areas an editor edits, and a password hash (Argon2id) for the browser."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(Text)
    areas: Mapped[list[UserArea]] = relationship(cascade="all, delete-orphan",
                                                 passive_deletes=True)


class UserArea(Base):
    """An area whose data, local targets and plans an editor may change."""

    __tablename__ = "user_area"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    area_level: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(10), primary_key=True)


class ApiToken(Base):
    """A token for scripts (`Authorization: Bearer`); only its SHA-256 digest is kept."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SignInSession(Base):
    """A browser's signed-in session; the cookie holds the id, the table its SHA-256 digest."""

    __tablename__ = "sign_in_session"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """A failed sign-in, kept for throttling (attempts per name in a time window)."""

    __tablename__ = "sign_in_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
