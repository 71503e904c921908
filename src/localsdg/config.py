"""Settings read from the environment, so one installation can serve a laptop or a server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# The indicator (SET/CODE) whose figures weigh rates when areas merge and size municipalities for
# comparison groups; the reference data loads FHI's population by 1 January into it.
POPULATION = "lokal/folkemengde"


@dataclass(frozen=True)
class Oidc:
    """A municipality's single sign-on (OpenID Connect) and this server's registration there.
    Who may do what stays local: the claim only names the local account."""
    issuer: str  # as the provider's /.well-known/openid-configuration names itself
    client_id: str
    client_secret: str | None  # None: a public client (PKCE only)
    claim: str  # the ID token claim whose value is the local account's name
    name: str  # the provider as the sign-in button names it
    scope: str


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    mirror: Path | None
    reference_data: Path | None  # a folder laid out like ../shared/data (history, demo data)
    server: bool  # server mode: every change needs a signed-in user with the right role
    oidc: Oidc | None  # single sign-on, when its issuer and client id are set


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
        oidc=_oidc(),
    )


def _oidc() -> Oidc | None:
    issuer, client_id = _env("LOCALSDG_OIDC_ISSUER"), _env("LOCALSDG_OIDC_CLIENT_ID")
    if not (issuer and client_id):
        return None
    return Oidc(issuer=issuer, client_id=client_id,
                client_secret=_env("LOCALSDG_OIDC_CLIENT_SECRET"),
                claim=_env("LOCALSDG_OIDC_CLAIM") or "preferred_username",
                name=_env("LOCALSDG_OIDC_NAME") or urlsplit(issuer).hostname or issuer,
                scope=_env("LOCALSDG_OIDC_SCOPE") or "openid profile email")
