# Two commands run everything: `make serve` (the app, reference data loaded) and `make test`.
# Both install what they need first: uv (pinned) and the locked Python environment.

UV_VERSION := 0.13.8
UV := python3 -m uv
PORT ?= 8000
# Offline machines read official files from the shared mirror when it sits beside the clone.
export LOCALSDG_MIRROR ?= $(if $(wildcard ../shared/mirror),$(abspath ../shared/mirror),)

.PHONY: setup serve test lint bench

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --locked --quiet

serve: setup
	$(UV) run localsdg serve --port $(PORT)

lint: setup
	$(UV) run ruff check src tests benchmarks

test: lint
	$(UV) run pytest -n 2 --dist loadfile -q

bench: setup
	$(UV) run python benchmarks/catalog_bench.py
