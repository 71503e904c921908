# Two commands run everything: `make serve` (the app, reference data loaded) and `make test`.
# Both install what they need first: uv (pinned), the locked Python environment and the
# npm assets.

UV_VERSION := 0.13.8
UV := python3 -m uv
PORT ?= 8000
# Offline machines read official files from the shared mirror when it sits beside the clone.
export LOCALSDG_MIRROR ?= $(if $(wildcard ../shared/mirror),$(abspath ../shared/mirror),)
# Area history and demo statistics come from a folder laid out like ../shared/data.
export LOCALSDG_REFERENCE_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)

.PHONY: setup serve test lint bench chromium screenshots

setup: node_modules/.package-lock.json
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --locked --quiet

# Front-end assets (Designsystemet, htmx, Vega) and axe-core, pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

serve: setup
	$(UV) run localsdg serve --port $(PORT)

lint: setup
	$(UV) run ruff check src tests benchmarks

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: lint chromium
	$(UV) run pytest -n 2 --dist loadfile -q

bench: setup
	$(UV) run python benchmarks/catalog_bench.py
	$(UV) run python benchmarks/catalog_page_bench.py
	$(UV) run python benchmarks/search_bench.py
	$(UV) run python benchmarks/suggest_bench.py
	$(UV) run python benchmarks/crosswalk_bench.py
	$(UV) run python benchmarks/data_bench.py
	$(UV) run python benchmarks/opensdg_bench.py
	$(UV) run python benchmarks/scoring_bench.py
	$(UV) run python benchmarks/profile_bench.py
	$(UV) run python benchmarks/national_bench.py
	$(UV) run python benchmarks/plan_bench.py

# Screenshots of the main pages of a running server (make serve) into out/screenshots/.
screenshots: setup chromium
	$(UV) run python benchmarks/screenshots.py --base-url http://127.0.0.1:$(PORT)
