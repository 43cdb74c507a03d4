"""The LLM agent against an OpenAI-compatible endpoint with a fixed latency: throughput, memory, CPU per call.

    python benchmarks/bench_llm_concurrency.py [--latency 0.2] [--concurrency 16 64 128] [--steps 5 20 50]
    python benchmarks/bench_llm_concurrency.py --parts-only     # just the CPU split of one call
    python benchmarks/bench_llm_concurrency.py --before 0c4faca # also the peak RSS of an older revision

The endpoint is the test suite's scripted server (tests/agents/models/fault_server.py), run in a
separate process so that it does not share the runner's CPU; every reply takes `--latency` seconds
and says `{"action": "up"}`. Episodes alternate Maze and Sokoban levels in the setting
`multi_step-image_text-history` (384 px frames) or `multi_step-text-history`, without videos, and
play exactly `--steps` turns (failures never stop them). Each grid cell is a fresh process playing
`--waves` x N episodes, N at a time, so its peak RSS is its own. Ideal throughput is N / latency
steps per second; efficiency is the measured rate over that.

The split of one call's driver CPU times each part alone, in this process, over many calls:
building the prompt, encoding a fresh 384 px frame (mmgym's PNG, Pillow's PNG as before, JPEG),
serialising the request (orjson against the standard library's json), the HTTP round trip
(aiohttp against the openai SDK on httpx, when `openai` is installed), and parsing the reply.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from llm_cell import model_config
from PIL import ImageDraw

from mmgym.agents.models import images as images_module
from mmgym.agents.models.base import GenerationConfig, ImagePart, Message
from mmgym.agents.models.chat_format import chat_messages
from mmgym.agents.models.images import ImageEncoding
from mmgym.agents.models.openai_backend import OpenAIBackend
from mmgym.agents.prompts import PromptConfig, build_messages
from mmgym.core.agent import EpisodeContext, StepView, Turn
from mmgym.core.spec import EpisodeSpec
from mmgym.envs.puzzles import get_game
from mmgym.envs.puzzles.levels import load_set
from mmgym.envs.puzzles.render import Backgrounds
from mmgym.runners.env_session import make_env
from mmgym.tasks.ingvp.settings import Setting
from mmgym.tasks.ingvp.suite import IngvpSuite

SERVER_DIR = Path(__file__).resolve().parent.parent / "tests" / "agents" / "models"
SERVER = """
import sys, time
sys.path.insert(0, {dir!r})
from fault_server import FaultServer
with FaultServer(latency_s={latency}, reply_text={reply!r}) as server:
    print(server.base_url, flush=True)
    time.sleep(10**6)
"""
SETTINGS = {"image": "multi_step-image_text-history", "text": "multi_step-text-history"}
CELL = Path(__file__).resolve().parent / "llm_cell.py"


def start_server(latency: float, reply: str = '{"action": "up"}') -> tuple[subprocess.Popen[str], str]:
    """The scripted endpoint in its own process, answering `reply` after `latency` seconds; returns it and its URL."""
    code = SERVER.format(dir=str(SERVER_DIR), latency=latency, reply=reply)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def endpoint_workload(
    base_url: str, level_set: str, concurrency: int, episodes: int, steps: int, image: bool
) -> tuple[IngvpSuite, dict[str, Any]]:
    """A Maze suite and the endpoint's model config (the Ray benchmark plays it too)."""
    setting = "multi_step-image_text-no_history" if image else "multi_step-text-no_history"
    suite = IngvpSuite(
        games=["maze"], settings=[setting], level_set=level_set, levels=episodes, max_steps=steps, image_size=256
    )
    return suite, model_config(base_url, concurrency)


# --- one grid cell, in its own process -----------------------------------------------------------------------


def run_cell(
    args: argparse.Namespace, base_url: str, work: Path, cell: tuple[int, int, str, bool], code: str = ""
) -> dict:
    """One cell in a fresh process; `code` is a checkout to import mmgym from instead (for `--before`)."""
    n, steps, obs, record = cell
    argv = [base_url, str(work), str(n), str(steps), obs, str(int(record)), str(args.waves)]
    env = dict(os.environ, PYTHONPATH=code) if code else None
    output = subprocess.run([sys.executable, str(CELL), *argv], capture_output=True, text=True, check=True, env=env)
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    figures["efficiency"] = figures["steps_per_s"] / (n / args.latency)
    return figures


