import json

import pytest

from kgen.cli import main

TINY = ["--epochs", "1", "--hidden-units", "8", "--latent-dim", "2"]


@pytest.mark.parametrize(
    "command, pictures, metric",
    [
        (["autoencoder"], ["reconstructions.png", "latent.png"], "test_mse"),
        (
            [
                "autoencoder",
                "--corruption",
                "masking",
                "--architecture",
                "conv",
            ],
            ["reconstructions.png"],
            "test_mse",
        ),
        (
            ["vae", "--iwae-samples", "3", "--kl-warmup", "1"],
            ["samples.png", "traversal.png", "latent.png"],
            "test_iwae_bound",
        ),
        (
            [
                "vae",
                "--conditional",
                "--likelihood",
                "gaussian",
                "--iwae-samples",
                "3",
            ],
            ["samples.png", "traversal.png"],
            "test_negative_elbo",
        ),
    ],
)
def test_trainers_write_model_pictures_and_metrics(
    tmp_path, command, pictures, metric
):
    assert main(["train", *command, "--output", str(tmp_path), *TINY]) == 0
    for name in ["model.keras", "metrics.json", *pictures]:
        assert (tmp_path / name).exists(), name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metric in metrics and metrics[metric] == metrics[metric]  # not NaN
