"""How far per-class margin calibration (vector scaling) moves the picks of the first round.

Rebuilds a ``simulate --margin-calibration vector`` run from its ``settings.json``, fits the
calibration on the run's held-out set with its cached warm start (round 0), scores both pools
once, and reports for each budget of the run's schedule the share of the picks that the raw
and the calibrated margins have in common, for ``uncertainty`` and for ``knn-uncertainty``
(the run's k), plus the rank correlation of the two margin vectors and the held-out negative
log-likelihood before and after the fit::

    .venv/bin/python -m bench.calibration_picks \\
        docs/results/k4grid-calibrated/knn-uncertainty/sib-amh_Ethi-s0 \\
        --cache-dir runs/cache --out docs/results/levers/calibration-sib-701-amh.md

The warm start must be in ``--cache-dir`` (the run made it there) or it is trained again.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

STRATEGIES = ("uncertainty", "knn-uncertainty")


def shared_pick_rows(raw, calibrated, target, budgets, k: int) -> list[dict]:
    """One dict per (strategy, budget): the share of picks the two margin vectors share.

    Parameters
    ----------
    raw, calibrated : PoolScores -- the source pool's scores (same embeddings (n, d) float32),
        margins from the raw and from the calibrated logits
    target : PoolScores -- the target pool's scores
    budgets : sequence of int
    k : int -- knn-uncertainty's starting k
    """
    from demux_core.selection.strategies import select_with_details

    def picks(strategy: str, scores, budget: int) -> set[int]:
        return set(
            select_with_details(
                strategy,
                source_emb=scores.embeddings,
                target_emb=target.embeddings,
                uncertainty=scores.uncertainty,
                budget=budget,
                k=k,
            ).indices.tolist()
        )

    return [
        {
            "strategy": strategy,
            "budget": budget,
            "shared": len(picks(strategy, raw, budget) & picks(strategy, calibrated, budget))
            / budget,
        }
        for strategy in STRATEGIES
        for budget in budgets
    ]


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman correlation of two (n,) vectors (average ranks for ties)."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def held_out_nll(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of (m,) int ``labels`` under (m, C) ``logits``."""
    from scipy.special import log_softmax

    return float(-log_softmax(logits, axis=1)[np.arange(len(labels)), labels].mean())


def markdown(rows: list[dict], title: str, facts: dict[str, float]) -> str:
    """The rows of :func:`shared_pick_rows` and the fit's facts as markdown."""
    lines = [
        f"**{title}**: the warm start's picks from raw and from calibrated margins",
        "",
        f"Held-out NLL {facts['nll_before']:.3f} -> {facts['nll_after']:.3f} (in-sample, "
        f"{facts['rows']:.0f} rows); scales {facts['scale_min']:.2f}-{facts['scale_max']:.2f}, "
        f"biases {facts['bias_min']:+.2f} to {facts['bias_max']:+.2f}; Spearman correlation "
        f"of the source margins {facts['spearman']:.3f}.",
        "",
        "| strategy | budget | picks shared by raw and calibrated margins |",
        "|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['strategy']} | {row['budget']} | {100 * row['shared']:.0f} % |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from demux_core.runtime import prepare_environment

    prepare_environment()  # before torch and faiss load
    from bench.common import run_folder_parser, warm_start_scores, write_report
    from demux_core.scoring.calibration import fit_vector_scaling
    from demux_core.scoring.heldout import heldout_logits
    from demux_core.scoring.pool import score_pool

    description = __doc__.split("\n\n")[0]
    parser = run_folder_parser(description, "a simulate --out folder with --heldout", "markdown")
    args = parser.parse_args(argv)
    settings = json.loads((args.run / "settings.json").read_text(encoding="utf-8"))
    if not settings["sizes"].get("heldout"):
        parser.error(f"{args.run}: the run has no --heldout set to calibrate on")
    pools, config, model, tokenizer, raw, target = warm_start_scores(args.run, args.cache_dir)
    scoring = config.round.scoring
    logits, labels = heldout_logits(model, tokenizer, pools.heldout, scoring)
    scaling = fit_vector_scaling(logits, labels)
    calibrated_scoring = replace(scoring, margin_scaling=scaling)
    calibrated = score_pool(model, tokenizer, pools.source, calibrated_scoring)
    rows = shared_pick_rows(raw, calibrated, target, config.schedule, config.round.k)
    facts = {
        "rows": len(labels),
        "nll_before": held_out_nll(logits, labels),
        "nll_after": held_out_nll(scaling.apply(logits), labels),
        "scale_min": min(scaling.scales),
        "scale_max": max(scaling.scales),
        "bias_min": min(scaling.biases),
        "bias_max": max(scaling.biases),
        "spearman": rank_correlation(raw.uncertainty, calibrated.uncertainty),
    }
    title = f"{args.run.name} ({len(pools.source)} source, {len(pools.heldout)} held-out)"
    write_report(args.out, markdown(rows, title, facts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
