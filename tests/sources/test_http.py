"""The one download function: how a URL maps to a file in the offline mirror or the cache, and
that the mirror and the cache are read without the network (which these tests never use)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from localsdg.errors import UserError
from localsdg.sources import http
from tests.helpers import MIRROR

GH = "raw.githubusercontent.com"
SDR_2021 = (f"https://{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
            "SDR%202021%20-%20Database.xlsx")
KLASS = ("https://data.ssb.no/api/klass/v1/classifications/131/codesAt"
         "?date=2026-01-01&language=nb")
KS_SET = ("https://esg.arkitektum.no/vocabulary/esg-indicator/"
          "De-norske-m%C3%A5lepunktene.ttl")


@pytest.mark.parametrize(("url", "expected"), [
    pytest.param(f"https://{GH}/open-sdg/sdg-translations/2.4.0/translations/en/global_goals.yml",
                 f"{GH}/open-sdg/sdg-translations/2.4.0/translations/en/global_goals.yml",
                 id="plain path"),
    pytest.param(SDR_2021, f"{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
                           "SDR 2021 - Database.xlsx", id="percent-encoded spaces decoded"),
    pytest.param(KS_SET, "esg.arkitektum.no/vocabulary/esg-indicator/De-norske-målepunktene.ttl",
                 id="percent-encoded UTF-8 decoded"),
    pytest.param("https://example.org/a+b%2Bc.csv", "example.org/a+b+c.csv",
                 id="plus kept, not a space"),
    pytest.param("https://example.org/a%2520b.csv", "example.org/a%20b.csv",
                 id="decoded once only"),
    pytest.param(KLASS, "data.ssb.no/api/klass/v1/classifications/131/codesAt"
                        "?date=2026-01-01&language=nb", id="query appended after ?"),
    pytest.param("https://example.org/api/x?q=a%20b&r=%C3%A5", "example.org/api/x?q=a%20b&r=%C3%A5",
                 id="query kept exactly as requested, not decoded"),
    pytest.param("https://example.org/api/x?", "example.org/api/x", id="empty query dropped"),
    pytest.param("https://example.org/page.html#part", "example.org/page.html",
                 id="fragment dropped"),
    pytest.param("http://example.org/file.json", "example.org/file.json",
                 id="scheme not part of the path"),
    pytest.param("http://localhost:8000/file.json", "localhost:8000/file.json",
                 id="port kept in the host folder"),
])
def test_local_path_maps_host_and_path_under_the_root(tmp_path: Path, url: str, expected: str):
    assert http.local_path(tmp_path, url) == tmp_path / expected


def _mirrored_files() -> list[Path]:
    """Every file in the real mirror but its README (which no URL names)."""
    if not MIRROR.is_dir():
        return []
    return sorted(p for p in MIRROR.rglob("*") if p.is_file() and p.parent != MIRROR)


def _url_of(path: Path) -> str:
    """The URL whose file `path` is, written as a client would send it (path percent-encoded,
    the query after the first '?' of the file name as it is)."""
    host, *rest = path.relative_to(MIRROR).parts
    name, sep, query = "/".join(rest).partition("?")
    return f"https://{host}/{quote(name)}{sep}{query}"


@pytest.mark.parametrize("path", _mirrored_files(),
                         ids=lambda p: str(p.relative_to(MIRROR)))
def test_every_mirrored_file_is_where_its_url_points(path: Path):
    assert http.local_path(MIRROR, _url_of(path)) == path


def test_the_real_mirror_holds_the_files_named_in_these_tests():
    names = {str(p.relative_to(MIRROR)) for p in _mirrored_files()}
    assert {f"{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
            "SDR 2021 - Database.xlsx",
            "data.ssb.no/api/klass/v1/classifications/131/codesAt?date=2026-01-01&language=nb",
            "esg.arkitektum.no/vocabulary/esg-indicator/De-norske-målepunktene.ttl"} <= names


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """httpx.get replaced by one that fails the test if it is called; the URLs asked for."""
    asked: list[str] = []

    def refuse(url: str, **kwargs) -> httpx.Response:
        asked.append(url)
        raise AssertionError(f"the network was asked for {url}")

    monkeypatch.setattr(http.httpx, "get", refuse)
    return asked


@pytest.mark.parametrize(("url", "file"), [
    pytest.param(SDR_2021, f"{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
                           "SDR 2021 - Database.xlsx", id="percent-encoded xlsx"),
    pytest.param(KLASS, "data.ssb.no/api/klass/v1/classifications/131/codesAt"
                        "?date=2026-01-01&language=nb", id="query string"),
    pytest.param(KS_SET, "esg.arkitektum.no/vocabulary/esg-indicator/De-norske-målepunktene.ttl",
                 id="non-ASCII name"),
])
def test_fetch_reads_the_real_mirror_byte_for_byte(monkeypatch, tmp_path, no_network, url, file):
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path / "data"))
    got = http.fetch(url)
    on_disk = MIRROR / file
    assert got.url == url
    assert got.location == str(on_disk)
    assert len(got.content) == on_disk.stat().st_size > 0
    assert got.content == on_disk.read_bytes()
    assert no_network == []
    assert not (tmp_path / "data").exists()  # the mirror is read, nothing is cached


def test_fetch_with_a_relative_mirror_path_reads_the_same_file(monkeypatch, no_network):
    monkeypatch.chdir(MIRROR.parent)
    monkeypatch.setenv("LOCALSDG_MIRROR", MIRROR.name)
    got = http.fetch(KLASS)
    assert got.location == str(MIRROR / "data.ssb.no/api/klass/v1/classifications/131/"
                                         "codesAt?date=2026-01-01&language=nb")


@pytest.mark.parametrize(("url", "expected"), [
    pytest.param(f"https://{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
                 "SDR%202022%20-%20Database.xlsx",
                 f"{GH}/sdsna/SDR2021/c13a2e3ca7f386b7928922a9fb6725354d1508fa/"
                 "SDR 2022 - Database.xlsx", id="file not mirrored"),
    pytest.param("https://data.ssb.no/api/klass/v1/classifications/131/codesAt"
                 "?date=2025-01-01&language=nb",
                 "data.ssb.no/api/klass/v1/classifications/131/codesAt"
                 "?date=2025-01-01&language=nb", id="same path, other query"),
    pytest.param("https://data.ssb.no/api/klass/v1/classifications/131/codesAt",
                 "data.ssb.no/api/klass/v1/classifications/131/codesAt", id="query left out"),
    pytest.param("https://nowhere.example/", "nowhere.example", id="host not mirrored"),
    pytest.param(f"https://{GH}/open-sdg/sdg-translations/2.4.0/translations/en",
                 f"{GH}/open-sdg/sdg-translations/2.4.0/translations/en",
                 id="a folder, not a file"),
])
def test_fetch_names_the_url_and_the_file_it_looked_for(monkeypatch, no_network, url, expected):
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    with pytest.raises(UserError) as caught:
        http.fetch(url)
    assert str(caught.value) == (
        f"{url} is not in the offline mirror (looked for {MIRROR / expected}); "
        "unset LOCALSDG_MIRROR to download it, or add the file to the mirror")
    assert no_network == []


@pytest.mark.parametrize("mirror", ["", "   "])
def test_a_blank_mirror_setting_means_no_mirror(monkeypatch, tmp_path, no_network, mirror):
    monkeypatch.setenv("LOCALSDG_MIRROR", mirror)
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    cached = tmp_path / "cache" / "example.org" / "a b.csv"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"cached")
    assert http.fetch("https://example.org/a%20b.csv").content == b"cached"


@pytest.mark.parametrize(("url", "file"), [
    pytest.param("https://example.org/data/SDR%202021%20-%20Database.xlsx",
                 "example.org/data/SDR 2021 - Database.xlsx", id="percent-encoded path"),
    pytest.param("https://example.org/api/codes?date=2026-01-01&language=nb",
                 "example.org/api/codes?date=2026-01-01&language=nb", id="query string"),
])
def test_without_a_mirror_a_cached_file_is_read_without_the_network(
        monkeypatch, tmp_path, no_network, url, file):
    monkeypatch.delenv("LOCALSDG_MIRROR", raising=False)
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    cached = tmp_path / "cache" / file
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\x00kept bytes\xff")
    got = http.fetch(url)
    assert (got.url, got.content, got.location) == (url, b"\x00kept bytes\xff", str(cached))
    assert no_network == []


def _answer(status: int, content: bytes, asked: list[str]):
    def get(url: str, **kwargs) -> httpx.Response:
        asked.append(url)
        return httpx.Response(status, content=content, request=httpx.Request("GET", url))
    return get


def test_a_download_is_cached_under_the_mapped_path_and_read_from_there_next_time(
        monkeypatch, tmp_path):
    monkeypatch.delenv("LOCALSDG_MIRROR", raising=False)
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    url = "https://example.org/files/SDR%202021%20-%20Database.xlsx?raw=true"
    asked: list[str] = []
    monkeypatch.setattr(http.httpx, "get", _answer(200, b"workbook bytes", asked))
    first = http.fetch(url)
    cached = tmp_path / "cache" / "example.org" / "files" / "SDR 2021 - Database.xlsx?raw=true"
    assert (first.content, first.location) == (b"workbook bytes", url)
    assert cached.read_bytes() == b"workbook bytes"
    again = http.fetch(url)
    assert (again.content, again.location) == (b"workbook bytes", str(cached))
    assert asked == [url]  # downloaded once


def _not_found(url: str, **kwargs) -> httpx.Response:
    return _answer(404, b"Not Found", [])(url)


def _unreachable(url: str, **kwargs) -> httpx.Response:
    raise httpx.ConnectError("no route to host", request=httpx.Request("GET", url))


@pytest.mark.parametrize("failure", [pytest.param(_not_found, id="HTTP 404"),
                                     pytest.param(_unreachable, id="no connection")])
def test_a_failed_download_is_a_user_error_and_caches_nothing(monkeypatch, tmp_path, failure):
    monkeypatch.delenv("LOCALSDG_MIRROR", raising=False)
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(http.httpx, "get", failure)
    url = "https://example.org/missing.csv"
    with pytest.raises(UserError, match=r"^could not download https://example\.org/missing\.csv"):
        http.fetch(url)
    assert not (tmp_path / "cache").exists()


def test_post_json_refuses_to_guess_with_a_mirror(monkeypatch, no_network):
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    monkeypatch.setattr(http.httpx, "post", lambda *a, **kw: pytest.fail("network used"))
    url = "https://data.ssb.no/api/v0/no/table/07459"
    with pytest.raises(UserError, match="answers queries sent by POST"):
        http.post_json(url, {"query": []})
