"""How much of the source pool knn-uncertainty's candidate union covers, per starting k.

knn-uncertainty picks the lowest margins inside the union of every target sentence's k
nearest source sentences (k doubles while that union holds no more than the budget). When
the union covers most of the source pool, the picks are those of plain ``uncertainty`` and
the distances (which layer, which encoder) hardly matter. This rebuilds a fine-tune
``simulate`` run from its ``settings.json``, scores both pools once with its cached warm
start (round 0 of every run), and reports for each starting k: the final k, the union's size
and share of the source pool, and the share of knn-uncertainty's picks that ``uncertainty``
also picks, at each budget of the run's schedule::

    .venv/bin/python -m bench.knn_union_coverage docs/results/disjoint/knn-k4-apphead/sib-amh_Ethi-s0 \\
        --cache-dir runs/cache --out docs/results/levers/union-sib-disjoint-amh.md

The warm start must be in ``--cache-dir`` (the run made it there) or it is trained again.
"""

from __future__ import annotations

import numpy as np

STARTING_KS = (1, 2, 4, 8, 16)


def coverage_rows(source, target, budgets, ks=STARTING_KS) -> list[dict]:
    """One dict per (starting k, budget): final k, union size and share, overlap with uncertainty.

    Parameters
    ----------
    source, target : PoolScores -- the warm start's scores (embeddings (n, d) / (m, d) float32)
    budgets : sequence of int -- picks per row
    ks : sequence of int -- starting k of knn-uncertainty
    """
    from demux_core.selection.inputs import SelectionInputs
    from demux_core.selection.knn_union import knn_union
    from demux_core.selection.strategies import select_with_details

    n = len(source.uncertainty)

    def picks(strategy: str, budget: int, k: int = 1) -> set[int]:
        return set(
            select_with_details(
                strategy,
                source_emb=source.embeddings,
                target_emb=target.embeddings,
                uncertainty=source.uncertainty,
                budget=budget,
                k=k,
            ).indices.tolist()
        )

    rows = []
    for budget in budgets:
        plain = picks("uncertainty", budget)
        for k in ks:
            inputs = SelectionInputs(
                source_emb=np.ascontiguousarray(source.embeddings, dtype=np.float32),
                target_emb=np.ascontiguousarray(target.embeddings, dtype=np.float32),
                uncertainty=np.asarray(source.uncertainty, dtype=np.float64),
                budget=budget,
                selectable=np.ones(n, dtype=bool),
                languages=None,
                k=k,
                seed=0,
            )
            union, k_used = knn_union(inputs)
            picked = picks("knn-uncertainty", budget, k)
            rows.append(
                {
                    "budget": budget,
                    "k": k,
                    "k_used": k_used,
                    "union": int(union.sum()),
                    "union_share": float(union.sum() / n),
                    "same_as_uncertainty": len(picked & plain) / budget,
                }
            )
    return rows


def markdown(rows: list[dict], title: str) -> str:
    """The rows of :func:`coverage_rows` as a markdown table."""
    lines = [
        f"**{title}**: knn-uncertainty's candidates from the warm start's scores",
        "",
        "| budget | starting k | final k | union (source sentences) | share of the source pool "
        "| picks shared with `uncertainty` |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['budget']} | {row['k']} | {row['k_used']} | {row['union']} "
            f"| {100 * row['union_share']:.0f} % | {100 * row['same_as_uncertainty']:.0f} % |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from demux_core.runtime import prepare_environment

    prepare_environment()  # before torch and faiss load
    from bench.common import run_folder_parser, warm_start_scores, write_report

    description = __doc__.split("\n\n")[0]
    parser = run_folder_parser(description, "a fine-tune simulate --out folder", "markdown file")
    args = parser.parse_args(argv)
    pools, config, _, _, source, target = warm_start_scores(args.run, args.cache_dir)
    rows = coverage_rows(source, target, config.schedule)
    title = f"{args.run.name} ({len(pools.source)} source, {len(pools.target)} target sentences)"
    write_report(args.out, markdown(rows, title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
