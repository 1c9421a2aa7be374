"""applications/colourisation.py end to end on tiny photos."""

import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture(scope="module")
def app():
    path = os.path.join(ROOT, "applications", "colourisation.py")
    spec = importlib.util.spec_from_file_location("colourisation_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_runs_end_to_end(app, tmp_path):
    output = tmp_path / "out"
    report = app.main(
        [
            "--quick",
            "--methods",
            "rebalanced_autoencoder",
            "--output",
            str(output),
        ]
    )
    with open(output / "metrics.json") as file:
        saved = json.load(file)
    assert saved["goal"] == report["goal"]
    goal = saved["goal"]
    assert goal["best_kgen_method"] == "rebalanced_autoencoder"
    parts = goal["per_method"]["rebalanced_autoencoder"]
    assert goal["met_by"] == (["rebalanced_autoencoder"] * all(parts.values()))
    methods = {"grey", "mean_ab", "lightness_lookup", "rebalanced_autoencoder"}
    assert set(saved["metrics"]) == methods
    tested = [name for fold in saved["folds"] for name in fold["test"]]
    assert sorted(tested) == sorted(app.QUICK_PHOTOS)
    for scores in saved["metrics"].values():
        assert {"psnr", "ssim", "ab_rmse", "colourfulness_ratio"} <= set(scores)
    assert saved["metrics"]["grey"]["colourfulness"] < 0.01
    assert (output / "colourisation.png").stat().st_size > 0


def test_help_lists_every_option(app, capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    text = capsys.readouterr().out
    options = ("--methods", "--folds", "--quick", "--grid-size")
    options += ("--rebalancing", "--temperature", "--adversarial-weight")
    for option in options:
        assert option in text
