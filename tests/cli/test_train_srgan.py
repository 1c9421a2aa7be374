"""`kgen train srgan` with tiny settings."""

import json
import os

import keras

from kgen.cli import main


def test_srgan_writes_model_pictures_and_metrics(tmp_path):
    output = str(tmp_path / "srgan")
    arguments = [
        "--epochs=1",
        "--pretrain-epochs=0",
        "--photo-scale=0.125",
        "--scale=2",
        "--patch-size=16",
        "--filters=2",
        "--num-blocks=0",
        "--batch-size=64",
    ]
    assert main(["train", "srgan", "--output", output] + arguments) == 0
    assert {"model.keras", "upscaled.png", "metrics.json"} <= set(
        os.listdir(output)
    )
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["model"] == "srgan" and metrics["test_pairs"] > 0
    assert metrics["bicubic_psnr"] > 15
    model = keras.models.load_model(os.path.join(output, "model.keras"))
    assert model.scale == 2 and model.adversarial_weight == 1e-3


def test_bad_patch_size_fails_before_training(tmp_path, capsys):
    command = ["train", "srgan", "--output", str(tmp_path)]
    assert main(command + ["--patch-size", "40"]) == 2
    assert "multiple of 8 x --scale = 32" in capsys.readouterr().err
