# pyston developer commands. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
export VIRTUAL_ENV := $(abspath $(VENV))

.PHONY: help install demo test test-rust test-python bench bench-corpora fuzz lint fmt clean \
	smoke-aarch64 test-aarch64 wheels test-matrix

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.base:
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.5,<2" "numpy>=1.24"
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(VPY) -m pip install -q "pytest>=7" "hypothesis>=6" "ruff>=0.5" numba cloudpickle scipy "dask[array,distributed]" nbclient nbformat ipykernel ipython
	touch $@

install: $(VENV)/.base ## Build pyston (release) into .venv
	$(VENV)/bin/maturin develop --release --quiet

demo: install ## Build, then run examples/demo.py (speedups over plain Python)
	$(VPY) examples/demo.py

test: $(VENV)/.test install test-rust test-python ## Install test dependencies and run every test (Rust + Python)

test-rust: ## Rust unit tests
	cargo test --release --workspace --quiet

test-python: ## pytest suite through the public API
	$(VPY) -m pytest -q tests

bench: install ## Benchmark suite: CPython vs pyston vs Numba (installs numba)
	$(VPY) -m pip install -q -r benchmarks/requirements.txt
	$(VPY) benchmarks/run.py
	$(VPY) benchmarks/arrays.py
	$(VPY) benchmarks/ufuncs.py
	$(VPY) benchmarks/dtypes.py
	$(VPY) benchmarks/parallel.py
	$(VPY) benchmarks/never_slower.py
	$(VPY) benchmarks/np_random.py
	$(VPY) benchmarks/stdlib.py
	$(VPY) benchmarks/exceptions.py
	$(VPY) benchmarks/language.py
	$(VPY) benchmarks/run_scripts.py
	$(VPY) benchmarks/small_arrays.py
	$(VPY) benchmarks/wide.py

fuzz: install ## Long differential fuzzing run: make fuzz N=100000 SEED=1 (reproducers in /tmp/pyston_fuzz_SEED)
	$(VPY) tests/fuzz/run.py --seed $(or $(SEED),1) --count $(or $(N),10000) --jobs $(or $(JOBS),2)

bench-corpora: ## Public kernel corpora (benchmarks/corpora/, fetched locally): CPython vs pyston vs Numba
	@if [ -z "$$($(PYTHON) benchmarks/corpora.py list --quiet)" ]; then \
		$(PYTHON) benchmarks/corpora.py run; \
	else \
		$(MAKE) install && $(VPY) -m pip install -q -r benchmarks/requirements.txt scipy && \
		$(VPY) benchmarks/corpora.py run $(CORPORA_ARGS); \
	fi

wheels: ## abi3 wheels (manylinux2014 x86_64 + aarch64, via zig) and the sdist, into target/wheels
	bash scripts/wheels.sh x86_64 aarch64 sdist

smoke-aarch64: ## aarch64 under qemu-user (root, Debian host): cross build, demo, a sample of the suite
	bash scripts/aarch64/run.sh smoke

test-aarch64: ## the whole suite on aarch64 under qemu-user (long: see docs/platforms.md)
	bash scripts/aarch64/run.sh full

test-matrix: ## the x86_64 wheel on every CPython 3.9-3.13 found x NumPy 1.26 / 2.x (a quick sample)
	@ls target/wheels/pyston_jit-*-manylinux*_x86_64.whl >/dev/null 2>&1 || bash scripts/wheels.sh x86_64
	bash scripts/test_matrix.sh

lint: $(VENV)/.test ## cargo fmt --check, clippy -D warnings, ruff
	cargo fmt --all -- --check
	cargo clippy --release --workspace --all-targets -- -D warnings
	$(VENV)/bin/ruff check python tests benchmarks examples

fmt: ## Format Rust and Python code
	cargo fmt --all
	$(VENV)/bin/ruff check --fix python tests benchmarks examples || true

clean: ## Remove build outputs and the virtualenv
	rm -rf target $(VENV)
