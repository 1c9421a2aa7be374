"""`kgen train gan|dcgan|wgan-gp|cgan` with tiny settings."""

import json
import os

import keras
import pytest

from kgen.cli import main

TINY = [
    "--epochs",
    "1",
    "--batch-size",
    "256",
    "--latent-dim",
    "4",
    "--hidden-units",
    "8",
    "--base-filters",
    "4",
    "--extractor-epochs",
    "1",
    "--num-samples",
    "40",
]


@pytest.mark.parametrize("name", ["gan", "dcgan", "wgan-gp", "cgan"])
def test_train_writes_model_pictures_and_metrics(tmp_path, name):
    output = str(tmp_path / name)
    assert main(["train", name, "--output", output, *TINY]) == 0
    assert {
        "model.keras",
        "samples.png",
        "interpolation.png",
        "metrics.json",
    } <= set(os.listdir(output))
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["frechet_distance"] > 0 and "generator_loss" in metrics
    assert ("label_accuracy" in metrics) == (name == "cgan")
    model = keras.models.load_model(os.path.join(output, "model.keras"))
    assert model.loss_name == (
        "wasserstein" if name == "wgan-gp" else "non_saturating"
    )