def grid(args: argparse.Namespace, base_url: str, work: Path, before: str) -> None:
    print(f"\nsteps/s, efficiency against N / {args.latency:g} s, peak RSS (MiB); {args.waves} x N episodes per cell")
    columns = " | ".join(f"N={n} steps/s | eff | RSS" for n in args.concurrency)
    extra = " | RSS before" if before else ""
    print(f"obs | steps/episode | {columns} | CPU ms/step at N={args.concurrency[-1]}{extra}")
    print(" | ".join(["---"] * (3 + 3 * len(args.concurrency) + bool(before))))
    for obs in ("text", "image"):
        for steps in args.steps:
            cells = [run_cell(args, base_url, work, (n, steps, obs, False)) for n in args.concurrency]
            row = " | ".join(f"{c['steps_per_s']:.0f} | {c['efficiency']:.2f} | {c['peak_rss_mib']:.0f}" for c in cells)
            old = " | -" if before else ""
            if before and obs == "image":  # text observations held no frames before either
                olds = [run_cell(args, base_url, work, (n, steps, obs, False), before) for n in args.concurrency]
                old = " | " + " / ".join(f"{c['peak_rss_mib']:.0f}" for c in olds)
            print(f"{obs} | {steps} | {row} | {cells[-1]['cpu_ms_per_step']:.2f}{old}", flush=True)
    n, steps = args.concurrency[-1], args.steps[-1]
    cell = run_cell(args, base_url, work, (n, steps, "image", True))
    print(
        f"\nimage, videos recorded, N={n}, {steps} steps: {cell['steps_per_s']:.0f} steps/s, "
        f"efficiency {cell['efficiency']:.2f}, peak RSS {cell['peak_rss_mib']:.0f} MiB, "
        f"{cell['cpu_ms_per_step']:.2f} CPU ms/step"
    )


# --- the split of one call's CPU ------------------------------------------------------------------------------


def cpu_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat * 1000


def frames(count: int) -> list[np.ndarray]:
    """Distinct 384 px Maze and Sokoban frames (a fresh frame per call, as in play)."""
    images = []
    for seed in range(count):
        game = "Maze" if seed % 2 else "Sokoban"
        env = make_env_for(f"mmgym/{game}-v0")
        images.append(env.reset(seed=seed)[0]["image"])
    return images


def make_env_for(env_id: str) -> Any:
    spec = EpisodeSpec(suite="b", task="t", env_id=env_id, env_kwargs={"image_size": 384}, seed=0,
                       rules=Setting.parse(SETTINGS["image"]).rules(1))  # fmt: skip
    return make_env(spec).unwrapped


def prompt_builder(image: np.ndarray | None) -> Callable[[], list[Message]]:
    """Builds the prompt of a Maze turn with ten steps of history (the agent's work before each call)."""
    env = make_env_for("mmgym/Maze-v0")
    obs, info = env.reset(seed=0)
    play = Setting.parse(SETTINGS["image" if image is not None else "text"]).rules(50)
    context = EpisodeContext("e", "mmgym/Maze-v0", 0, play, env.rules, env.action_grammar)
    history = tuple(StepView(i, "up", False, "Invalid action 'up': a wall.") for i in range(10))
    view = {**obs, "image": image} if image is not None else {k: v for k, v in obs.items() if k != "image"}
    turn = Turn(view, info, history)
    return lambda: build_messages(context, turn, PromptConfig())


async def round_trips(send: Callable[[], Any], calls: int, concurrency: int) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with semaphore:
            await send()

    await asyncio.gather(*(one() for _ in range(calls)))


def http_ms(base_url: str, body: dict[str, Any], calls: int = 2000, concurrency: int = 64) -> dict[str, float]:
    """Driver CPU per round trip (request out, reply in and decoded), aiohttp and, if installed, the openai SDK."""
    import orjson

    backend = OpenAIBackend(name="b", model="bench", base_url=base_url, max_concurrency=concurrency)
    data = orjson.dumps(body)
    figures = {}

    async def ours() -> None:
        await backend._send_with_retries(data)  # the backend's own path, from bytes to ModelResponse

    async def timed(send: Callable[[], Any]) -> float:
        await round_trips(send, 50, concurrency)
        start = time.process_time()
        await round_trips(send, calls, concurrency)
        return (time.process_time() - start) / calls * 1000

    async def both() -> None:
        figures["aiohttp + orjson (mmgym)"] = await timed(ours)
        await backend.close()
        try:
            import openai
        except ImportError:
            return
        clients = [openai.AsyncOpenAI(api_key="x", base_url=base_url, max_retries=0) for _ in range(4)]
        turn = iter(range(10**9))

        async def sdk() -> None:
            await clients[next(turn) % 4].post("/chat/completions", body=body, cast_to=object)

        figures["openai SDK raw post on httpx (before)"] = await timed(sdk)
        for client in clients:
            await client.close()

    asyncio.run(both())
    return figures


def render_rows() -> list[tuple[str, float]]:
    """A Sokoban step's 384 px frame: composed from the level's background and cached sprites, against drawing
    every primitive with Pillow and converting the image to an array (what every step did before)."""
    game = get_game("sokoban")
    start = game.from_text(load_set("sokoban")[0].text)
    states = [start]
    for action in game.solve(start) or []:
        states.append(game.step(states[-1], action))
    backgrounds, turn = Backgrounds(), iter(range(10**9))

    def state() -> Any:
        return states[next(turn) % len(states)]

    def drawn_whole() -> np.ndarray:
        current = state()
        image = game.draw_background(current, 384)
        draw = ImageDraw.Draw(image)
        for piece in game.pieces(current, 384):
            piece.draw(draw)
        return np.asarray(image)

    return [
        ("render a step's frame: composed from the level's background (mmgym)",
         cpu_ms(lambda: game.frame(state(), 384, backgrounds), 2000)),
        ("render a step's frame: drawn whole with Pillow, then an array (before)", cpu_ms(drawn_whole, 300)),
    ]  # fmt: skip


