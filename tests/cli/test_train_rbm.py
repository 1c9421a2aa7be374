"""`kgen train rbm` with tiny settings writes every promised file."""

import json

import keras

from kgen.cli import main


def test_train_rbm_writes_model_pictures_and_metrics(tmp_path):
    main(
        [
            "train",
            "rbm",
            "--output",
            str(tmp_path),
            "--hidden",
            "4",
            "--epochs",
            "1",
            "--batch-size",
            "128",
            "--burn-in",
            "5",
        ]
    )
    for name in (
        "model.keras",
        "samples.png",
        "filters.png",
        "completions.png",
        "metrics.json",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["log_z_method"] == "exact"
    assert (
        -64 * 0.7 < metrics["test_log_likelihood"] < 0
    )  # above uniform pixels
    assert {
        "reconstruction_error",
        "pseudo_log_likelihood",
        "free_energy_gap",
    } <= set(metrics)
    model = keras.models.load_model(tmp_path / "model.keras")
    assert model.layer.num_hidden == 4
