"""`kgen train stylegan` writes its model, pictures and metrics."""

import argparse
import json
import os

import keras
import numpy as np
import pytest

from kgen.cli import main
from kgen.cli import train_stylegan


def test_stylegan_trainer_writes_model_pictures_and_metrics(tmp_path):
    argv = ["train", "stylegan", "--output", str(tmp_path), "--epochs", "1"]
    argv += ["--batch-size", "512", "--filters", "4", "4", "--latent-dim", "4"]
    argv += ["--mapping-layers", "1", "--num-samples", "20"]
    assert main(argv) == 0
    names = ("model.keras", "samples.png", "mixing.png", "truncation.png")
    for name in (*names, "metrics.json"):
        assert os.path.exists(tmp_path / name), name
    with open(tmp_path / "metrics.json") as file:
        metrics = json.load(file)
    assert {"frechet_distance", "precision", "generator_loss"} <= set(metrics)
    model = keras.models.load_model(tmp_path / "model.keras")
    assert model.generate(2, seed=0).shape == (2, 8, 8, 1)
    # The default output is a tanh, restored with the model.
    assert model.generator.synthesis.output_activation.__name__ == "tanh"


@pytest.mark.parametrize("activation", ["tanh", "linear"])
def test_output_activation_bounds_the_images_or_not(activation):
    parser = argparse.ArgumentParser()
    train_stylegan.add_arguments(parser)
    args = parser.parse_args(
        ["--filters", "4", "4", "--latent-dim", "4", "--mapping-layers", "1"]
        + ["--output-activation", activation]
    )
    args.seed = 0  # an option of every `kgen train` command
    generator = train_stylegan.build(args, (8, 8, 1)).generator
    # Large weights: a tanh output saturates inside [-1, 1], a linear one
    # goes far beyond it.
    for weight in generator.synthesis.rgb_convolutions[-1].trainable_weights:
        weight.assign(100 * np.ones(weight.shape))
    latents = np.random.default_rng(0).normal(size=(4, 4)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(latents))
    assert images.shape == (4, 8, 8, 1)
    assert (np.abs(images).max() <= 1) == (activation == "tanh")
