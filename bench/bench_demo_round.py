"""The app demo's wait between rounds, in a real browser: last label -> next picks on screen.

For each ``--modes`` (``full``: every sentence rescored, the map refitted and every encoder
layer trained, as before the pool index; ``indexed``: the app's default round), a fresh SIB-200
demo project (``--per-language`` source sentences per language;
the app's demo has 200, so 1,000) runs round 1 with the real runner before the server starts
(the warm start, and for ``indexed`` the one-time index build, both timed). Then, in chromium
through Playwright, an annotator labels the round's ``budget`` picks with the digit 1; the
last label ends the round (the demo finishes rounds by itself). Measured: seconds from that
last key press until the next round's first pick is on screen, without reloading the page::

    .venv/bin/python -m bench.bench_demo_round --modes full,indexed

Needs ``/usr/bin/chromium``, ``../shared/data`` (or ``$DEMUX_DATA``) and the default model.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

from demux_core.runtime import prepare_environment  # noqa: E402

prepare_environment()  # before torch or faiss load

from bench.common import describe_machine, load_average  # noqa: E402

WAIT_MS = 1_200_000


def shown(rank: int, of: int, round_number: int | None = None) -> str:
    """A JS predicate: the Annotate page shows pick ``rank`` of ``of`` (of that round), and
    the active label pad (it takes the keys; pads live in shadow roots) shows the same item
    (the header is drawn before the pad, and a key on a stale pad is refused)."""
    in_round = (
        "true"
        if round_number is None
        else f"document.body.innerText.includes('Round {round_number}')"
    )
    return (
        "() => { const meta = document.querySelector('.demux-meta');"
        f" if (meta === null || !meta.innerText.includes('rank {rank} of {of}') || !({in_round}))"
        " return false;"
        " const pads = (root) => { const found = [...root.querySelectorAll("
        "'.label-pad[data-active]')]; for (const element of root.querySelectorAll('*'))"
        " { if (element.shadowRoot) found.push(...pads(element.shadowRoot)); } return found; };"
        " return pads(document).some((pad) => pad.dataset.exampleId === meta.dataset.exampleId); }"
    )


def first_round(projects: Path, data: Path, name: str, mode: str, per_language: int, model):
    """Create the demo project and run its round 1 with the real runner; returns (path, s)."""
    from service.demo import DEMOS
    from service.projects import create_demo_project, open_store
    from service.round_control import start_next_round
    from service.store_runner import StoreRoundRunner
    from service.worker import RoundWorker

    os.environ["DEMUX_PROJECTS"] = str(projects)
    spec = dataclasses.replace(DEMOS["sib200"], per_source_language=per_language)
    extra = {"model_spec": model} if model else {}
    if mode == "full":  # the round before the pool index: every row rescored, every layer trained
        extra["frozen_layers"] = 0
    path = create_demo_project(spec, data, name, round_mode=mode, **extra)
    store, worker = open_store(path), RoundWorker(open_store, StoreRoundRunner)
    try:
        clock = time.perf_counter()
        start_next_round(store, worker)
        worker.wait_idle(WAIT_MS / 1000)
        seconds = time.perf_counter() - clock
        worker.stop(5)
        current = store.current_round()
        if current.status != "annotating":
            raise RuntimeError(f"round 1 of {name} ended {current.status}: {current.error}")
        return path, seconds, store.pool_sizes(), len(store.selections(current.id))
    finally:
        store.close()


def round_timings(path: Path) -> dict:
    from service.projects import open_store

    store = open_store(path)
    try:
        return dict(store.current_round().timings or {})
    finally:
        store.close()


def label_round(page, url: str, name: str, budget: int) -> float:
    """Label every pick with 1; seconds from the last press to the next round's first pick."""
    from playwright.sync_api import expect

    page.goto(f"{url}/annotate?project={name}&annotator=bench")
    expect(page.get_by_text(f"0 of {budget} labeled this round")).to_be_visible(timeout=WAIT_MS)
    for rank in range(1, budget + 1):
        page.wait_for_function(shown(rank, budget), timeout=120_000, polling="raf")
        page.get_by_role("heading", name="Annotate").click()
        page.keyboard.press("1")
        started = time.perf_counter()
    page.wait_for_function(shown(1, budget, round_number=2), timeout=WAIT_MS, polling=250)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="full,indexed")
    parser.add_argument("--per-language", type=int, default=200)
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    args = parser.parse_args(argv)
    from tests.e2e.streamlit_server import browser_page, streamlit_app

    data = Path(
        os.environ.get("DEMUX_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    print(describe_machine(), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="demux-bench-demo-") as scratch:
        projects = Path(scratch) / "projects"
        made = {mode: first_round(projects, data, f"demo-{mode}", mode, args.per_language, args.model)
                for mode in args.modes.split(",")}  # fmt: skip
        env = {"DEMUX_RUNNER": "real", "DEMUX_DATA": str(data)}
        with (
            streamlit_app(projects, Path(scratch) / "streamlit.log", env) as url,
            browser_page() as page,
        ):
            for mode, (path, first_s, sizes, budget) in made.items():
                load = load_average()
                wait = label_round(page, url, f"demo-{mode}", budget)
                rows.append((mode, first_s, sizes, budget, wait, load, round_timings(path)))
                print(f"{mode}: {wait:.1f} s", flush=True)
    print("\n| round mode | pools | round 1 (warm start, index) s | last label -> next picks on screen s "
          "| round 2 stages (s) | load before |")  # fmt: skip
    print("|---|---|---:|---:|---|---|")
    for mode, first_s, sizes, budget, wait, load, timings in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
        print(f"| {mode} | {sizes['source']} source, {sizes['target']} target, budget {budget} | "
              f"{first_s:.0f} | **{wait:.1f}** | {stages} | {load} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
