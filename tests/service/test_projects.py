import importlib.util

import pytest

from service.projects import ProjectSettings


def test_settings_round_trip_through_the_stored_dict():
    settings = ProjectSettings(strategy="random", budget=7, k=3, engine="local")
    stored = settings.to_dict()
    assert ProjectSettings.from_dict({**stored, "unknown": 1}) == settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"strategy": "smartest"}, "strategy 'smartest' is not one of"),
        ({"budget": 0}, "budget must be >= 1"),
        ({"k": 0}, "k must be >= 1"),
        ({"engine": "spark"}, "engine 'spark' is not one of local, ray"),
    ],
)
def test_bad_settings_are_named(values, message):
    with pytest.raises(ValueError, match=message):
        ProjectSettings(**values)


def test_ray_engine_without_the_extra_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "ray" else real(name)
    )
    with pytest.raises(ValueError, match="pip install -r requirements-scale.txt"):
        ProjectSettings(engine="ray")


def test_app_and_cli_start_knn_uncertainty_at_the_same_k():
    from demux_core.cli import build_parser
    from demux_core.config import DEFAULT_K
    from demux_core.rounds import RoundConfig
    from service.demo import demo_specs

    required = ["--task", "sequence", "--source", "s.tsv", "--target-pool", "t.tsv", "--out", "x"]
    args = build_parser().parse_args(["simulate", *required])
    assert ProjectSettings().k == RoundConfig().k == args.k == DEFAULT_K == 1
    assert {spec.k for spec in demo_specs().values()} == {DEFAULT_K}


def test_the_app_offers_every_registered_strategy():
    from demux_core.strategies import STRATEGIES
    from service.projects import STRATEGY_NAMES

    assert sorted(STRATEGY_NAMES) == sorted(STRATEGIES)