def parts(base_url: str) -> None:
    import orjson
    from PIL import Image

    images = frames(20)
    png, jpeg = ImageEncoding(), ImageEncoding("jpeg")
    turn = iter(range(10**9))

    def fresh_frame() -> np.ndarray:
        return images[next(turn) % len(images)]

    def pillow_png(image: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        return buffer.getvalue()

    def zlib_png(image: np.ndarray) -> bytes:
        deflate, images_module.fast_zlib = images_module.fast_zlib, zlib
        try:
            return png.encode(image)
        finally:
            images_module.fast_zlib = deflate

    build_text, build_image = prompt_builder(None), prompt_builder(images[0])
    fresh = 500
    rows: list[tuple[str, float]] = [
        *render_rows(),
        ("build the prompt, text observation", cpu_ms(build_text, 2000)),
        ("build the prompt, image observation", cpu_ms(build_image, 2000)),
        (
            "encode a fresh 384 px frame: mmgym PNG (Up filter, ISA-L 1)",
            cpu_ms(lambda: png.encode(fresh_frame()), fresh),
        ),
        ("encode a fresh 384 px frame: mmgym PNG (zlib 1; before)", cpu_ms(lambda: zlib_png(fresh_frame()), 200)),
        ("encode a fresh 384 px frame: Pillow PNG, level 6 (before)", cpu_ms(lambda: pillow_png(fresh_frame()), 100)),
        ("encode a fresh 384 px frame: JPEG q90 (image_format=jpeg)", cpu_ms(lambda: jpeg.encode(fresh_frame()), 200)),
    ]
    sizes = {
        "mmgym PNG": [len(png.encode(i)) for i in images],
        "Pillow PNG level 6": [len(pillow_png(i)) for i in images],
        "JPEG q90": [len(jpeg.encode(i)) for i in images],
    }
    text_messages, image_messages = build_text(), build_image()
    png.data_url(next(p for p in image_messages[-1].parts if isinstance(p, ImagePart)))  # encoded once, reused
    backend = OpenAIBackend(name="b", model="bench", base_url=base_url)
    config = GenerationConfig(max_tokens=16)
    for label, messages in (("text", text_messages), ("image, frame encoded", image_messages)):
        request = backend._request(chat_messages(messages, png), config)
        rows.append((f"serialise the request ({label}): orjson", cpu_ms(lambda r=request: orjson.dumps(r), 2000)))
        rows.append((f"serialise the request ({label}): json, before", cpu_ms(lambda r=request: json.dumps(r), 2000)))
    reply = orjson.dumps({"choices": [{"message": {"content": '{"action": "up"}'}}], "usage": {"prompt_tokens": 9}})
    rows.append(("parse the reply", cpu_ms(lambda: backend._to_response(orjson.loads(reply), 0.0), 5000)))
    print("\ndriver CPU per model call, by part (ms; each part alone, this process, many calls)")
    print("part | CPU ms")
    print("--- | ---")
    for label, value in rows:
        print(f"{label} | {value:.3f}")
    for kind, messages in (("text", text_messages), ("image", image_messages)):
        body = backend._request(chat_messages(messages, png), config)
        for client, value in http_ms(base_url, body).items():
            print(f"HTTP round trip, {kind} request ({len(orjson.dumps(body)) / 1024:.0f} KB): {client} | {value:.3f}")
    print("\nmean frame size: " + ", ".join(f"{name} {np.mean(v) / 1024:.1f} KB" for name, v in sizes.items()))


def checkout(revision: str, work: Path) -> str:
    """A detached worktree of `revision` (removed with `work`); returns its path."""
    path = work / "before"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), revision], check=True, capture_output=True)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--steps", type=int, nargs="*", default=[5, 20, 50])
    parser.add_argument("--concurrency", type=int, nargs="*", default=[16, 64, 128])
    parser.add_argument("--waves", type=int, default=4, help="episodes per cell: waves x N")
    parser.add_argument("--parts-only", action="store_true", help="only the CPU split of one call")
    parser.add_argument("--before", metavar="REV", help="also measure peak RSS at this git revision (a worktree)")
    args = parser.parse_args()
    server, base_url = start_server(args.latency)
    fast_server, fast_url = start_server(0.0)
    work = tempfile.TemporaryDirectory()
    try:
        print(f"latency {args.latency * 1000:.0f} ms; Maze and Sokoban, 384 px frames, no videos unless said")
        parts(fast_url)
        if not args.parts_only:
            before = checkout(args.before, Path(work.name)) if args.before else ""
            grid(args, base_url, Path(work.name), before)
    finally:
        server.kill()
        fast_server.kill()
        work.cleanup()
        subprocess.run(["git", "worktree", "prune"], capture_output=True)


if __name__ == "__main__":
    main()
