"""Reference data the app needs before it is useful: the UN framework, the KS taxonomy and,
where a reference data folder is configured (LOCALSDG_REFERENCE_DATA), areas and demo data;
then the national sources and the national profile (sources that cannot be read are skipped),
and on a database without plans the example plans."""

from __future__ import annotations

from sqlalchemy import func, select

from localsdg.config import settings
from localsdg.db.schema import Area, Indicator, Plan, ProfileSet, Target
from localsdg.db.session import session_scope
from localsdg.sources.demo import load_demo
from localsdg.sources.ks_taxonomy import SETS, sync_ks_taxonomy
from localsdg.sources.national import PROFILE_SET, sync_national
from localsdg.sources.plan_files import load_examples
from localsdg.sources.un_framework import sync_framework


def ensure_reference_data(url: str | None = None) -> list[str]:
    """Load what is missing (idempotent); return what was done, for the log."""
    done = []
    with session_scope(url) as s:
        if not s.scalar(select(func.count()).select_from(Target)):
            summary = sync_framework(s)
            done.append(f"loaded the UN framework: {summary['indicators']} indicators")
    with session_scope(url) as s:
        have = set(s.scalars(select(Indicator.set_id).distinct()))
        missing = [name for name in SETS if name not in have]
        if missing:
            summary = sync_ks_taxonomy(s, missing)
            done.append(f"loaded {len(missing)} KS indicator sets: "
                        f"{summary['indicators']} indicators")
    reference = settings().reference_data
    with session_scope(url) as s:
        if reference and not s.scalar(select(func.count()).select_from(Area)):
            report = load_demo(s, reference, "localsdg")
            done.append(f"loaded areas and {len(report['datasets'])} demo datasets from "
                        f"{reference}")
    with session_scope(url) as s:
        if s.scalar(select(func.count()).select_from(Area)) and \
                s.get(ProfileSet, PROFILE_SET) is None:
            report = sync_national(s, "localsdg")
            done.append(f"loaded {len(report['loaded'])} national sources"
                        + "".join(f"; skipped {r['source']}: {r['why']}"
                                  for r in report["skipped"]))
    with session_scope(url) as s:
        if s.scalar(select(func.count()).select_from(Area)) and \
                not s.scalar(select(func.count()).select_from(Plan)):
            done.append(f"loaded {len(load_examples(s, 'localsdg'))} example plans")
    return done
