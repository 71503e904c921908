"""Serve a database with `localsdg serve` on a free localhost port and put it under bounded
load: shared by the page benchmarks."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx


@contextmanager
def served(url: str, data_dir: str, ready: str, env: dict | None = None) -> Iterator[str]:
    """The base URL of a server on the database `url`, once `ready` answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"LOCALSDG_DATABASE_URL": url, "LOCALSDG_DATA_DIR": data_dir, "PATH": "",
           **(env or {})}
    cli = Path(sys.executable).with_name("localsdg")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--no-load"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + ready, timeout=60).raise_for_status()
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"localsdg serve stopped with code {proc.returncode}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError(f"localsdg serve did not answer {ready} within 30 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _client(host: str, port: int, next_url, htmx: bool, server: list[float],
                  seen: list[float], errors: list[str] | None) -> None:
    """One keep-alive connection sending GETs one after another while `next_url()` gives one.
    Plain HTTP/1.1 on asyncio streams: a full client library costs the 2-core machine more CPU
    per request than the pages it measures, which would leave the server less to answer with.
    An answer other than 200 stops the run, or is counted in `errors` when that is given."""
    reader, writer = await asyncio.open_connection(host, port)
    extra = "HX-Request: true\r\n" if htmx else ""
    try:
        while (url := next_url()) is not None:
            start = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
            headers = {k.lower(): v for k, v in headers.items()}
            await reader.readexactly(int(headers["content-length"]))
            seen.append((time.perf_counter() - start) * 1000)
            status = int(head[0].split()[1])
            if status != 200:
                if errors is None:
                    raise RuntimeError(f"{url} answered {status}")
                errors.append(f"{url}: {status}")
            server.append(float(headers["server-timing"].split("dur=")[1]))
    finally:
        writer.close()


async def loading(base: str, urls: list[str], clients: int, htmx_every: int = 0,
                  seconds: float | None = None, errors: list[str] | None = None
                  ) -> tuple[list[float], list[float]]:
    """`load` inside a running event loop, to run beside other loads: (server, client) times."""
    server: list[float] = []
    seen: list[float] = []
    queue = list(reversed(urls))
    until = time.perf_counter() + seconds if seconds else None

    def next_url() -> str | None:
        if until is not None:  # the URLs over and over until the time is up
            return urls[len(seen) % len(urls)] if time.perf_counter() < until else None
        return queue.pop() if queue else None
    parts = urlsplit(base)
    await asyncio.gather(*(
        _client(parts.hostname, parts.port, next_url, bool(htmx_every and n % htmx_every),
                server, seen, errors) for n in range(clients)))
    return server, seen


def load(base: str, urls: list[str], clients: int, htmx_every: int = 0,
         seconds: float | None = None, errors: list[str] | None = None
         ) -> tuple[list[float], list[float], float]:
    """(server times, client times, wall seconds) of `urls` sent by `clients` at once; with
    `htmx_every` N, every request of a client whose number is not a multiple of N is an htmx
    request. With `seconds`, the URLs are sent over and over for that long, and answers other
    than 200 are counted in `errors` instead of stopping the run."""
    start = time.perf_counter()
    server, seen = asyncio.run(loading(base, urls, clients, htmx_every, seconds, errors))
    return server, seen, time.perf_counter() - start
