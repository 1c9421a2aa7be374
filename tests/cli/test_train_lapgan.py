"""`kgen train lapgan` writes its model, pictures and metrics."""

import json
import os

import keras

from kgen.cli import main


def test_lapgan_trainer_writes_model_pictures_and_metrics(tmp_path):
    argv = ["train", "lapgan", "--output", str(tmp_path), "--epochs", "1"]
    argv += ["--batch-size", "512", "--filters", "4", "--latent-dim", "4"]
    argv += ["--extractor-epochs", "1", "--num-samples", "20"]
    assert main(argv) == 0
    for name in ("model.keras", "samples.png", "levels.png", "metrics.json"):
        assert os.path.exists(tmp_path / name), name
    with open(tmp_path / "metrics.json") as file:
        metrics = json.load(file)
    assert {"frechet_distance", "generator_0_loss"} <= set(metrics)
    model = keras.models.load_model(tmp_path / "model.keras")
    assert model.generate(2, seed=0).shape == (2, 8, 8, 1)
