"""BIO tag checking and repair.

Policy
------
* A tag must be ``O``, ``B-<type>`` or ``I-<type>`` with a non-empty type and no whitespace.
  Anything else (``X-PER``, ``B-``, ``E-LOC``, ``PER``) is an error.
* An *orphan* ``I-<type>`` (first in the sentence, or after ``O`` or after a tag of a
  different type) is **repaired** to ``B-<type>`` by default: MasakhaNER 2.0 itself contains a
  few dozen such tags, and seqeval's default (non-strict) mode already reads them as the start
  of an entity, so repair keeps entity counts unchanged. ``tag_scheme="bio-strict"`` makes
  them an error instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from demux_core.errors import DataFormatError

TAG_SCHEMES = ("bio", "bio-strict", "any")
_BIO_TAG = re.compile(r"^(?:O|[BI]-\S+)$")


@dataclass(frozen=True)
class TagRepair:
    """One orphan tag repaired on reading: ``I-X`` at ``path:line`` became ``B-X``."""

    path: str
    line: int
    old: str
    new: str


def is_bio_tag(tag: str) -> bool:
    """Whether ``tag`` has BIO syntax (``O``, ``B-X`` or ``I-X``)."""
    return _BIO_TAG.match(tag) is not None


def check_tag_scheme(tag_scheme: str) -> None:
    """Raise ``ValueError`` for an unknown tag scheme name."""
    if tag_scheme not in TAG_SCHEMES:
        raise ValueError(f"tag_scheme must be one of {TAG_SCHEMES}, got {tag_scheme!r}")


def entity_of(tag: str) -> str | None:
    """The entity type of a BIO tag (``"B-PER"`` -> ``"PER"``); ``None`` for ``O`` and for any
    tag that is not ``B-``/``I-`` (POS tags)."""
    if len(tag) < 3 or tag[1] != "-" or tag[0] not in "BI":
        return None
    return tag[2:]


def orphan_positions(tags: Sequence[str]) -> list[int]:
    """Positions of the ``I-X`` tags that continue no entity (first, or after ``O`` or after
    another type): the one rule of BIO repair, shared by the readers and the annotation UI."""
    orphans = []
    previous: str | None = None
    for position, tag in enumerate(tags):
        entity = entity_of(tag)
        if tag.startswith("I-") and entity != previous:
            orphans.append(position)
        previous = entity
    return orphans


def repair_bio(tags: Sequence[str]) -> tuple[str, ...]:
    """``tags`` with every orphan ``I-X`` read as ``B-X`` (other tags unchanged).

    Parameters
    ----------
    tags : sequence of str, length n_tokens

    Returns
    -------
    tuple of str, length n_tokens
    """
    repaired = list(tags)
    for position in orphan_positions(tags):
        repaired[position] = "B-" + tags[position][2:]
    return tuple(repaired)


def normalise_tags(
    tags: Sequence[str],
    tag_scheme: str,
    path: Path,
    lines: Sequence[int],
    repairs: list[TagRepair] | None = None,
) -> tuple[str, ...]:
    """Check (and for ``"bio"`` repair) one sentence's tags.

    Parameters
    ----------
    tags : sequence of str, length n
        The sentence's tags.
    tag_scheme : {"bio", "bio-strict", "any"}
        ``"any"`` accepts every tag unchanged (UPOS and other tag sets).
    path : Path
        The file, for error messages.
    lines : sequence of int, length n or 1
        The 1-based line of each tag (or one line for the whole sentence, e.g. a JSONL row).
    repairs : list of TagRepair, optional
        Each repair made is appended here (so that an import can report them).

    Returns
    -------
    tuple of str, length n
        The tags, with orphan ``I-X`` turned into ``B-X`` under ``"bio"``.
    """
    if tag_scheme == "any":
        return tuple(tags)

    def line_of(position: int) -> int:
        return lines[position] if len(lines) == len(tags) else lines[0]

    for position, tag in enumerate(tags):
        if not is_bio_tag(tag):
            raise DataFormatError(
                path,
                line_of(position),
                f"tag {tag!r} is outside the BIO scheme (expected O, B-<type> or I-<type>)",
            )
    orphans = orphan_positions(tags)
    if orphans and tag_scheme == "bio-strict":
        tag = tags[orphans[0]]
        raise DataFormatError(
            path, line_of(orphans[0]), f"tag {tag!r} continues no entity (no B-{tag[2:]} before it)"
        )
    repaired = repair_bio(tags)
    if repairs is not None:
        repairs.extend(TagRepair(str(path), line_of(i), tags[i], repaired[i]) for i in orphans)
    return repaired
