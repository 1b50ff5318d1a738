import pytest

from service.demo import DEMOS, build_demo_pools, demo_data_available
from service.demo_download import demo_files, download_demo_data


@pytest.mark.shared_data
def test_sib200_demo_pools_are_deterministic_and_ids_unique(shared_data):
    spec = DEMOS["sib200"]
    pools = build_demo_pools(spec, shared_data)
    again = build_demo_pools(spec, shared_data)
    assert [e.id for e in pools.source] == [e.id for e in again.source]
    assert len(pools.source) == 5 * 200
    assert len({e.id for e in pools.source}) == len(pools.source)
    assert {e.language for e in pools.target} == {"amh_Ethi"}
    assert len(pools.labels) == 7 and len(pools.seed) == 100


@pytest.mark.shared_data
def test_download_from_file_url_fills_cache_with_every_demo_file(shared_data, tmp_path):
    spec = DEMOS["masakhaner2"]
    seen = []
    root = download_demo_data(
        spec,
        lambda fraction, name: seen.append(fraction),
        dest_root=tmp_path,
        base_url=(shared_data / "masakhaner2").as_uri(),
    )
    assert demo_data_available(spec, root)
    assert len(seen) == len(demo_files(spec)) + 1 and seen[-1] == 1.0
    assert not list(tmp_path.rglob("*.part"))


def test_download_error_names_the_url_and_leaves_nothing_behind(tmp_path):
    root = tmp_path / "data"
    with pytest.raises(OSError, match="could not download file:///nonexistent") as error:
        download_demo_data(DEMOS["sib200"], lambda f, n: None, dest_root=root,
                           base_url="file:///nonexistent")  # fmt: skip
    assert "DEMUX_DATA" in str(error.value)  # the alternatives
    assert not root.exists()


def test_offline_download_says_no_internet_and_removes_what_it_fetched(shared_data, tmp_path,
                                                                        monkeypatch):  # fmt: skip
    """The first files arrive, then the connection drops: a plain message, and none of the
    files or folders this download made remain (a file that was there before stays)."""
    import socket
    import urllib.error
    import urllib.request

    spec = DEMOS["masakhaner2"]
    root = tmp_path / "data"
    kept = root / demo_files(spec)[-1]
    kept.parent.mkdir(parents=True)
    kept.write_text("from before")
    real, calls = urllib.request.urlopen, []

    def flaky(url, timeout):
        calls.append(url)
        if len(calls) > 2:
            raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
        return real(url, timeout=timeout)

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    with pytest.raises(OSError) as error:
        download_demo_data(spec, lambda f, n: None, dest_root=root,
                           base_url=(shared_data / "masakhaner2").as_uri())  # fmt: skip
    message = str(error.value)
    assert message.startswith("no internet connection: could not reach ")
    assert "Name or service not known" in message and "DEMUX_DATA" in message
    assert len(calls) == 3
    left = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    assert left == sorted(p.relative_to(root).as_posix() for p in [*kept.parents, kept]
                          if p != root and root in p.parents)  # fmt: skip


def test_a_mirror_in_the_environment_is_used(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMUX_DEMO_URL", shared_data.as_uri())
    root = download_demo_data(DEMOS["sib200"], lambda f, n: None, dest_root=tmp_path)
    assert demo_data_available(DEMOS["sib200"], root)


def test_source_per_language_follows_the_environment(monkeypatch):
    from service.demo import SOURCE_PER_LANGUAGE_ENV, demo_specs

    monkeypatch.delenv(SOURCE_PER_LANGUAGE_ENV, raising=False)
    assert demo_specs()["sib200"].per_source_language == 200
    monkeypatch.setenv(SOURCE_PER_LANGUAGE_ENV, "30")
    assert {spec.per_source_language for spec in demo_specs().values()} == {30}
    monkeypatch.setenv(SOURCE_PER_LANGUAGE_ENV, "many")
    with pytest.raises(ValueError, match="DEMUX_DEMO_SOURCE_PER_LANGUAGE='many'"):
        demo_specs()


def test_a_demo_project_takes_a_model_and_settings(shared_data, demux_home):
    import dataclasses

    from service.demo import DEMOS
    from service.projects import create_demo_project, open_store

    spec = dataclasses.replace(DEMOS["sib200"], per_source_language=3, seed_size=3)
    path = create_demo_project(
        spec, shared_data, "demo-full", model_spec="some/model", round_mode="full"
    )
    store = open_store(path)
    assert store.info().model_spec == "some/model"
    assert (
        store.info().settings["round_mode"] == "full"
        and store.info().settings["budget"] == spec.budget
    )
    store.close()
