"""Per-image region means against NumPy."""

import numpy as np
from keras import ops

from kgen.applications import watermark


def test_region_and_image_means_match_numpy():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 4, 5, 2)).astype("float32")
    region = (rng.random((3, 4, 5, 1)) < 0.4).astype("float32")
    region[2] = 0.0
    broadcast = np.broadcast_to(region, values.shape).reshape(3, -1)
    flat = values.reshape(3, -1)
    expected = (flat * broadcast).sum(1) / np.maximum(broadcast.sum(1), 1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(watermark.region_mean(values, region)),
        expected,
        rtol=1e-5,
        atol=1e-6,
    )
    assert expected[2] == 0.0
    np.testing.assert_allclose(
        ops.convert_to_numpy(watermark.image_mean(values)),
        flat.mean(1),
        rtol=1e-5,
        atol=1e-6,
    )
