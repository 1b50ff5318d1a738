"""How far the selection levers move the first round's picks (no fine-tuning).

Rebuilds a frozen-head run from its ``settings.json`` (the same pools, the cached
warm-start checkpoint and encoder features, the linear head fitted on the seed set), then
picks budgets 10/50/100 (``--budgets``) from those zero-shot scores with each selection
variant: the strategies, ``k`` (the first k-NN width of knn-uncertainty) and, for token
tasks, how word margins become one number per sentence (``min`` / ``mean``). For every
(variant, budget) it reports the share of the picks that default knn-uncertainty also
picks, the gold labels of the picks (classes, or NER entity types per sentence), their
source languages, their mean margin and their mean L2 distance to the nearest target
sentence.

A lever that leaves the picks (nearly) unchanged cannot change what a round learns; one
that moves them is worth a fine-tuning run. Selection only, so it runs in seconds once the
features are cached (the frozen-head run made them)::

    .venv/bin/python -m bench.selection_levers docs/results/study/frozen-sib-amh \\
        --out docs/results/levers/sib-amh.md
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUDGETS = (10, 50, 100)


@dataclass(frozen=True)
class Variant:
    """One way to pick: a strategy with its k and margin aggregation."""

    name: str
    strategy: str
    k: int = 1
    aggregation: str = "min"


VARIANTS = (
    Variant("knn-uncertainty (k=1, min; the default when measured)", "knn-uncertainty"),
    Variant("knn-uncertainty, k=8", "knn-uncertainty", k=8),
    Variant("knn-uncertainty, k=32", "knn-uncertainty", k=32),
    Variant("knn-uncertainty, mean margin", "knn-uncertainty", aggregation="mean"),
    Variant("balanced-knn-uncertainty", "balanced-knn-uncertainty"),
    Variant("uncertainty-knn", "uncertainty-knn"),
    Variant("uncertainty", "uncertainty"),
    Variant("uncertainty, mean margin", "uncertainty", aggregation="mean"),
    Variant("average-dist", "average-dist"),
    Variant("egalitarian (seed 0)", "egalitarian"),
    Variant("random (seed 0)", "random"),
)


def rebuild(run_folder: Path, cache_dir: Path):
    """Pools, config, features and the seed-set fitter of a frozen-head run."""
    from bench.common import rebuild_run
    from demux_lab.frozen_head.simulation import _Fitter, pool_features

    pools, config, warm_dir = rebuild_run(run_folder, cache_dir)
    features = pool_features(warm_dir, pools, config, cache_dir, show_bars=True)
    return pools, config, features, _Fitter(config, pools, features)


def pick_rows(pools, config, features, fitter, variants=VARIANTS, budgets=BUDGETS) -> list[dict]:
    """One dict per (variant, budget): overlap with the default, labels, languages, margins."""
    from demux_core.data.labels import label_counts
    from demux_core.selection.neighbors import knn
    from demux_core.selection.strategies import classes_for, select_with_details
    from demux_lab.frozen_head.head_scoring import score_features

    head = fitter.fit(())  # the seed-set head: the zero-shot model of the frozen recipe
    margins = {
        aggregation: score_features(head, features.source, config.labels, aggregation)
        for aggregation in {"min", *(variant.aggregation for variant in variants)}
    }
    source_emb, target_emb = features.source.embeddings, features.target.embeddings
    nearest, _ = knn(target_emb, source_emb, 1)
    languages = pools.source_languages
    rows, default_picks = [], {}
    for variant in variants:
        for budget in budgets:
            picked = select_with_details(
                variant.strategy,
                source_emb=source_emb,
                target_emb=target_emb,
                uncertainty=margins[variant.aggregation].uncertainty,
                budget=budget,
                languages=languages,
                k=variant.k,
                seed=0,
                classes=classes_for(variant.strategy, margins[variant.aggregation].predictions),
            ).indices
            default_picks.setdefault(budget, set(picked.tolist()))
            labels = label_counts([pools.source[i] for i in picked], config.round.tag_scheme)
            rows.append(
                {
                    "variant": variant.name,
                    "budget": budget,
                    "overlap": len(default_picks[budget] & set(picked.tolist())) / budget,
                    "labels": labels,
                    "languages": dict(Counter(languages[picked].tolist())),
                    "margin": float(margins["min"].uncertainty[picked].mean()),
                    "distance": float(nearest[picked, 0].mean()),
                }
            )
    return rows


def _normalised_entropy(counts: dict[str, int], n_classes: int) -> float:
    values = np.array([c for c in counts.values() if c], dtype=np.float64)
    if values.size == 0 or n_classes < 2:
        return float("nan")
    p = values / values.sum()
    return float(-(p * np.log(p)).sum() / np.log(n_classes))


def markdown(rows: list[dict], n_classes: int, title: str) -> str:
    """The table of :func:`pick_rows` as markdown."""
    from demux_lab.study.report import shares_text

    lines = [
        f"**{title}**: first-round picks from the zero-shot scores",
        "",
        "| variant | budget | same as default | label entropy | top labels | top languages "
        "| mean margin | mean distance to nearest target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['variant']} | {row['budget']} | {100 * row['overlap']:.0f} % "
            f"| {_normalised_entropy(row['labels'], n_classes):.2f} | {shares_text(row['labels'], 3)} "
            f"| {shares_text(row['languages'], 3)} | {row['margin']:.3f} | {row['distance']:.3f} |"
        )
    lines += [
        "",
        "Label entropy: of the picks' gold labels, divided by log(number of labels) "
        "(1 = perfectly balanced). Margins are the seed head's min-aggregated margins "
        "(lower = more uncertain).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from demux_core.runtime import prepare_environment

    prepare_environment()  # before torch and faiss load
    from bench.common import run_folder_parser

    parser = run_folder_parser(
        __doc__.split("\n\n")[0],
        "a frozen-head simulate --out folder",
        "markdown file to write (rows also as .json)",
    )
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)),
                        help="comma-separated picks per row (default %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    budgets = tuple(int(budget) for budget in args.budgets.split(","))
    pools, config, features, fitter = rebuild(args.run, args.cache_dir)
    variants = VARIANTS
    if config.task != "token":  # one margin per sentence: nothing to aggregate
        variants = tuple(v for v in VARIANTS if v.aggregation == "min")
    rows = pick_rows(pools, config, features, fitter, variants, budgets)
    n_classes = (
        len(config.labels)
        if config.task != "token"
        else 1 + len({label[2:] for label in config.labels if label[:2] in ("B-", "I-")})
    )
    title = f"{args.run.name} ({len(pools.source)} source, {len(pools.target)} target sentences)"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, n_classes, title), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
