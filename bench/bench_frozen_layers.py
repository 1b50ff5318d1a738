"""A round's training time by the number of frozen (cached) bottom encoder layers.

The round of a demo's recipe (``--demo``: MasakhaNER, or SIB-200): ``--labels`` new labels
plus the replayed seed sentences (at least 80), fine-tuned from the same starting model once
per N in ``--frozen``, interleaved over ``--repeats``::

    .venv/bin/python -m bench.bench_frozen_layers --frozen 0,4,6,8,10 --repeats 2

Reports the median seconds per N (the cache's one forward pass included) and the speed-up
against N = 0. Whether the picks and scores hold is measured on the grids (docs/findings.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import os

from bench.common import describe_machine, load_average, round_robin_medians


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frozen", default="0,4,6,8,10")
    parser.add_argument("--demo", default="masakhaner2", choices=("masakhaner2", "sib200"))
    parser.add_argument("--labels", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.models import load_tokenizer
    from demux_core.models.task_model import TaskModel
    from demux_core.recipes import round_recipe
    from demux_core.training.fine_tune import fine_tune
    from demux_core.training.round import training_examples_for_round
    from service.demo import DEMOS, build_demo_pools

    spec = dataclasses.replace(
        DEMOS[args.demo], per_source_language=max(args.labels, 4), test_size=4
    )
    demo = build_demo_pools(spec, shared_data_dir())
    new = [e for e in demo.source if e.gold is not None][: args.labels]
    tokenizer = load_tokenizer(args.model)
    start = TaskModel.from_pretrained(args.model, spec.task, demo.labels, seed=0)
    state = {name: tensor.clone() for name, tensor in start.state_dict().items()}
    recipe = round_recipe(
        spec.task, {"num_threads": args.threads, "device": "cpu", "frozen_layers": 0}
    )
    examples = training_examples_for_round(recipe.training, new_labels=new, earlier_labels=[],
                                           seed_examples=demo.seed)  # fmt: skip

    def run(n: int):
        start.load_state_dict(state)
        return fine_tune(start, tokenizer, examples, dataclasses.replace(recipe.training, frozen_layers=n),
                         progress=False)  # fmt: skip

    frozen = [int(n) for n in args.frozen.split(",")]
    print(describe_machine())
    load = load_average()
    results = round_robin_medians({f"N={n}": (lambda n=n: run(n)) for n in frozen}, args.repeats)
    print(
        f"load before {load}, after {load_average()}; {len(examples)} training examples "
        f"({len(new)} new), {recipe.training.epochs} epochs, batch {recipe.training.batch_size}\n"
    )
    print("| frozen layers N | training s (median) | speed-up vs N = 0 | final loss |")
    print("|---:|---:|---:|---:|")
    base = results[f"N={frozen[0]}"][0]
    for n in frozen:
        seconds, _, result = results[f"N={n}"]
        print(f"| {n} | {seconds:.1f} | {base / seconds:.2f}x | {result.losses[-1]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
