"""Screenshots of the main pages, so anyone can look at them: out/screenshots/*.png.

    uv run python benchmarks/screenshots.py [--base-url http://127.0.0.1:8000]

Needs a running `localsdg serve` (make serve) and Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "front": "/",
    "catalog-with-filters": "/katalog?q=klimagass&goal=13&evaluation_step=output",
    "indicator": "/indikator/De-norske-målepunktene/2599",
    "analysis": "/analyse?set=De-norske-målepunktene",
    "front-nynorsk": "/?lang=nn",
    "catalog-english": "/katalog?q=greenhouse&lang=en",
    "municipality-profile": "/kommune/4003",
    "national-profile-english": "/land/NOR?lang=en",
    "county": "/fylke/40",
    "compare": "/sammenlign?omrade=4003&omrade=4001&omrade=4020&kart=goal:8",
    "explanation": "/forklaring?profil=telemark-demo&omrade=4003&mal=11",
}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("out/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, path in PAGES.items():
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(args.base_url + path)
            page.wait_for_load_state("networkidle")
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
