"""Image pyramids against NumPy/SciPy references; exact reconstruction."""

import numpy as np
import pytest
from keras import ops
from scipy import ndimage

import kgen

BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0])


def numpy_down(x, method):
    if method == "average":
        n, h, w, c = x.shape
        return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    for axis in (1, 2):
        x = ndimage.convolve1d(x, BINOMIAL / 16, axis=axis, mode="nearest")
    return x[:, ::2, ::2]


def numpy_up(x, method):
    if method == "average":
        return x.repeat(2, axis=1).repeat(2, axis=2)
    for axis in (1, 2):
        # Edge-pad by one, insert zeros, blur with 2x the binomial, crop.
        pad = [(0, 0)] * 4
        pad[axis] = (1, 1)
        padded = np.pad(x, pad, mode="edge")
        shape = list(padded.shape)
        shape[axis] *= 2
        zeros = np.zeros(shape)
        index = [slice(None)] * 4
        index[axis] = slice(0, None, 2)
        zeros[tuple(index)] = padded
        blurred = ndimage.convolve1d(
            zeros, BINOMIAL / 8, axis=axis, mode="constant"
        )
        index[axis] = slice(2, 2 + 2 * x.shape[axis])
        x = blurred[tuple(index)]
    return x


def images(shape=(2, 8, 12, 3)):
    return np.random.default_rng(0).uniform(size=shape).astype("float32")


@pytest.mark.parametrize("method", ["gaussian", "average"])
def test_resampling_matches_numpy(method):
    x = images()
    np.testing.assert_allclose(
        ops.convert_to_numpy(kgen.utils.pyramid_down(x, method)),
        numpy_down(x.astype("float64"), method),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(kgen.utils.pyramid_up(x, method)),
        numpy_up(x.astype("float64"), method),
        atol=1e-6,
    )


@pytest.mark.parametrize("method", ["gaussian", "average"])
def test_laplacian_pyramid_matches_numpy_and_collapses_exactly(method):
    x = images()
    pyramid = kgen.utils.build_laplacian_pyramid(x, 3, method)
    assert [tuple(p.shape) for p in pyramid] == [
        (2, 8, 12, 3),
        (2, 4, 6, 3),
        (2, 2, 3, 3),
    ]
    gaussian = [x.astype("float64")]
    for _ in range(2):
        gaussian.append(numpy_down(gaussian[-1], method))
    expected = [
        fine - numpy_up(coarse, method)
        for fine, coarse in zip(gaussian[:-1], gaussian[1:])
    ] + [gaussian[-1]]
    for received, reference in zip(pyramid, expected):
        np.testing.assert_allclose(
            ops.convert_to_numpy(received), reference, atol=1e-6
        )
    restored = kgen.utils.collapse_laplacian_pyramid(pyramid, method)
    np.testing.assert_allclose(ops.convert_to_numpy(restored), x, atol=1e-6)
    assert len(kgen.utils.build_laplacian_pyramid(x, 1)) == 1


def test_gaussian_upsampling_keeps_constants_and_ramps():
    ramp = np.broadcast_to(
        np.arange(6, dtype="float32")[None, :, None, None], (1, 6, 4, 1)
    )
    up = ops.convert_to_numpy(kgen.utils.pyramid_up(ramp))
    # Interior of a linear ramp is interpolated exactly (half steps).
    np.testing.assert_allclose(up[0, 1:-2, 0, 0], np.arange(1, 10) / 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"divisible by 4 .*10x12"):
        kgen.utils.build_laplacian_pyramid(images((1, 10, 12, 1)), 3)
    with pytest.raises(ValueError, match="method"):
        kgen.utils.pyramid_up(images(), method="bicubic")
    with pytest.raises(ValueError, match=r"\(batch, height, width, channels\)"):
        kgen.utils.pyramid_down(np.zeros((8, 8), "float32"))
    pyramid = kgen.utils.build_laplacian_pyramid(images(), 2)
    with pytest.raises(ValueError, match="finest first"):
        kgen.utils.collapse_laplacian_pyramid(pyramid[::-1])
    with pytest.raises(ValueError, match="levels"):
        kgen.utils.build_laplacian_pyramid(images(), 0)
