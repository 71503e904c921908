"""Importing an SDR workbook (read by `sdr_workbook`): an indicator set `sdsn-<edition>`, the raw
values as observations of the countries (the data sheet's value with its year; the trend sheet's
series as dims `basis=trend`), the normalised scores that SDSN published without their raw value
(flag `score`), a profile set `sdsn-<edition>` from the codebook and an area group
`sdr-<edition>` of the countries with SDSN's regions as subgroups. The published results are not
stored: the comparison (`sdr_check`) reads them from the workbook again.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from localsdg.catalog.store import IndicatorRecord, SetRecord, indicator_ids, save_set_batch
from localsdg.observations.store import Obs, commit
from localsdg.scoring import groups, profiles
from localsdg.scoring.profiles import Profile
from localsdg.sources.sdr_workbook import OECD, URLS, Indicator, Workbook

# SDSN's rules, as its reports state them and its published scores show (see docs/scoring.md).
# From the 2020 edition on, a goal score needs data for about a third of its indicators; the
# 2019 edition scored every goal with any data (its published goal scores show it).
GOAL_MIN_SHARE = 1 / 3
IMPUTED_GOALS_2021 = {4}  # 2021: missing education scores take the region's mean score


def set_id(edition: int) -> str:
    return f"sdsn-{edition}"


def group_id(edition: int) -> str:
    return f"sdr-{edition}"


def import_workbook(session: Session, wb: Workbook, by: str) -> dict:
    """Indicators, observations, profile set and country group of one edition, all or nothing."""
    sid = set_id(wb.edition)
    report = _save_indicators(session, wb, sid, by)
    ids = indicator_ids(session, {(sid, c) for c in wb.indicators})
    items = list(_observations(wb, {c: ids[(sid, c)] for c in wb.indicators}))
    result = commit(session, items, source=wb.source, by=by, checksum=wb.checksum,
                    details={"sdr_edition": wb.edition})
    profiles.save_set(session, sid, f"SDSN SDG Index {wb.edition}", method(wb.edition),
                      [_profile(i, ids[(sid, i.code)], wb.edition)
                       for i in wb.indicators.values()],
                      source=wb.source, notes=NOTES)
    ranked = [c for c in wb.countries.values() if c.index is not None]
    groups.save_group(session, group_id(wb.edition), f"Countries in the SDG Index {wb.edition}",
                      f"the {len(ranked)} countries SDSN ranked in its Sustainable Development "
                      f"Report {wb.edition}, with SDSN's regions as subgroups", [
                          ("country", c.iso3, c.region) for c in ranked])
    groups.save_group(session, f"{group_id(wb.edition)}-all", f"Countries of the SDR "
                      f"{wb.edition}", f"all {len(wb.countries)} countries of the SDR "
                      f"{wb.edition}, ranked or not, with SDSN's regions as subgroups",
                      [("country", c.iso3, c.region) for c in wb.countries.values()])
    return {"edition": wb.edition, "indicators": len(wb.indicators),
            "indicators_created": report.created, "countries": len(wb.countries),
            "observations": result.as_dict(), "profile_set": sid,
            "area_group": group_id(wb.edition)}


NOTES = ("Read from SDSN's codebook: optimum (= 100), lower bound (= 0), green and red "
         "thresholds; only the indicators SDSN marks 'Global' count in goal scores and the "
         "index. OECD members' dashboards show the indicators marked 'OECD' (some only for "
         "them), other countries' the 'Global' ones.")


def method(edition: int) -> dict:
    """SDSN's rules for an edition, as a profile set's method."""
    return {"aggregation": "arithmetic", "min_share": GOAL_MIN_SHARE if edition >= 2020 else 0.0,
            "missing_goal": "group",
            "max_missing": None, "decimals": 3 if edition >= 2020 else None,
            "trend": "sdsn", "window": None, "group": group_id(edition)}


def _profile(i: Indicator, indicator_id: int, edition: int) -> Profile:
    impute = edition >= 2021 and i.goal in IMPUTED_GOALS_2021 and i.in_index
    trend_from = None
    if i.trend_years and (m := re.match(r"\s*(\d{4})", i.trend_years)):
        trend_from = int(m.group(1))
    return Profile(indicator_id=indicator_id, goal=i.goal, lower=i.lower, upper=i.upper,
                   green=i.green, red=i.red, in_index=i.in_index, impute=impute,
                   trend_from=trend_from, justification=i.justification,
                   only_in=None if i.in_index else OECD, not_in=None if i.oecd else OECD)


def _save_indicators(session: Session, wb: Workbook, sid: str, by: str):
    record = SetRecord(id=sid, name_en=f"SDSN Sustainable Development Report {wb.edition}",
                       publisher="SDSN", version=str(wb.edition), level="global",
                       url=URLS.get(wb.edition), description=NOTES)
    records = [IndicatorRecord(code=i.code, values={
        "name_en": i.name, "description_en": i.description, "goals": [str(i.goal)],
        "direction": _direction(i), "source_note": i.source, "data_owner": None})
        for i in wb.indicators.values()]
    return save_set_batch(session, record, records, source=wb.source, by=by,
                          checksum=wb.checksum)


def _direction(i: Indicator) -> str | None:
    if i.upper is None or i.lower is None or i.upper == i.lower:
        return None
    return "higher" if i.upper > i.lower else "lower"


def _observations(wb: Workbook, ids: dict[str, int]):
    for c in wb.countries.values():
        for code, (value, year) in c.values.items():
            y = year or wb.edition
            yield (f"{c.iso3} {code}", Obs(ids[code], "country", c.iso3, str(y), y, y, value))
        for code, s in c.scores.items():
            if code not in c.values:  # SDSN published the score but withheld the value
                yield (f"{c.iso3} {code}", Obs(ids[code], "country", c.iso3, str(wb.edition),
                                               wb.edition, wb.edition, s, unit="score 0-100",
                                               flags="score"))
    for iso3, code, year, value in wb.series:
        yield (f"trend sheet {iso3} {code} {year}",
               Obs(ids[code], "country", iso3, str(year), year, year, value, dims="basis=trend"))
