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


async def _load(base: str, urls: list[str], clients: int, htmx_every: int
                ) -> tuple[list[float], list[float]]:
    server, seen = [], []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)

    async def worker(client: httpx.AsyncClient, n: int) -> None:
        while not queue.empty():
            url = queue.get_nowait()
            headers = {"HX-Request": "true"} if htmx_every and n % htmx_every else {}
            start = time.perf_counter()
            r = await client.get(url, headers=headers)
            seen.append((time.perf_counter() - start) * 1000)
            r.raise_for_status()
            server.append(float(r.headers["Server-Timing"].split("dur=")[1]))

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(worker(client, n) for n in range(clients)))
    return server, seen


def load(base: str, urls: list[str], clients: int, htmx_every: int = 0
         ) -> tuple[list[float], list[float], float]:
    """(server times, client times, wall seconds) of `urls` sent by `clients` at once; with
    `htmx_every` N, every request of a client whose number is not a multiple of N is an htmx
    request."""
    start = time.perf_counter()
    server, seen = asyncio.run(_load(base, urls, clients, htmx_every))
    return server, seen, time.perf_counter() - start
