# Set-up and entry points. `make demo` and `make test` each create the virtual environment
# and install everything first, so either works on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
export OMP_NUM_THREADS ?= 1

.PHONY: setup setup-core system demo test test-latest test-lowest lock lint docs bench bench-ray bench-llm bench-babyai bench-eb-nav bench-eb-manip bench-thor bench-pca levels media clean

setup: system $(VENV)/.installed-dev
setup-core: $(VENV)/.installed-core

# Debian packages: chromium (the report's browser tests) and fonts for it; EGL, Mesa's software
# OpenGL and GLU (MiniWorld renders headless through them). ffmpeg needs none: imageio-ffmpeg
# ships its own binary.
SYSTEM_PACKAGES := chromium fonts-dejavu-core libegl1 libegl-mesa0 libgl1-mesa-dri libglu1-mesa
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); }

# Installs come from the lock files in requirements/: every package at an exact version with its
# hashes, so a fresh machine gets the set the tests last passed on. The core lock (`make demo`)
# holds no torch, Ray, transformers or simulator; the dev lock holds every extra and the test
# tools, and torch's CPU build (on other machines, add PyTorch's CPU index:
# PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu).
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-%: requirements/%.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/$*.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

# Refreshes both locks to the newest releases pyproject.toml admits (torch stays at its CPU build).
# The frozen episode sets' fingerprints are part of the lock: `make test` after a refresh shows any
# episode that a new library release changed.
LOCK_TOOLS := $(VENV)-lock/bin
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/pip-compile --quiet --generate-hashes --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links --upgrade
lock:
	[ -x $(LOCK_TOOLS)/pip-compile ] || { $(PYTHON) -m venv $(VENV)-lock && $(LOCK_TOOLS)/pip install --quiet pip-tools; }
	echo "torch==$(TORCH_VERSION)+cpu" > $(VENV)-lock/torch.txt
	$(PIP_COMPILE) --extra dev -c $(VENV)-lock/torch.txt -o requirements/dev.lock pyproject.toml
	sed -n 's/^\([A-Za-z0-9_.-]*==[^ ]*\).*/\1/p' requirements/dev.lock > $(VENV)-lock/dev-pins.txt
	$(PIP_COMPILE) -c $(VENV)-lock/dev-pins.txt -o requirements/core.lock pyproject.toml
	for lock in requirements/dev.lock requirements/core.lock; do \
		awk '/^mmgym @/ {skip = 1; next} skip && /^ / {next} {skip = 0; print}' $$lock > $$lock.tmp && mv $$lock.tmp $$lock; done

# Not part of `make test`: the suite on the newest releases (an upstream break shows here first),
# and on the lowest versions pyproject.toml admits for its direct dependencies (its lower bounds are true;
# uv resolves them: pip has no lowest-version resolution).
test-latest: system
	rm -rf $(VENV)-latest && $(PYTHON) -m venv $(VENV)-latest
	$(VENV)-latest/bin/python -m pip install --quiet --upgrade pip "torch==$(TORCH_VERSION)"
	$(VENV)-latest/bin/python -m pip install --quiet --upgrade -e ".[dev]"
	$(VENV)-latest/bin/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder

test-lowest: system
	rm -rf $(VENV)-lowest && $(PYTHON) -m venv $(VENV)-lowest
	$(VENV)-lowest/bin/python -m pip install --quiet --upgrade pip uv "torch==$(TORCH_VERSION)"
	echo "torch==$(TORCH_VERSION)" > $(VENV)-lowest/torch.txt
	$(VENV)-lowest/bin/uv pip compile --quiet --resolution lowest-direct --extra dev -c $(VENV)-lowest/torch.txt \
		pyproject.toml -o $(VENV)-lowest/lowest.txt
	# torch is installed (its CPU build); uv resolved the CUDA build's packages, which are left out
	grep -v -E "^(torch|nvidia-[a-z0-9-]+|cuda-[a-z-]+|triton)==" $(VENV)-lowest/lowest.txt > $(VENV)-lowest/install.txt
	$(VENV)-lowest/bin/python -m pip install --quiet --no-deps -r $(VENV)-lowest/install.txt
	$(VENV)-lowest/bin/python -m pip install --quiet --no-deps -e . && $(VENV)-lowest/bin/python -m pip check
	$(VENV)-lowest/bin/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder

# The default suite with both agents, then a report of both runs (open report/index.html).
# The random agent's 1,800 episodes skip videos: encoding them would triple the demo's time.
demo: setup-core
	$(BIN)/mmgym run agent=oracle
	$(BIN)/mmgym run record.video=false
	$(BIN)/mmgym report runs/ingvp-oracle runs/ingvp-random -o report

test: setup lint
	$(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=10

lint: setup
	$(BIN)/ruff check mmgym tests benchmarks docs
	$(BIN)/ruff format --check mmgym tests benchmarks docs

# The documentation site, into site/ (open site/index.html), with warnings as errors. The suite pages'
# tables are generated from the code at each build (docs/hooks/suite_pages.py): it needs the whole install.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: setup
	$(BIN)/python benchmarks/bench_ingvp.py

bench-ray: setup
	$(BIN)/python benchmarks/bench_ray.py

# The LLM agent against a fixed-latency endpoint: CPU per call, steps/s and peak RSS (about 15 minutes).
bench-llm: setup
	$(BIN)/python benchmarks/bench_llm_concurrency.py

# BabyAI through the LLM agent, side by side with BALROG's figures (about 5 minutes).
bench-babyai: setup
	$(BIN)/python benchmarks/bench_babyai.py

# EB-Navigation on MiniWorld: start-up, steps/s, recording, Ray env workers (about 3 minutes).
bench-eb-nav: setup
	$(BIN)/python benchmarks/bench_eb_nav.py

# EB-Manipulation on MuJoCo: start-up, steps/s, recording, Ray env workers (about 4 minutes).
bench-eb-manip: setup
	$(BIN)/python benchmarks/bench_eb_manip.py

# EB-ALFRED and EB-Navigation through ai2thor's Controller and the stand-in build (under a minute).
bench-thor: setup
	$(BIN)/python benchmarks/bench_thor.py

# PCA items: generation cost, render cost, closed-loop decisions/s per domain (about 2 minutes).
bench-pca: setup
	$(BIN)/python benchmarks/bench_pca.py

levels: setup
	$(BIN)/python -m mmgym.envs.puzzles.levels
	$(BIN)/python -m mmgym.envs.babyai.episodes

# The README's report screenshot and replay GIF, made by mmgym's own commands.
media: setup
	$(BIN)/python docs/make_media.py

clean:
	rm -rf $(VENV) runs outputs multirun report test-artifacts .pytest_cache .ruff_cache
