import pytest

from demux_core.data.examples import SequenceExample
from demux_core.data.readers import write_csv
from demux_core.recipes import default_k, task_recipe
from demux_lab.cli import build_parser
from demux_lab.simulation.args import config_from_args, labels_from_args, pools_from_args


def _topic_file(folder, lang, labels, split="train"):
    path = folder / lang / f"{split}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        SequenceExample(f"{i}", lang, f"{lang} sentence {i}", label=label)
        for i, label in enumerate(labels)
    ]
    write_csv(rows, path)
    return path


@pytest.fixture
def files(tmp_path):
    return {
        "source": _topic_file(tmp_path, "hau", ["sport", "place"] * 3),
        "target": _topic_file(tmp_path, "wol", ["place"] * 4, "dev"),
        "test": _topic_file(tmp_path, "wol", ["science", "place"], "test"),
        "seed": _topic_file(tmp_path, "eng", ["sport", "health"]),
    }


def _args(files, tmp_path, *extra):
    argv = [
        "simulate",
        "--task",
        "sequence",
        "--source",
        str(files["source"]),
        "--target-pool",
        str(files["target"]),
        "--target-test",
        str(files["test"]),
        "--seed-set",
        str(files["seed"]),
        "--out",
        str(tmp_path / "out"),
        *extra,
    ]
    return build_parser().parse_args(argv)


def test_labels_come_from_source_test_and_seed_gold_sorted(files, tmp_path):
    args = _args(files, tmp_path)
    pools = pools_from_args(args)
    assert labels_from_args(args, pools) == ("health", "place", "science", "sport")


def test_labels_flag_wins_over_the_data(files, tmp_path):
    args = _args(files, tmp_path, "--labels", " sport, place ,")
    assert labels_from_args(args, pools_from_args(args)) == ("sport", "place")


def test_pool_flags_reach_the_pools(files, tmp_path):
    args = _args(files, tmp_path, "--source-per-language", "4", "--seed-size", "1")
    pools = pools_from_args(args)
    assert (len(pools.source), len(pools.target), len(pools.test), len(pools.seed)) == (4, 4, 2, 1)


def test_config_defaults_follow_the_task_and_the_shared_defaults(files, tmp_path):
    args = _args(files, tmp_path)
    config = config_from_args(args, ("place", "sport"))
    assert config.round.k == default_k("sequence")
    assert config.round.training.learning_rate == task_recipe("sequence").round_learning_rate
    assert config.warm_start.training.seed == 0
    assert config.warm_start.training.keep_best is False


def test_token_defaults_are_the_recipe_of_the_ner_grids(files, tmp_path):
    args = _args(files, tmp_path)
    args.task = "token"
    config = config_from_args(args, ("B-PER", "O"))
    training, warm = config.round.training, config.warm_start.training
    assert (training.learning_rate, training.head_learning_rate, training.min_steps) == (
        1e-4,
        5e-3,
        10,
    )
    assert (warm.learning_rate, warm.epochs, warm.head_learning_rate) == (1e-4, 4, 5e-3)


def test_sentence_tasks_train_the_head_at_5e_3_unless_told_body(files, tmp_path):
    config = config_from_args(_args(files, tmp_path), ("place", "sport"))
    for training in (config.round.training, config.warm_start.training):
        assert (training.head_learning_rate, training.min_steps) == (5e-3, 10)
    body = _args(files, tmp_path, "--head-lr", "body", "--min-steps", "0")
    config = config_from_args(body, ("place", "sport"))
    for training in (config.round.training, config.warm_start.training):
        assert (training.head_learning_rate, training.min_steps) == (None, 0)


def test_warm_start_head_rate_can_differ_from_the_rounds(files, tmp_path):
    args = _args(files, tmp_path, "--head-lr", "body", "--warm-head-lr", "5e-3")
    config = config_from_args(args, ("place", "sport"))
    assert config.round.training.head_learning_rate is None
    assert config.warm_start.training.head_learning_rate == 5e-3
    config = config_from_args(_args(files, tmp_path, "--head-lr", "1e-3"), ("place", "sport"))
    assert config.warm_start.training.head_learning_rate == 1e-3  # follows --head-lr


