import numpy as np
import pytest
from sklearn.datasets import load_digits as sklearn_digits

from kgen.datasets import load_digits


def test_split_and_scales():
    (x, y), (xt, yt) = load_digits("binary")
    assert x.shape == (1347, 64) and xt.shape == (450, 64)
    assert set(np.unique(x)) == {0.0, 1.0}
    (u, _), _ = load_digits("unit", test_size=0)
    np.testing.assert_allclose(u * 16, sklearn_digits().data)
    (images, _), _ = load_digits(flatten=False)
    assert images.shape[1:] == (8, 8, 1)


def test_unknown_scale():
    with pytest.raises(ValueError, match="scale"):
        load_digits("gray")
