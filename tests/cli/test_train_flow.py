"""`kgen train realnvp|maf` with tiny settings writes every promised file."""

import json
import math

import pytest

from kgen.cli import main


@pytest.mark.parametrize(
    "model,data,picture",
    [("realnvp", "ring", "density.png"), ("maf", "digits", "samples.png")],
)
def test_train_flow_writes_model_pictures_and_metrics(
    tmp_path, model, data, picture
):
    main(
        [
            "train",
            model,
            "--output",
            str(tmp_path),
            "--data",
            data,
            "--layers",
            "1",
            "--hidden-units",
            "4",
            "--epochs",
            "1",
            "--batch-size",
            "256",
            "--train-size",
            "256",
        ]
    )
    for name in ("model.keras", picture, "metrics.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    dimensions = 64 if data == "digits" else 2
    assert metrics["test_bits_per_dim"] == pytest.approx(
        metrics["test_nll_nats"] / (dimensions * math.log(2))
    )
    if data != "digits":
        assert metrics["test_nll_nats"] > metrics["true_test_nll_nats"] - 0.2
