"""Scoring throughput of the real default model on SIB-200 sentences.

Compares torch threads (1 vs 2) and length-sorted vs unsorted batches. Short on purpose
(the development machine is shared). Run::

    PYTHONPATH=. .venv/bin/python bench/bench_scoring.py --sentences 200 --language hin_Deva
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from demux_core.runtime import prepare_environment

REPO_ROOT = Path(__file__).resolve().parent.parent


def read_sib(language: str, count: int):
    from demux_core.examples import SequenceExample

    path = REPO_ROOT.parent / "shared" / "data" / "sib200" / language / "train.tsv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[:count]
    return [SequenceExample(r["index_id"], language, r["text"], label=r["category"]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--language", default="eng_Latn")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    prepare_environment()

    from demux_core.config import ScoringConfig
    from demux_core.models import load_tokenizer, resolve_model
    from demux_core.scoring import score_pool
    from demux_core.task_model import TaskModel

    examples = read_sib(args.language, args.sentences)
    labels = sorted({e.label for e in examples})
    model = TaskModel.from_pretrained(resolve_model(None), "sequence", labels)
    tokenizer = load_tokenizer(None)
    score_pool(model, tokenizer, examples[:8], ScoringConfig(), progress=False)  # warm-up
    for threads in (1, 2):
        for sort in (True, False):
            for int8 in (False, True) if sort else (False,):
                config = ScoringConfig(
                    batch_size=args.batch_size,
                    num_threads=threads,
                    sort_by_length=sort,
                    quantize_int8=int8,
                    device="cpu",
                )
                started = time.perf_counter()
                score_pool(model, tokenizer, examples, config, progress=False)
                seconds = time.perf_counter() - started
                print(
                    f"threads={threads} sorted={sort!s:5} int8={int8!s:5} "
                    f"{seconds:6.2f} s  {len(examples) / seconds:6.1f} sentences/s"
                )


if __name__ == "__main__":
    main()
