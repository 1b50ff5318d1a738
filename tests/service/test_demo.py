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


def test_download_error_names_the_url(tmp_path):
    with pytest.raises(OSError, match="could not download file:///nonexistent"):
        download_demo_data(DEMOS["sib200"], lambda f, n: None, dest_root=tmp_path,
                           base_url="file:///nonexistent")  # fmt: skip


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
