"""A real server on the real catalog and the demo data, driven by Debian's Chromium through
Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from localsdg.db.session import session_scope, upgrade
from localsdg.sources.demo import load_demo
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.national import sync_national
from localsdg.sources.plan_files import load_examples
from localsdg.sources.un_framework import sync_framework
from tests.helpers import MIRROR, SHARED

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# A save rebuilds the search index and CI runs two test workers on two cores: allow time.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'catalog.sqlite'}"
    env = {**os.environ, "LOCALSDG_DATABASE_URL": url, "LOCALSDG_MIRROR": str(MIRROR),
           "LOCALSDG_DATA_DIR": str(folder)}
    mp = pytest.MonkeyPatch()
    mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
    upgrade(url)
    with session_scope(url) as s:
        sync_framework(s)
    with session_scope(url) as s:
        sync_ks_taxonomy(s)
    with session_scope(url) as s:
        load_demo(s, SHARED / "data", "browser-test")
    mp.setenv("LOCALSDG_REFERENCE_DATA", str(SHARED / "data"))
    mp.setenv("LOCALSDG_DATA_DIR", str(folder))
    with session_scope(url) as s:
        sync_national(s, "browser-test")
    with session_scope(url) as s:
        load_examples(s, "browser-test")  # plans 1–4: Ålesund, Gjøvik, Innlandet, Stavanger
    mp.undo()
    port = _free_port()
    cli = Path(sys.executable).with_name("localsdg")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--no-load"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/api/v1/sets", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    # axe-core is put into each page as an inline script, which the app's policy forbids;
    # test_charts_draw_under_the_content_security_policy checks the app's own scripts with it
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()
