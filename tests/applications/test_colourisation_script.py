"""applications/colourisation.py end to end on tiny photos."""

import importlib.util
import json
import os

import numpy as np
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


@pytest.mark.parametrize(
    "ensemble, rule", [("1", "goal"), ("2", "colourfulness")]
)
def test_saturation_chosen_by_inner_cross_validation(
    app, tmp_path, ensemble, rule
):
    output = tmp_path / "out"
    saturations = [0.5, 1.0, 1.5, 2.0]
    options = ["--quick", "--methods", "regression", "--saturation-cv", "9"]
    options += ["--ensemble", ensemble, "--saturation-rule", rule]
    options += ["--saturations", *map(str, saturations)]
    report = app.main(options + ["--output", str(output)])
    goal_keys = set(report["goal"]["per_method"]["regression"])
    for fold, split in zip(report["per_fold"], report["folds"]):
        run = fold["saturation_cv"]["regression"]
        # K = 9 is above the 2 training scenes: one inner fold per scene;
        # the inner folds hold out every training photo once, no test one.
        held_out = [name for names in run["inner_folds"] for name in names]
        assert sorted(held_out) == sorted(split["train"])
        assert len(run["inner_folds"]) == len(split["train"])
        checks = run["checks"]
        assert [c["saturation"] for c in checks] == saturations
        baselines = run["baselines"]
        assert set(baselines) == {"grey", "mean_ab", "lightness_lookup"}
        assert baselines["grey"]["colourfulness_ratio"] < 1e-3
        for check in checks:
            parts = (
                all(
                    check["ab_rmse"] < b["ab_rmse"] for b in baselines.values()
                ),
                abs(check["colourfulness_ratio"] - 1.0) <= 0.2,
                check["psnr"] >= baselines["grey"]["psnr"],
            )
            assert len(parts) == len(goal_keys)
            assert check["meets_goal"] == all(parts)
        # A grey-ish model is more colourful at a larger factor.
        ratios = [c["colourfulness_ratio"] for c in checks]
        assert ratios == sorted(ratios)
        met = [c["saturation"] for c in checks if c["meets_goal"]]
        in_band = [c for c in checks if 0.8 <= c["colourfulness_ratio"] <= 1.2]
        fallback = min(in_band or checks, key=lambda c: c["ab_rmse"])
        expected = (min(met) + max(met)) / 2 if met else fallback["saturation"]
        if rule == "colourfulness":
            closest = min(ratios, key=lambda ratio: abs(ratio - 1.0))
            expected = saturations[ratios.index(closest)]
        assert run["chosen_saturation"] == pytest.approx(expected)
        assert fold["validation_checks"] == {}


@pytest.mark.parametrize(
    "checks, expected",
    [
        # Goal met at 1.1, 1.2, 1.3: the middle of that range.
        ([(1.0, 0.7, 0), (1.1, 0.8, 1), (1.2, 0.9, 1), (1.3, 1.0, 1)], 1.2),
        # Goal met at 1.1 and 1.2 only: between them, off the grid.
        ([(1.0, 0.7, 0), (1.1, 0.8, 1), (1.2, 0.9, 1), (1.3, 1.0, 0)], 1.15),
        # Goal met nowhere: the lowest RMSE within the band (1.2, not 1.0).
        ([(1.0, 0.7, 0), (1.2, 0.85, 0), (1.4, 0.95, 0)], 1.2),
        # Nothing in the band either: the lowest RMSE.
        ([(1.0, 0.5, 0), (1.2, 0.6, 0)], 1.0),
    ],
)
def test_choose_saturation(app, checks, expected):
    rows = [
        {
            "saturation": s,
            "colourfulness_ratio": ratio,
            "ab_rmse": 10.0 + s,
            "meets_goal": bool(met),
        }
        for s, ratio, met in checks
    ]
    assert app.choose_saturation(rows) == pytest.approx(expected)
    # The colourfulness rule: the ratio closest to 1, whatever the goal.
    closest = min(checks, key=lambda c: abs(c[1] - 1.0))[0]
    assert app.choose_saturation(rows, "colourfulness") == closest


def test_averaged_colouriser_averages_ab(app):
    from kgen.applications import colourisation

    models = []
    for seed in (1, 2):
        model = colourisation.Colouriser(
            "regression", base_filters=2, num_downsampling=1, seed=seed
        )
        model.saturation = 3.0  # The average's, not the members'.
        models.append(model)
    average = app.AveragedColouriser(models)
    assert average.saturation == 3.0
    average.saturation = 1.5
    grey = np.random.default_rng(0).uniform(size=(1, 6, 8))
    lightness = 100.0 * grey[..., None] ** 0.5  # Any L in [0, 100].
    normalized = lightness / 50.0 - 1.0
    ab = [model.predict_ab(normalized) for model in models]
    assert models[0].saturation == models[1].saturation == 1.0
    assert not np.allclose(ab[0], ab[1])
    np.testing.assert_allclose(
        average.predict_ab(normalized), 1.5 * (ab[0] + ab[1]) / 2, rtol=1e-6
    )
    coloured = average.colourise(grey)
    lab = colourisation.rgb_to_lab(np.repeat(grey[..., None], 3, axis=-1))
    lab[..., 1:] = (
        110.0
        * 1.5
        * (
            models[0].predict_ab(lab[..., :1] / 50.0 - 1.0)
            + models[1].predict_ab(lab[..., :1] / 50.0 - 1.0)
        )
        / 2
    )
    np.testing.assert_allclose(
        coloured, colourisation.lab_to_rgb(lab), atol=1e-5
    )


def test_saturation_choosers_exclude_each_other(app, capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--saturation-cv", "3", "--validation-folds", "4"])
    assert "give one of them" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        app.parse_args(["--saturation-cv", "1"])
    assert "K >= 2" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        app.parse_args(["--ensemble", "2", "--validation-folds", "4"])
    assert "--ensemble" in capsys.readouterr().err


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
    options += ("--saturation-cv", "--saturation-rule", "--ensemble")
    for option in options:
        assert option in text
