"""The set `lokal`: indicators localsdg loads data into where no published set has one (the demo
datasets and the national sources add theirs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from localsdg.catalog.store import IndicatorRecord, SetRecord, save_set

LOCAL_SET = SetRecord(id="lokal", name_nb="Lokale indikatorer", name_en="Local indicators",
                      publisher="localsdg", level="local",
                      description="Indicators with data but no indicator in a published set.")
# code → (Bokmål name, English name, unit, SDG targets)
Local = dict[str, tuple[str, str, str, list[str]]]


def save_local(session: Session, indicators: Local, by: str) -> None:
    """Create or update these indicators in the set `lokal`, leaving its others alone."""
    save_set(session, LOCAL_SET, [IndicatorRecord(code, {"name_nb": nb, "name_en": en,
                                                         "unit": unit, "targets": targets})
                                  for code, (nb, en, unit, targets) in indicators.items()],
             changed_by=by, batch=None)
