"""Server paths stay inside the configured data roots: absolute paths, '..', symlinks."""

from __future__ import annotations

import os

import pytest

from service.data_roots import (
    DATA_ROOTS_ENV,
    PathNotAllowedError,
    data_roots,
    resolve_server_path,
)
from service.projects import NewProject, PoolFile, create_project_from_files

SECRET = "root:x:0:0:secret-line\n"


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """A data root with one TSV file, and a secret file outside it."""
    root = tmp_path / "data"
    (root / "sib").mkdir(parents=True)
    (root / "sib" / "train.tsv").write_text("text\tlabel\nhello\ta\n", encoding="utf-8")
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    monkeypatch.setenv(DATA_ROOTS_ENV, str(root))
    return root, secret


def test_paths_inside_a_root_resolve_absolute_or_relative(layout, monkeypatch, tmp_path):
    root, _ = layout
    monkeypatch.chdir(tmp_path / "outside")  # the working folder plays no part
    assert resolve_server_path(str(root / "sib" / "train.tsv")) == root / "sib" / "train.tsv"
    assert resolve_server_path("sib/train.tsv") == root / "sib" / "train.tsv"
    assert resolve_server_path("sib") == root / "sib"


@pytest.mark.parametrize(
    "typed",
    ["/etc/passwd", "/etc/shadow", "sib/../../outside/shadow", "../outside/shadow", "shadow"],
)
def test_paths_outside_every_root_are_refused_without_a_word_of_the_file(layout, typed):
    with pytest.raises((PathNotAllowedError, FileNotFoundError)) as caught:
        resolve_server_path(typed)
    assert "secret-line" not in str(caught.value)
    if typed != "shadow":  # a bare name is looked up inside the roots only
        assert isinstance(caught.value, PathNotAllowedError)
        assert "outside the allowed data folders" in str(caught.value)


def test_refusal_does_not_tell_whether_an_outside_file_exists(layout, tmp_path):
    _, secret = layout
    exists = pytest.raises(PathNotAllowedError, resolve_server_path, str(secret))
    missing = pytest.raises(PathNotAllowedError, resolve_server_path, str(tmp_path / "nope"))
    assert str(exists.value).replace(str(secret), "X") == str(missing.value).replace(
        str(tmp_path / "nope"), "X"
    )


def test_symlinks_out_of_a_root_are_refused(layout):
    root, secret = layout
    (root / "link.tsv").symlink_to(secret)
    (root / "folder_link").symlink_to(secret.parent, target_is_directory=True)
    (root / "sib" / "dev.tsv").symlink_to(secret)
    for typed in ("link.tsv", str(root / "link.tsv"), "folder_link/shadow", "sib"):
        with pytest.raises(PathNotAllowedError):
            resolve_server_path(typed)


def test_default_roots_are_the_data_folder_and_the_demo_data(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ROOTS_ENV, raising=False)
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DEMUX_DATA", str(tmp_path / "demo"))
    assert data_roots() == ((tmp_path / "home" / "data").resolve(), (tmp_path / "demo").resolve())
    monkeypatch.setenv(DATA_ROOTS_ENV, os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert data_roots() == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())


def test_an_upload_error_names_the_upload_not_the_scratch_copy(demux_home, tmp_path):
    scratch = tmp_path / "demux-upload-x1y2" / "source" / "mine.tsv"
    scratch.parent.mkdir(parents=True)
    scratch.write_text("text\tlabel\nhello\ta\nbroken\n", encoding="utf-8")
    target = tmp_path / "t.tsv"
    target.write_text("text\nsalut\n", encoding="utf-8")
    new = NewProject("up", "sequence", ("a", "b"))
    files = [PoolFile("source", scratch, {"language": "eng"}, display_name="upload mine.tsv"),
             PoolFile("target", target, {"language": "fra"})]  # fmt: skip
    with pytest.raises(ValueError, match=r"^upload mine.tsv:3: ") as caught:
        create_project_from_files(new, files)
    assert "demux-upload" not in str(caught.value)
