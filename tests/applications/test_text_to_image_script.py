"""applications/text_to_image.py end to end on a tiny MNIST file."""

import importlib.util
import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture(scope="module")
def app():
    path = os.path.join(ROOT, "applications", "text_to_image.py")
    spec = importlib.util.spec_from_file_location("text_to_image_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_tiny_mnist(folder, rng):
    """A tiny `mnist.npz` in the upstream format: random strokes."""
    arrays = {}
    for split, count in (("train", 80), ("test", 160)):
        images = np.zeros((count, 28, 28), "uint8")
        for image in images:
            rows = rng.integers(6, 22, 40)
            image[rows, rng.integers(8, 20, 40)] = 255
        arrays[f"x_{split}"] = images
        arrays[f"y_{split}"] = (np.arange(count) % 10).astype("uint8")
    np.savez(folder / "mnist.npz", **arrays)


def test_script_runs_end_to_end(app, tmp_path, rng):
    _write_tiny_mnist(tmp_path, rng)
    output = tmp_path / "out"
    app.main(["--quick", "--data-dir", str(tmp_path), "--output", str(output)])
    report = json.loads((output / "metrics.json").read_text())
    assert report["num_train"] == 64 and report["num_test_seen"] == 32
    assert report["num_test_held_out"] == 32  # of the 32 test 2s and 7s
    methods = report["metrics"]
    assert list(methods) == [
        "kgen_gan_int_cls",
        "retrieval",
        "random_training_image",
        "real_test_images",
    ]
    for values in methods.values():
        for split in ("seen", "held_out"):
            accuracy = values[f"attribute_accuracy_{split}"]
            assert set(accuracy) == {
                "digit",
                "thickness",
                "colour",
                "scale",
                "position",
                "mean",
                "all_correct",
            }
            assert 0.0 <= accuracy["all_correct"] <= accuracy["mean"] <= 1.0
        assert 0.0 <= values["r_precision"] <= 1.0
    # The real test images are the reference set of the Fréchet distance.
    assert methods["real_test_images"]["frechet_distance"] < 1e-3
    expected = {
        "metrics.json",
        "scenes.png",
        "caption_grid.png",
        "interpolation.png",
        "text_to_image.keras",
    }
    assert expected <= set(os.listdir(output))


def test_help_describes_the_options(app, capsys):
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--quick",
        "--output",
        "--data-dir",
        "--task",
        "--gan-epochs",
    ):
        assert option in text


def test_shape_task_scenes(app):
    train, seen, held = app.load_scenes("shapes", None, 20, 10, 32, seed=0)
    assert (len(train), len(seen), len(held)) == (20, 10, 10)
    holdout = app.t2i.SHAPE_HOLDOUT
    assert not any(
        app.t2i.is_held_out(train.attribute_names(i), holdout)
        for i in range(20)
    )
    assert all(
        app.t2i.is_held_out(held.attribute_names(i), holdout) for i in range(10)
    )
    # One id per combination of the five attributes.
    ids = app.combination_ids(train)
    names = [tuple(train.attribute_names(i).values()) for i in range(20)]
    assert len(set(ids)) == len(set(names))
