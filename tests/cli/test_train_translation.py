"""`kgen train cyclegan|pix2pix` with tiny settings."""

import json
import os

import keras
import pytest

from kgen.cli import main

DATA = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "data"
)


@pytest.mark.skipif(
    not os.path.exists(os.path.join(DATA, "mnist.npz")),
    reason="needs ../shared/data/mnist.npz",
)
def test_cyclegan_writes_model_pictures_and_metrics(tmp_path):
    output = str(tmp_path / "cyclegan")
    arguments = ["--epochs", "1", "--num-train", "16", "--base-filters", "2"]
    command = ["train", "cyclegan", "--output", output, "--data-dir", DATA]
    assert main(command + arguments) == 0
    assert {"model.keras", "translations.png", "metrics.json"} <= set(
        os.listdir(output)
    )
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["test_images"] == 500
    assert metrics["identity_psnr"] > 0
    model = keras.models.load_model(os.path.join(output, "model.keras"))
    assert model.pool_size == 50


def test_bad_patch_size_fails_before_training(tmp_path, capsys):
    command = ["train", "pix2pix", "--output", str(tmp_path)]
    try:  # kgen's CLI reports the error and returns 2 (or raises it)
        code = main(command + ["--patch-size", "40"])
    except ValueError as error:
        code, message = 2, str(error)
    else:
        message = capsys.readouterr().err
    assert code == 2 and "multiple of 32" in message
