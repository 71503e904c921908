"""Presets: whole profile sets made from the targets of another, by a known method.

- "u4ssc": the benchmark bands of the UN's United for Smart Sustainable Cities indicators:
  at least 95 % of the target → 4 (green), 66–95 % → 3 (yellow), 33–66 % → 2 (orange),
  under 33 % → 1 (red). The score is the share of the target reached, 0–100 (for lower-is-
  better indicators the share is target ÷ value, so the score is 0 at three times the target).
- "distance-2030": distance to the 2030 end value, as the OECD measures distance to the SDG
  targets: 100 at the target, 0 at the worst value among the compared areas; no colour bands
  (the method gives none).

(SDSN's own profile sets come from its workbooks: `localsdg sdr import`.)
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.scoring.profiles import Profile, get_set, profiles_of, save_set

PRESETS = ("u4ssc", "distance-2030")
U4SSC_BANDS = (0.95, 0.66, 0.33)


def make(kind: str, items: list[Profile], lower_is_better: dict[int, bool]
         ) -> tuple[list[Profile], list[int]]:
    """(the new profiles, the indicator ids left out because they have no target)."""
    if kind not in PRESETS:
        raise UserError(f"preset '{kind}' is unknown; use {', '.join(PRESETS)}")
    out, missing = [], []
    for p in items:
        if p.target_value is None or p.target_value == 0:
            missing.append(p.indicator_id)
            continue
        lower = lower_is_better.get(p.indicator_id, False)
        out.append(_u4ssc(p, lower) if kind == "u4ssc" else _distance(p, lower))
    if not out:
        raise UserError(f"no profile has a target value; the {kind} preset scores against "
                        "targets (set target_value in the profile file)")
    return out, missing


def _u4ssc(p: Profile, lower: bool) -> Profile:
    t = p.target_value
    green, yellow, red = ((t / b for b in U4SSC_BANDS) if lower else (t * b for b in U4SSC_BANDS))
    return replace(p, direction="lower" if lower else "higher", lower=t / 0.33 if lower else 0.0,
                   lower_rule="fixed", upper=t, upper_rule="fixed", green=green, yellow=yellow,
                   red=red, justification=f"U4SSC benchmark bands on the target {t:g}"
                   + (f" for {p.target_year}" if p.target_year else ""))


def _distance(p: Profile, lower: bool) -> Profile:
    t = p.target_value
    return replace(p, direction="lower" if lower else "higher", lower=None,
                   lower_rule="percentile:0", upper=t, upper_rule="fixed", green=None, yellow=None,
                   red=None, justification=f"distance to the 2030 end value {t:g} from the "
                   "worst compared area (OECD)")


def make_set(session: Session, kind: str, source: str, new_id: str) -> dict:
    """A new profile set `new_id` by the preset, from the targets of profile set `source`."""
    ps = get_set(session, source)
    items = profiles_of(ps)
    directions = dict(session.execute(select(Indicator.id, Indicator.direction).where(
        Indicator.id.in_({p.indicator_id for p in items}))).all())
    lower = {p.indicator_id: p.direction == "lower" if p.direction else
             directions.get(p.indicator_id) == "lower" for p in items}
    made, missing = make(kind, items, lower)
    save_set(session, new_id, f"{ps.name} ({kind})", dict(ps.method), made,
             source=f"preset {kind} from {source}")
    return {"profile_set": new_id, "profiles": len(made), "without_target": len(missing)}
