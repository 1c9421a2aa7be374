"""`kgen train deblurgan` with tiny settings."""

import json
import os

import keras
import pytest

from kgen.cli import main


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX compiles the convolutional step with its gradient penalty "
    "slowly on a CPU (about a minute); the trainer is backend-independent "
    "and runs end to end on TensorFlow and PyTorch",
)
def test_deblurgan_writes_model_pictures_and_metrics(tmp_path):
    output = str(tmp_path / "deblurgan")
    arguments = ["--epochs", "1", "--patch-size", "16", "--scale", "0.125"]
    arguments += ["--base-filters", "2", "--num-blocks", "1"]
    arguments += ["--critic-steps", "1", "--max-length", "5"]
    assert main(["train", "deblurgan", "--output", output] + arguments) == 0
    assert {"model.keras", "deblurred.png", "metrics.json"} <= set(
        os.listdir(output)
    )
    with open(os.path.join(output, "metrics.json")) as file:
        metrics = json.load(file)
    assert metrics["test_patches"] > 0 and metrics["train_patches"] > 0
    assert metrics["identity_psnr"] > 0 and metrics["deblurred_ssim"] > -1
    model = keras.models.load_model(os.path.join(output, "model.keras"))
    assert model.critic_steps == 1 and model.residual


def test_bad_patch_size_fails_before_training(tmp_path, capsys):
    command = ["train", "deblurgan", "--output", str(tmp_path)]
    assert main(command + ["--patch-size", "30"]) == 2
    assert "multiple of 4" in capsys.readouterr().err
