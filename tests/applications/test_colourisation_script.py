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
            "--validation-folds",
            "2",
            "--check-every",
            "1",
            "--saturations",
            "1.0",
            "1.5",
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
    for fold, split in zip(saved["per_fold"], saved["folds"]):
        # Validation photos come from the training photos, never the test.
        assert set(fold["validation_photos"]) <= set(split["train"])
        assert len(fold["validation_photos"]) < len(split["train"])
        run = fold["validation_checks"]["rebalanced_autoencoder"]
        checks = run["checks"]
        # Every step is checked at each saturation, in order.
        steps = range(1, len(checks) // 2 + 1)
        expected = [(step, s) for step in steps for s in (1.0, 1.5)]
        assert [(c["step"], c["saturation"]) for c in checks] == expected
        in_band = [c for c in checks if 0.8 <= c["colourfulness_ratio"] <= 1.2]
        best = min(in_band or checks, key=lambda c: c["ab_rmse"])
        assert run["chosen_step"] == best["step"]
        assert run["chosen_saturation"] == best["saturation"]
    assert (output / "colourisation.png").stat().st_size > 0


def test_several_saturations_need_validation_photos(app, capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--saturations", "1.0", "1.2"])
    assert "--validation-folds" in capsys.readouterr().err


def test_help_lists_every_option(app, capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    text = capsys.readouterr().out
    options = ("--methods", "--folds", "--quick", "--grid-size")
    options += ("--rebalancing", "--temperature", "--adversarial-weight")
    options += ("--validation-folds", "--check-every", "--saturations")
    for option in options:
        assert option in text
