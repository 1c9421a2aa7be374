"""`kgen train nade|made|pixelcnn` on the digits."""

import json

import keras
import pytest

from kgen.cli import main


@pytest.mark.parametrize(
    "model, options",
    [
        ("nade", ["--hidden-units", "8"]),
        ("made", ["--hidden-units", "16", "--num-masks", "2"]),
        ("pixelcnn", ["--hidden-units", "4", "--num-layers", "1"]),
    ],
)
def test_trainer_writes_model_pictures_and_metrics(tmp_path, model, options):
    output = tmp_path / model
    main(["train", model, "--output", str(output), "--epochs", "1", *options])
    metrics = json.loads((output / "metrics.json").read_text())
    assert -128 < metrics["test_log_likelihood"] < 0
    for name in ("samples.png", "completions.png"):
        assert (output / name).stat().st_size > 0
    loaded = keras.models.load_model(output / "model.keras")
    assert loaded.num_variables == 64
