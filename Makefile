# Set-up and entry points. `make demo` and `make test` each create the virtual environment
# and install everything first, so either works on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
export OMP_NUM_THREADS ?= 1

.PHONY: setup system demo test lint bench bench-ray bench-llm bench-babyai bench-eb-nav bench-eb-manip bench-thor bench-pca levels media clean

setup: system $(VENV)/.installed

# Debian packages: chromium (the report's browser tests) and fonts for it; EGL, Mesa's software
# OpenGL and GLU (MiniWorld renders headless through them). ffmpeg needs none: imageio-ffmpeg
# ships its own binary.
SYSTEM_PACKAGES := chromium fonts-dejavu-core libegl1 libegl-mesa0 libgl1-mesa-dri libglu1-mesa
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); }

# torch goes first, pinned: an unpinned torch would pull a multi-GB CUDA build (and no torchvision:
# it breaks transformers imports next to a CPU torch).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The default suite with both agents, then a report of both runs (open report/index.html).
# The random agent's 1,800 episodes skip videos: encoding them would triple the demo's time.
demo: setup
	$(BIN)/mmgym run agent=oracle
	$(BIN)/mmgym run record.video=false
	$(BIN)/mmgym report runs/ingvp-oracle runs/ingvp-random -o report

test: setup lint
	$(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=10

lint: setup
	$(BIN)/ruff check mmgym tests benchmarks docs
	$(BIN)/ruff format --check mmgym tests benchmarks docs

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
	$(BIN)/python -m mmgym.envs.games.levels
	$(BIN)/python -m mmgym.envs.babyai.episodes

# The README's report screenshot and replay GIF, made by mmgym's own commands.
media: setup
	$(BIN)/python docs/make_media.py

clean:
	rm -rf $(VENV) runs outputs multirun report test-artifacts .pytest_cache .ruff_cache
