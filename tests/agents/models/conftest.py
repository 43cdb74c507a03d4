"""Session fixtures: a tiny random vision-language model on disk, and `transformers serve` serving it.

Both need torch and transformers (`pip install "mmgym[hf]"`, plus `transformers[serving]` for the
server); tests that use them are skipped, with the reason shown, when those are not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_READY_TIMEOUT_S = 60.0


def _require(*modules: str) -> None:
    for module in modules:
        pytest.importorskip(module, reason=f"{module} is not installed (pip install 'mmgym[hf]')")


@pytest.fixture(scope="session")
def tiny_vlm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random LLaVA model and processor saved once per session (about 0.7 MB)."""
    _require("torch", "transformers", "tokenizers")
    from tiny_vlm import build_tiny_vlm  # this folder is on sys.path in conftest (no __init__.py)

    return build_tiny_vlm(tmp_path_factory.mktemp("tiny-vlm"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("transformers")
    if not script.exists():
        found = shutil.which("transformers")
        if found is None:
            pytest.fail("the `transformers` command is not installed next to this Python or on PATH")
        script = Path(found)
    return [str(script), "serve"]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it runs in its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def transformers_server(tiny_vlm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`transformers serve` on 127.0.0.1 with the tiny model; yields (base_url ending in /v1, model name).

    The model name is the served path exactly: the server refuses any other.
    """
    _require("fastapi", "uvicorn")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    model_name = str(tiny_vlm_dir)
    log_dir = tmp_path_factory.mktemp("transformers-serve")
    stdout_path, stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
    command = [*_serve_command(), model_name, "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    hub_cache = log_dir / "hub"  # some releases list the hub cache for /v1/models and fail when it is missing
    hub_cache.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", HF_HUB_CACHE=str(hub_cache))
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"transformers serve exited with code {process.returncode}:\n{_tail(stderr_path)}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"transformers serve not ready within {SERVER_READY_TIMEOUT_S:g} s:\n{_tail(stderr_path)}")
            time.sleep(0.2)
        yield base_url, model_name
    finally:
        _stop(process)


@pytest.fixture
def served_model(transformers_server: tuple[str, str]) -> dict:
    """The OpenAI-compatible backend's config for the tiny model behind `transformers serve`."""
    base_url, served = transformers_server
    return {
        "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
        "name": "served-tiny",
        "model": served,
        "base_url": base_url,
        "timeout_s": 60,
    }
