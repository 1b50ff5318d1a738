"""Fingerprints: a changed weight file or embedding setting is a different index generation."""

from demux_core.index.fingerprint import model_fingerprint, rows_digest


def _model(folder, weights: bytes):
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text('{"hidden_size": 8}', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def test_the_same_model_and_settings_give_the_same_fingerprint(tmp_path):
    a = _model(tmp_path / "a", b"\x01" * 5000)
    b = _model(tmp_path / "b", b"\x01" * 5000)
    assert model_fingerprint(a, {"pool": "mean"}) == model_fingerprint(b, {"pool": "mean"})


def test_changed_weights_or_settings_change_the_fingerprint(tmp_path):
    folder = _model(tmp_path / "m", b"\x01" * 5000)
    before = model_fingerprint(folder, {"pool": "mean"})
    assert model_fingerprint(folder, {"pool": "cls"}) != before
    _model(folder, b"\x01" * 4999 + b"\x02")  # one byte at the end of the weights
    assert model_fingerprint(folder, {"pool": "mean"}) != before
    assert model_fingerprint("some/hub-id", {}) != model_fingerprint("other/hub-id", {})


def test_rows_digest_sees_keys_texts_and_order():
    rows = [("1", "a b"), ("2", "c")]
    assert rows_digest(rows) == rows_digest(list(rows))
    assert rows_digest(rows) != rows_digest(rows[::-1])
    assert rows_digest(rows) != rows_digest([("1", "a"), ("2", "b c")])
