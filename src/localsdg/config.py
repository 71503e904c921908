"""Settings read from the environment, so one installation can serve a laptop or a server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# The indicator (SET/CODE) whose figures weigh rates when areas merge and size municipalities for
# comparison groups; the reference data loads FHI's population by 1 January into it.
POPULATION = "lokal/folkemengde"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    mirror: Path | None
    reference_data: Path | None  # a folder laid out like ../shared/data (history, demo data)
    server: bool  # server mode: every change needs a signed-in user with the right role


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def settings() -> Settings:
    """Read settings now (not at import), so tests and commands can change the environment."""
    data_dir = Path(_env("LOCALSDG_DATA_DIR") or Path.home() / ".local" / "share" / "localsdg")
    database_url = _env("LOCALSDG_DATABASE_URL") or f"sqlite:///{data_dir / 'localsdg.sqlite'}"
    mirror = _env("LOCALSDG_MIRROR")
    reference = _env("LOCALSDG_REFERENCE_DATA")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        mirror=Path(mirror).resolve() if mirror else None,
        reference_data=Path(reference).resolve() if reference else None,
        server=database_url.startswith("postgresql")
        or (_env("LOCALSDG_SERVER") or "").lower() in ("1", "true", "yes"),
    )
