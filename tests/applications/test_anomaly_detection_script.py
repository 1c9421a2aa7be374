"""applications/anomaly_detection.py end to end on tiny files."""

import gzip
import importlib.util
import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture(scope="module")
def app():
    path = os.path.join(ROOT, "applications", "anomaly_detection.py")
    spec = importlib.util.spec_from_file_location("anomaly_detection", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_tiny_data(folder, rng):
    """A tiny `mnist.npz` and `shuttle.csv.gz` in the upstream formats.

    Digit 0 lights the left half of the image and every other digit the
    right half, so that anomalies are easy to tell apart.
    """
    arrays = {}
    for split, count in (("train", 60), ("test", 40)):
        labels = np.arange(count) % 3
        images = rng.integers(0, 40, size=(count, 28, 28))
        images[labels == 0, :, :14] += 200
        images[labels != 0, :, 14:] += 200
        arrays[f"x_{split}"] = images.astype("uint8")
        arrays[f"y_{split}"] = labels.astype("uint8")
    np.savez(folder / "mnist.npz", **arrays)
    anomaly = (np.arange(120) % 10 == 0).astype(int)
    features = rng.normal(size=(120, 9)) + 6.0 * anomaly[:, None]
    header = ",".join([f"f{i}" for i in range(1, 10)] + ["anomaly"])
    lines = [header] + [
        ",".join(f"{v:.0f}" for v in row) + f",{a}"
        for row, a in zip(10 * features, anomaly)
    ]
    with gzip.open(folder / "shuttle.csv.gz", "wt") as file:
        file.write("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "task, detectors",
    [
        ("mnist", ["autoencoder", "rbm"]),
        ("shuttle", ["vae", "ganomaly", "rbm"]),
    ],
)
def test_script_runs_end_to_end(app, tmp_path, rng, task, detectors):
    _write_tiny_data(tmp_path, rng)
    output = tmp_path / "out"
    app.main(
        [
            "--quick",
            "--task",
            task,
            "--data-dir",
            str(tmp_path),
            "--output",
            str(output),
            "--detectors",
            *detectors,
        ]
    )
    report = json.loads((output / "metrics.json").read_text())
    baselines = list(app.TASK_BASELINES[task])
    assert list(report["metrics"]) == detectors + baselines
    for name, values in report["metrics"].items():
        assert 0.0 <= values["roc_auc"] <= 1.0
        assert values["kgen"] == (name in detectors)
    # Separable data: the labels are oriented (1 = anomaly) and scored.
    assert report["metrics"]["isolation_forest"]["roc_auc"] > 0.9
    expected = {"metrics.json", "score_histograms.png", "roc_curves.png"}
    if task == "mnist":
        expected.add("most_least_anomalous.png")
        assert report["num_train"] == 20  # the digit-0 training images
    assert expected <= set(os.listdir(output))


def test_help_describes_the_options(app, capsys):
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--quick", "--output", "--data-dir", "--normal-class"):
        assert option in text


def test_unknown_detector_is_rejected(app):
    with pytest.raises(ValueError, match="Unknown detectors"):
        app.build_detectors("mnist", ["svdd"])


def test_shuttle_rbm_scores_bins_unless_preprocessing_is_given(app):
    rbm = app.build_detectors("shuttle", ["rbm"])["rbm"]
    assert (rbm.num_bins, rbm.preprocessing, rbm.trim) == (
        5,
        "robust_arcsinh",
        0.2,
    )
    vae = app.build_detectors("shuttle", ["vae"])["vae"]
    assert (vae.preprocessing, vae.trim) == ("standard_arcsinh", 0.2)
    rbm = app.build_detectors("shuttle", ["rbm"], preprocessing="standard")
    assert rbm["rbm"].preprocessing == "standard"
    assert app.build_detectors("mnist", ["rbm"])["rbm"].num_bins is None
