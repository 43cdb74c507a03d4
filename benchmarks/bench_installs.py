"""What each install costs and whether it is enough: the core and each extra in a fresh venv, then its command.

    python benchmarks/bench_installs.py [--only core,babyai] [--keep] [--pip-cache]

For the core and each extra (openai, hf, ray, babyai, miniworld, mujoco, pca, thor) the script creates
a fresh venv in a temporary folder and installs mmgym with that extra at the locked versions:
requirements/dev.lock's `name==version` lines (hashes stripped) as constraints, and mmgym itself as a
wheel built once from this working tree, so each venv is self-contained (not editable). The hf extra
gets torch's CPU build first, from the same pins (where pip's indexes lack it, add PyTorch's CPU
index: PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu). Installs are cold by default
(`--no-cache-dir`: every install downloads what it needs, as on a fresh machine); `--pip-cache` lets
pip reuse its cache.

Then it runs the feature's smallest command with the venv's own `mmgym`, from a folder outside the
repository, without videos and with the fewest episodes the suite allows: the core plays one Maze
level with the expert and reports it; openai plays one Maze level with `agent=llm model=gpt4o`
against a stub OpenAI-compatible server in this process (every reply "Action: up"); hf builds the
tests' tiny random LLaVA model (tests/agents/models/tiny_vlm.py, with the venv's python) and plays
with `model=hf`; ray plays one Maze level under `runner=ray` (a local Ray instance, one env actor);
babyai, miniworld (eb_nav), mujoco (eb_manip, MUJOCO_GL=egl) and thor (eb_alfred and eb_thor_nav on
mmgym's stand-in build) play one episode of one subset with the expert; pca decides one item of each
domain.

Left out: vllm (it needs a CUDA GPU). One row per command: the install's figures (seconds of `pip
install`, MiB on disk by `du`, installed distributions) on the extra's first row, then the command, its
seconds and exit status. Exits 1 when an install or a command failed; its log's tail goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TINY_VLM = REPO / "tests" / "agents" / "models" / "tiny_vlm.py"
TORCH = "torch==2.13.0"  # the hf extra's torch, installed first (the lock pins its CPU build)
COMMAND_TIMEOUT_S = 1800
QUIET = ["record.video=false", "progress=false"]
MAZE = ["suite.games=[maze]", "suite.levels=1"]


@dataclass(frozen=True)
class Place:
    """Where one feature's commands run: the venv's bin folder, a work folder outside the repo, the stub's URL."""

    bin: Path
    work: Path
    base_url: str


CommandList = Callable[[Place], list[list[str]]]


@dataclass(frozen=True)
class Feature:
    name: str
    extra: str | None  # None: the core alone
    commands: CommandList
    first: list[str] = field(default_factory=list)  # installed before mmgym (hf: torch)


def mmgym_run(place: Place, *overrides: str) -> list[str]:
    return [str(place.bin / "mmgym"), "run", *overrides, *QUIET, f"output_dir={place.work / 'run'}"]


def expert(suite: str, *overrides: str) -> CommandList:
    return lambda p: [mmgym_run(p, f"suite={suite}", "agent=oracle", *overrides)]


def core_commands(p: Place) -> list[list[str]]:
    run = mmgym_run(p, "agent=oracle", *MAZE)
    return [run, [str(p.bin / "mmgym"), "report", str(p.work / "run"), "-o", str(p.work / "report")]]


def openai_commands(p: Place) -> list[list[str]]:
    setting = "suite.settings=[multi_step-image_text-history]"  # frames go out as PNG (isal's deflate)
    model = ["model=gpt4o", f"model.base_url={p.base_url}"]
    return [mmgym_run(p, "agent=llm", *model, *MAZE, setting, "suite.max_steps=5")]


def hf_commands(p: Place) -> list[list[str]]:
    model_dir = p.work / "tiny-vlm"
    setting = "suite.settings=[multi_step-image_text-history]"
    model = ["model=hf", f"model.model_path={model_dir}", "agent.max_tokens=16"]
    build = [str(p.bin / "python"), str(TINY_VLM), str(model_dir)]
    return [build, mmgym_run(p, "agent=llm", *model, *MAZE, setting, "suite.max_steps=3")]


