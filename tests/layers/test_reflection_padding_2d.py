"""ReflectionPadding2D against NumPy's reflect padding."""

import numpy as np
import pytest
from keras import ops

import kgen


def test_matches_numpy_and_round_trips():
    x = np.arange(2 * 4 * 5 * 3, dtype="float32").reshape(2, 4, 5, 3)
    layer = kgen.layers.ReflectionPadding2D((2, 3))
    expected = np.pad(x, [(0, 0), (2, 2), (3, 3), (0, 0)], mode="reflect")
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), expected)
    assert layer.compute_output_shape((None, 4, 5, 3)) == (None, 8, 11, 3)
    clone = kgen.layers.ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == (2, 3)


def test_padding_larger_than_image():
    with pytest.raises(ValueError, match="needs images larger than 3 pixels"):
        kgen.layers.ReflectionPadding2D(3)(np.zeros((1, 3, 8, 1), "float32"))
