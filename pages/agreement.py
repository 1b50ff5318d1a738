"""Agreement: how often two annotators of one overlap item agree, per annotator pair and
per label, and the items where they did not."""

from __future__ import annotations

import math

import streamlit as st

from service.projects import project_settings
from service.team.agreement import agreement_report
from ui.common import page


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def main() -> None:
    with page("Agreement", action="review") as store:
        if store is None:
            return
        report = agreement_report(store)
        if report.items == 0 and report.disagreements.empty:
            share = project_settings(store).overlap
            st.info(f"No item has two labels yet. With two or more accounts that may label, "
                    f"each round gives {100 * share:.0f} % of its picks to a second annotator "
                    "(the project's overlap setting); their agreement shows here.")  # fmt: skip
            return
        columns = st.columns(2)
        columns[0].metric("Items labeled by two annotators", report.items)
        columns[1].metric("Krippendorff's alpha", _number(report.alpha),
                          help="Nominal; 1 = full agreement, 0 = what chance gives.")  # fmt: skip
        st.subheader("Per annotator pair")
        st.caption("Cohen's kappa (token tasks: word by word), the range that holds it 95 % "
                   "of the time when the items are resampled (a few items measure it "
                   "loosely) and, for entities, span F1 between the two annotators.")  # fmt: skip
        st.dataframe(report.pairs, hide_index=True)
        st.subheader("Per label")
        st.caption("Classes: kappa of the label against all others; entities: span F1 on "
                   "that type.")  # fmt: skip
        st.dataframe(report.by_label, hide_index=True)
        st.subheader(f"Disagreements ({len(report.disagreements)})")
        if report.disagreements.empty:
            st.caption("None: every item labeled twice got the same label.")
        else:
            st.dataframe(report.disagreements, hide_index=True)
            st.page_link("pages/review.py", label="Decide them on the Review page",
                         icon=":material/rate_review:")  # fmt: skip


main()