def ray_commands(p: Place) -> list[list[str]]:
    workers = ["runner.num_cpus=1", "runner.env_workers=1"]  # the maze's env in a Ray actor, not in this process
    return [mmgym_run(p, "agent=oracle", "runner=ray", *workers, *MAZE)]


def thor_commands(p: Place) -> list[list[str]]:
    one = ["suite.executable=standin", "suite.subsets=[base]", "suite.episodes=1"]
    alfred = mmgym_run(p, "suite=eb_alfred", "agent=oracle", *one)
    nav = mmgym_run(p, "suite=eb_thor_nav", "agent=oracle", *one)
    nav[-1] = f"output_dir={p.work / 'run-nav'}"
    return [alfred, nav]


ONE_EPISODE = ["suite.subsets=[base]", "suite.episodes=1"]
FEATURES = [
    Feature("core", None, core_commands),
    Feature("openai", "openai", openai_commands),
    Feature("hf", "hf", hf_commands, first=[TORCH]),
    Feature("ray", "ray", ray_commands),
    Feature("babyai", "babyai", expert("babyai", *ONE_EPISODE)),
    Feature("miniworld", "miniworld", expert("eb_nav", *ONE_EPISODE)),
    Feature("mujoco", "mujoco", expert("eb_manip", *ONE_EPISODE)),
    Feature("pca", "pca", expert("pca", "suite.items=1", "suite.judge_check=0")),
    Feature("thor", "thor", thor_commands),
]
SKIPPED = {"vllm": "needs a CUDA GPU", "dev": "everything, for the tests: `make setup`"}


class StubHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that answers every request with "Action: up"."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.reply(404, {"error": {"message": f"no route {self.path}"}})
            return
        message = {"role": "assistant", "content": "Action: up"}
        usage = {"prompt_tokens": 17, "completion_tokens": 3, "total_tokens": 20}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        self.reply(
            200, {"id": "stub", "object": "chat.completion", "model": "stub", "choices": [choice], "usage": usage}
        )

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # no line per request
        pass


def start_stub() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


def write_pins(path: Path) -> Path:
    """requirements/dev.lock's `name==version` lines, without hashes: constraints for every install."""
    lines = (REPO / "requirements" / "dev.lock").read_text().splitlines()
    pins = [line.split()[0] for line in lines if "==" in line and not line.startswith((" ", "#"))]
    path.write_text("\n".join(pins) + "\n")
    return path


def build_wheel(work: Path) -> Path:
    """mmgym's wheel from a copy of the working tree (tracked and untracked, not ignored), so the build
    leaves nothing in the repository."""
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True)
    source = work / "source"
    for name in filter(None, listing.stdout.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = work / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)]
    subprocess.run(pip, check=True)
    return next(dist.glob("mmgym-*.whl"))


