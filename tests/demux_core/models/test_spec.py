"""Model specs: default aliases, local folders, HF ids, the cache root."""

from __future__ import annotations

from pathlib import Path

import pytest

from demux_core.errors import ModelSpecError
from demux_core.models import DEFAULT_MODEL_SPEC, demux_home, resolve_model
from demux_core.models.spec import is_default_spec


def test_default_aliases() -> None:
    assert all(is_default_spec(s) for s in (None, "default", DEFAULT_MODEL_SPEC))
    assert not is_default_spec("xlm-roberta-large")


def test_missing_local_folder_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelSpecError, match="no-such-model"):
        resolve_model(str(missing))


def test_folder_without_config_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match="config.json"):
        resolve_model(str(tmp_path))


def test_local_folder_resolves_to_path(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    assert resolve_model(str(tmp_path)) == tmp_path.resolve()


def test_hub_ids_pass_through() -> None:
    assert resolve_model("xlm-roberta-large") == "xlm-roberta-large"
    assert resolve_model("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_unknown_builtin_is_rejected() -> None:
    with pytest.raises(ModelSpecError, match="builtin:nope"):
        resolve_model("builtin:nope")


def test_demux_home_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    assert demux_home() == tmp_path
    monkeypatch.delenv("DEMUX_HOME")
    assert demux_home() == Path.home() / ".cache" / "demux-studio"


def test_default_resolves_into_demux_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[Path | None] = []
    monkeypatch.setattr(
        "demux_core.models.convert.ensure_default_model", lambda: calls.append(None) or tmp_path
    )
    assert resolve_model("default") == tmp_path
    assert calls == [None]
