"""applications/watermark_removal.py end to end on tiny data."""

import importlib.util
import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture(scope="module")
def app():
    path = os.path.join(ROOT, "applications", "watermark_removal.py")
    spec = importlib.util.spec_from_file_location("watermark_removal", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_runs_end_to_end(app, tmp_path):
    output = tmp_path / "out"
    app.main(
        [
            "--quick",
            "--photos",
            "chelsea",
            "coffee",
            "--test-photos",
            "coffee",
            "--removers",
            "two_head",
            "--output",
            str(output),
        ]
    )
    report = json.loads((output / "metrics.json").read_text())
    metrics = report["metrics"]
    assert list(metrics) == ["two_head", *app.BASELINES]
    assert report["test_image_size"] == [18, 30]  # not a multiple of 4
    assert 0.0 <= metrics["two_head"]["mask_iou"] <= 1.0
    assert not metrics["two_head"]["given_true_mask"]
    # Diagnostics of the inverse-blend heads (the default composition).
    for key in ("opacity_mae_in_mask", "colour_mae_in_mask"):
        assert 0.0 <= metrics["two_head"][key] <= 1.0
    assert np.isfinite(metrics["two_head"]["psnr_in_mask_on_true_mask"])
    assert metrics["biharmonic_true_mask"]["given_true_mask"]
    # The oracle inverts the blend up to 8-bit rounding: far above identity.
    oracle, identity = metrics["oracle_inverse_blend"], metrics["identity"]
    assert oracle["psnr_in_mask"] > identity["psnr_in_mask"] + 20
    assert (
        report["goal"]["biharmonic_psnr_in_mask"]
        == (metrics["biharmonic_true_mask"]["psnr_in_mask"])
    )
    assert {"metrics.json", "watermark_removal.png"} <= set(os.listdir(output))


def test_help_describes_the_options(app, capsys):
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--quick", "--output", "--removers", "--test-size"):
        assert option in text


def test_unknown_remover_is_rejected(app):
    with pytest.raises(ValueError, match="Unknown removers"):
        app.build_removers(["slbr"])