def clean_env(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(VIRTUAL_ENV=str(bin_dir.parent), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MUJOCO_GL", "egl")
    return env


def run_logged(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[int, float]:
    """Runs `command`, appending its output to `log`; returns (exit status, seconds)."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        start = time.perf_counter()
        try:
            done = subprocess.run(
                command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT_S
            )
            status = done.returncode
        except subprocess.TimeoutExpired:
            status = 124
        return status, time.perf_counter() - start


def install(feature: Feature, root: Path, wheel: Path, pins: Path, pip_cache: bool) -> tuple[int, float, Path]:
    """A fresh venv under `root` with the feature installed; returns (exit status, pip seconds, bin folder)."""
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    env, log = clean_env(bin_dir), root / "log.txt"
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-c", str(pins)]
    pip += [] if pip_cache else ["--no-cache-dir"]
    target = f"mmgym[{feature.extra}] @ {wheel.as_uri()}" if feature.extra else f"mmgym @ {wheel.as_uri()}"
    seconds = 0.0
    for packages in ([feature.first] if feature.first else []) + [[target]]:
        status, took = run_logged(pip + packages, root, env, log)
        seconds += took
        if status:
            return status, seconds, bin_dir
    status, _ = run_logged([str(bin_dir / "python"), "-m", "pip", "check"], root, env, log)
    return status, seconds, bin_dir


def venv_figures(venv_dir: Path) -> tuple[float, int]:
    """(MiB on disk by du, installed distributions)."""
    kib = int(subprocess.run(["du", "-sk", str(venv_dir)], capture_output=True, text=True).stdout.split()[0])
    return kib / 1024, len(list(venv_dir.glob("lib/python*/site-packages/*.dist-info")))


def short(command: list[str], place: Place) -> str:
    """The command as a reader would type it: the venv's programs by name, paths relative to the work folder."""
    text = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
    text = text.replace(f"{place.work}{os.sep}", "").replace(str(TINY_VLM), "tests/agents/models/tiny_vlm.py")
    return text.replace(place.base_url, "http://127.0.0.1:PORT/v1")


def log_tail(log: Path, lines: int = 30) -> None:
    print(f"--- last lines of {log.name} ---", *log.read_text().splitlines()[-lines:], sep="\n", file=sys.stderr)


def measure(feature: Feature, top: Path, wheel: Path, pins: Path, base_url: str, args: argparse.Namespace) -> bool:
    """Installs the feature, runs its commands and prints their rows; True when everything passed."""
    root = top / feature.name
    root.mkdir()
    status, seconds, bin_dir = install(feature, root, wheel, pins, args.pip_cache)
    mib, packages = venv_figures(root / "venv")
    lead = f"{feature.name} | {seconds:.0f} | {mib:.0f} | {packages}"
    ok = status == 0
    if not ok:
        print(f"{lead} | pip install (failed) | {seconds:.0f} | {status}", flush=True)
        log_tail(root / "log.txt")
    else:
        place = Place(bin_dir, root / "work", base_url)
        place.work.mkdir()
        for command in feature.commands(place):
            status, took = run_logged(command, place.work, clean_env(bin_dir), root / "log.txt")
            print(f"{lead} | `{short(command, place)}` | {took:.1f} | {status}", flush=True)
            lead = " | | |"
            if status:
                ok = False
                log_tail(root / "log.txt")
                break
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return ok


def chosen(only: str | None) -> list[Feature]:
    if not only:
        return FEATURES
    names = [name.strip() for name in only.split(",") if name.strip()]
    by_name = {feature.name: feature for feature in FEATURES}
    for name in names:
        if name not in by_name:
            why = SKIPPED.get(name, "not an extra")
            sys.exit(f"--only {name}: not measured ({why}); choose from {', '.join(by_name)}")
    return [by_name[name] for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated features, e.g. core,babyai (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the venvs, runs and logs; print where")
    parser.add_argument("--pip-cache", action="store_true", help="let pip use its cache (default: cold installs)")
    args = parser.parse_args()
    features = chosen(args.only)
    top = Path(tempfile.mkdtemp(prefix="mmgym-installs-"))
    server, base_url = start_stub()
    try:
        pins, wheel = write_pins(top / "pins.txt"), build_wheel(top)
        venv.EnvBuilder(with_pip=True).create(top / "empty")
        empty = f"an empty venv {venv_figures(top / 'empty')[0]:.0f} MiB"
        cache = "pip's cache" if args.pip_cache else "no pip cache"
        print(
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {cache}, {empty}; pins from requirements/dev.lock"
        )
        print("extra | install s | venv MiB | packages | command | s | exit")
        print("--- | --- | --- | --- | --- | --- | ---", flush=True)
        failed = [f.name for f in features if not measure(f, top, wheel, pins, base_url, args)]
    finally:
        server.shutdown()
        if args.keep:
            print(f"venvs, runs and logs kept in {top}")
        else:
            shutil.rmtree(top, ignore_errors=True)
    print(f"skipped: vllm ({SKIPPED['vllm']})")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
