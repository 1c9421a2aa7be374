"""The `kgen` command: arguments checked before training, one-line errors,
help texts, `--version`, and the Boltzmann trainers."""

import argparse
import json

import keras
import pytest

from kgen.cli import TRAINERS
from kgen.cli import build_parser
from kgen.cli import main
from kgen.version import __version__


def _subcommands():
    parser = build_parser()
    train = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ).choices["train"]
    models = next(
        a for a in train._actions if isinstance(a, argparse._SubParsersAction)
    )
    return models


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"kgen {__version__}"


@pytest.mark.parametrize("name", sorted(TRAINERS))
@pytest.mark.parametrize(
    "option, value",
    [("--epochs", "0"), ("--batch-size", "-1"), ("--seed", "x")],
)
def test_bad_numbers_are_refused_before_training(
    name, option, value, tmp_path, capsys
):
    output = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["train", name, option, value, "--output", str(output)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert option in error and repr(value) in error
    assert not output.exists()  # nothing was written


def test_output_that_is_a_file_is_refused_before_training(tmp_path, capsys):
    path = tmp_path / "file"
    path.write_text("keep me")
    assert main(["train", "rbm", "--output", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "is a file, not a folder" in error and str(path) in error
    assert path.read_text() == "keep me"


def test_every_option_has_help_and_shows_its_default():
    models = _subcommands()
    for name, parser in models.choices.items():
        text = parser.format_help()
        for action in parser._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, (name, action.option_strings)
                if action.default not in (None, False):
                    assert "(default:" in text, name


def test_subcommands_have_distinct_help_texts():
    models = _subcommands()
    helps = [choice.help for choice in models._choices_actions]
    assert len(set(helps)) == len(helps), helps


@pytest.mark.parametrize(
    "name, metric",
    [
        ("bm", "test_log_likelihood"),
        ("dbn", "test_accuracy"),
        ("dbm", "test_log_likelihood"),
    ],
)
def test_boltzmann_trainers_write_model_samples_and_metrics(
    name, metric, tmp_path, capsys
):
    hidden = {"bm": ["2"], "dbn": ["4", "3"], "dbm": ["3", "2"]}[name]
    argv = ["train", name, "--output", str(tmp_path), "--epochs", "1"]
    argv += ["--batch-size", "256", "--burn-in", "2", "--hidden-units"]
    assert main(argv + hidden) == 0
    assert str(tmp_path) in capsys.readouterr().out.splitlines()[-1]
    for file in ("model.keras", "samples.png", "metrics.json"):
        assert (tmp_path / file).stat().st_size > 0, file
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics[metric] == metrics[metric]  # not NaN
    if "test_log_likelihood" in metrics:
        assert metrics["test_log_likelihood"] < 0
    model = keras.models.load_model(tmp_path / "model.keras")
    assert type(model).__name__ in ("BoltzmannMachine", "DBN", "DBM")


def test_model_errors_end_in_one_line(tmp_path, capsys):
    argv = ["train", "bm", "--hidden-units", "2", "3"]
    assert main(argv + ["--output", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("kgen: error:") and len(error.splitlines()) == 1
    assert "--hidden-units" in error