def test_head_rate_is_a_number_or_body(files, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _args(files, tmp_path, "--head-lr", "fast")
    assert "--head-lr: expected a learning rate or 'body', got 'fast'" in capsys.readouterr().err


def test_explicit_head_rate_and_steps_win_over_the_recipe(files, tmp_path):
    args = _args(files, tmp_path, "--head-lr", "1e-3", "--min-steps", "0", "--warm-epochs", "2")
    args.task = "token"
    config = config_from_args(args, ("B-PER", "O"))
    assert config.round.training.head_learning_rate == 1e-3
    assert config.round.training.min_steps == 0
    assert config.warm_start.training.epochs == 2


def test_config_maps_round_and_warm_start_flags_separately(files, tmp_path):
    args = _args(
        files,
        tmp_path,
        *("--k", "4", "--lr", "1e-4", "--epochs", "2", "--warm-epochs", "5", "--warm-lr", "3e-5"),
        *("--budgets", "10,50", "--strategies", "random,egalitarian", "--seeds", "3"),
    )
    config = config_from_args(args, ("place", "sport"))
    assert config.round.k == 4
    assert (config.round.training.epochs, config.round.training.learning_rate) == (2, 1e-4)
    assert (config.warm_start.training.epochs, config.warm_start.training.learning_rate) == (
        5,
        3e-5,
    )
    assert config.budgets == (10, 50)
    assert config.strategies == ("random", "egalitarian")
    assert config.seeds == (3,)


def test_help_states_the_recipe_defaults_from_the_table():
    from demux_core.recipes import recipe_defaults_text

    assert recipe_defaults_text("head_learning_rate") == "0.005 for every task"
    assert recipe_defaults_text("min_steps") == "10 for every task"
    rates = recipe_defaults_text("round_learning_rate")
    assert rates == "5e-06 for sequence, pair; 0.0001 for token; 2e-05 for qa"
    assert recipe_defaults_text("k") == "4 for every task"
    simulate = build_parser()._subparsers._group_actions[0].choices["simulate"]
    helps = {a.dest: a.help for a in simulate._actions}
    assert "0.0001 for token" in helps["lr"] and helps["k"].endswith("(default 4 for every task)")


def test_warm_start_weight_reaches_the_rounds_but_not_the_warm_start(files, tmp_path):
    config = config_from_args(_args(files, tmp_path, "--warm-start-weight", "0.3"), ("a", "b"))
    assert config.round.training.warm_start_weight == 0.3
    assert config.warm_start.training.warm_start_weight == 0.0
    off = config_from_args(_args(files, tmp_path, "--warm-start-weight", "0"), ("a", "b"))
    assert off.round.training.warm_start_weight == 0.0


def test_warm_start_weight_defaults_to_the_task_recipe(files, tmp_path):
    default = config_from_args(_args(files, tmp_path), ("a", "b"))
    assert default.round.training.warm_start_weight == task_recipe("sequence").warm_start_weight
    assert task_recipe("sequence").warm_start_weight == 0.5
    assert task_recipe("token").warm_start_weight == 0.0  # not measured on token tasks
    frozen = config_from_args(_args(files, tmp_path, "--recipe", "frozen-head"), ("a", "b"))
    assert frozen.round.training.warm_start_weight == 0.0  # nothing is fine-tuned there
    # no trained warm start (its head would be untrained): nothing to average with
    untuned = config_from_args(_args(files, tmp_path, "--no-warm-start"), ("a", "b"))
    assert untuned.round.training.warm_start_weight == 0.0


def test_warm_start_weight_outside_zero_one_is_refused(files, tmp_path):
    with pytest.raises(ValueError, match="warm_start_weight must be in \\[0, 1\\), got 1.0"):
        config_from_args(_args(files, tmp_path, "--warm-start-weight", "1"), ("a", "b"))
    args = _args(files, tmp_path, "--warm-start-weight", "0.5", "--recipe", "frozen-head")
    with pytest.raises(ValueError, match="warm_start_weight > 0 needs the fine-tune recipe"):
        config_from_args(args, ("a", "b"))


def test_margin_calibration_reaches_the_rounds_and_needs_the_fine_tune_recipe(files, tmp_path):
    assert config_from_args(_args(files, tmp_path), ("a", "b")).round.margin_calibration == "none"
    args = _args(files, tmp_path, "--margin-calibration", "vector")
    assert config_from_args(args, ("a", "b")).round.margin_calibration == "vector"
    frozen = _args(files, tmp_path, "--margin-calibration", "vector", "--recipe", "frozen-head")
    with pytest.raises(ValueError, match="margin_calibration='vector' needs the fine-tune"):
        config_from_args(frozen, ("a", "b"))
