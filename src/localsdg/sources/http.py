"""The only place that downloads: official URLs, a local cache, or the offline mirror.

With LOCALSDG_MIRROR set, `https://HOST/PATH?QUERY` is read from `MIRROR/HOST/PATH?QUERY`
(path percent-decoded, query kept exactly as requested) and the network is never touched.
Otherwise a file is downloaded once and kept under `LOCALSDG_DATA_DIR/cache/HOST/PATH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from localsdg.config import settings
from localsdg.errors import UserError


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    location: str  # where the bytes were read from: mirror file, cache file or the URL
    path: Path | None = None  # the file holding them (mirror or cache), for readers of files


def local_path(root: Path, url: str) -> Path:
    parts = urlsplit(url)
    name = unquote(parts.path).lstrip("/")
    if parts.query:
        name += "?" + parts.query
    return root / parts.netloc / name


def fetch(url: str) -> Fetched:
    cfg = settings()
    if cfg.mirror:
        path = local_path(cfg.mirror, url)
        if not path.is_file():
            raise UserError(
                f"{url} is not in the offline mirror (looked for {path}); "
                "unset LOCALSDG_MIRROR to download it, or add the file to the mirror"
            )
        return Fetched(url, path.read_bytes(), str(path), path)
    cached = local_path(cfg.data_dir / "cache", url)
    if cached.is_file():
        return Fetched(url, cached.read_bytes(), str(cached), cached)
    try:
        response = httpx.get(url, follow_redirects=True, timeout=60)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise UserError(
            f"could not download {url}: {exc}; check the network, "
            "or set LOCALSDG_MIRROR to a folder with offline copies"
        ) from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(response.content)
    return Fetched(url, response.content, url, cached)


def post_json(url: str, body: dict) -> Fetched:
    """POST a JSON query (SSB's PxWeb API v0). Answers depend on the query, so they are neither
    cached nor mirrored: offline, say so instead of guessing."""
    if settings().mirror:
        raise UserError(f"{url} answers queries sent by POST, which the offline mirror cannot "
                        "hold; unset LOCALSDG_MIRROR on a machine with internet, or use --api v2")
    try:
        response = httpx.post(url, json=body, timeout=120)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise UserError(f"could not query {url}: {exc}; check the network and the query") from exc
    return Fetched(url, response.content, url)
