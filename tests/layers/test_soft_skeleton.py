"""SoftSkeleton against the morphological skeleton computed by SciPy."""

import numpy as np
import pytest
from keras import ops
from scipy import ndimage

import kgen
from kgen import backend


def lantuejoul_skeleton(image, iterations):
    """Union over k <= iterations of E^k(X) minus the opening of E^k(X).

    Pixels outside the image count as inside for the erosion and as outside
    for the dilation, as the layer's pools ignore them.
    """
    square = np.ones((3, 3), bool)
    eroded, skeleton = image.astype(bool), np.zeros(image.shape, bool)
    for k in range(iterations + 1):
        if k:
            eroded = ndimage.binary_erosion(eroded, square, border_value=1)
        opened = ndimage.binary_dilation(
            ndimage.binary_erosion(eroded, square, border_value=1),
            square,
            border_value=0,
        )
        skeleton |= eroded & ~opened
    return skeleton


@pytest.mark.parametrize("iterations", [0, 1, 3])
def test_binary_maps_give_the_morphological_skeleton(iterations):
    rng = np.random.default_rng(0)
    images = np.zeros((3, 20, 24), "float32")
    images[0, 4:11, 2:21] = 1  # a bar 7 pixels thick
    images[1] = ndimage.binary_dilation(rng.random((20, 24)) < 0.08)
    images[2, :, 9:14] = 1  # touches the borders
    skeleton = kgen.layers.SoftSkeleton(iterations)(images[..., None])
    for image, computed in zip(images, ops.convert_to_numpy(skeleton)):
        np.testing.assert_array_equal(
            computed[..., 0], lantuejoul_skeleton(image, iterations)
        )


def test_thicker_strokes_keep_the_centre_line():
    line = np.zeros((1, 15, 15, 1), "float32")
    line[0, 7, 2:13] = 1
    thick = ndimage.grey_dilation(line, size=(1, 5, 1, 1))  # 5 rows
    layer = kgen.layers.SoftSkeleton(2)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(thick))[0, :, 4:11, 0],
        line[0, :, 4:11, 0],
    )


def test_grey_maps_channels_and_gradient():
    rng = np.random.default_rng(1)
    maps = ndimage.uniform_filter(rng.random((2, 12, 12, 2)), (0, 3, 3, 0))
    maps = maps.astype("float32")
    layer = kgen.layers.SoftSkeleton(2)
    skeleton = ops.convert_to_numpy(layer(maps))
    for c in range(2):  # channels are independent
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer(maps[..., c : c + 1]))[..., 0],
            skeleton[..., c],
            rtol=1e-6,
        )
    assert np.all(skeleton >= 0) and np.all(skeleton <= maps + 1e-6)
    gradient = ops.convert_to_numpy(
        backend.input_gradients(layer, ops.convert_to_tensor(maps))
    )
    h, total = 1e-3, lambda x: float(np.sum(ops.convert_to_numpy(layer(x))))
    for index in [(0, 3, 4, 0), (0, 6, 6, 1), (1, 0, 0, 0), (1, 9, 2, 1)]:
        step = np.zeros_like(maps)
        step[index] = h
        numeric = (total(maps + step) - total(maps - step)) / (2 * h)
        np.testing.assert_allclose(gradient[index], numeric, atol=2e-2)
    assert np.count_nonzero(gradient) > gradient.size // 10


def test_config_round_trip_and_errors():
    layer = kgen.layers.SoftSkeleton(4, name="skeleton")
    clone = kgen.layers.SoftSkeleton.from_config(layer.get_config())
    assert clone.iterations == 4 and clone.name == "skeleton"
    assert layer.compute_output_shape((None, 8, 8, 1)) == (None, 8, 8, 1)
    with pytest.raises(ValueError, match="iterations"):
        kgen.layers.SoftSkeleton(-1)
    with pytest.raises(ValueError, match="Received input shape"):
        kgen.layers.SoftSkeleton()(np.zeros((2, 8, 8), "float32"))
