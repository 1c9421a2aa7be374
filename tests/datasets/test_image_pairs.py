"""Image-pair tasks: shapes, ranges, the split by source and the known answer."""

import os

import numpy as np
import pytest

import kgen

DATA = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "data"
)


def test_edges_to_photos_split_by_source_photo():
    (e_train, p_train), (e_test, p_test) = kgen.datasets.edges_to_photos(
        patch_size=32,
        scale=0.25,
        names=["chelsea", "coffee"],
        test_photos=["coffee"],
    )
    # coffee is 400 x 600 -> 100 x 150 -> 3 x 4 patches of 32.
    assert e_test.shape == (12, 32, 32, 1) and p_test.shape == (12, 32, 32, 3)
    assert e_train.shape[0] == p_train.shape[0] == 2 * 3  # chelsea 75 x 113
    for images in (e_train, p_train, e_test, p_test):
        assert images.dtype == np.float32
        assert images.min() >= -1 and images.max() <= 1
    assert set(np.unique(e_train)) == {-1.0, 1.0}
    with pytest.raises(ValueError, match="are not among the photos used"):
        kgen.datasets.edges_to_photos(names=["chelsea"], test_photos=["coffee"])


@pytest.mark.skipif(
    not os.path.exists(os.path.join(DATA, "mnist.npz")),
    reason="needs ../shared/data/mnist.npz",
)
def test_thin_to_thick_digits_are_dilations():
    from scipy import ndimage

    (a, b), (test_a, test_b) = kgen.datasets.thin_to_thick_digits(
        DATA, num_train=20, num_test=5, radius=1
    )
    assert a.shape == b.shape == (20, 28, 28, 1)
    # The known answer: a grey-level dilation with the radius-1 disc (cross).
    cross = ndimage.generate_binary_structure(2, 1)
    expected = ndimage.grey_dilation(test_a[..., 0], footprint=cross[None])
    np.testing.assert_allclose(test_b[..., 0], expected, atol=1e-6)
    # Unpaired training domains: no thick image is the dilation of a thin one.
    dilated = ndimage.grey_dilation(a[..., 0], footprint=cross[None])
    assert not any(np.allclose(d, t) for d in dilated for t in b[..., 0])
