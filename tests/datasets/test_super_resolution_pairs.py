"""super_resolution_pairs: shapes, the split by photo, aligned pairs."""

import numpy as np
import pytest

import kgen


def block_means(images, scale):
    n, h, w, c = images.shape
    blocks = images.reshape(n, h // scale, scale, w // scale, scale, c)
    return blocks.mean(axis=(2, 4))


def test_pairs_are_aligned_downscalings_split_by_photo():
    (low, high), (low_test, high_test) = kgen.datasets.super_resolution_pairs(
        scale=4,
        patch_size=32,
        photo_scale=0.25,
        names=["chelsea", "coffee"],
        test_photos=["coffee"],
    )
    # coffee 400 x 600 -> 100 x 150 -> 3 x 4 patches; chelsea 75 x 113 -> 2 x 3
    assert low_test.shape == (12, 8, 8, 3) and high_test.shape == (
        12,
        32,
        32,
        3,
    )
    assert low.shape == (6, 8, 8, 3) and high.shape == (6, 32, 32, 3)
    for images in (low, high, low_test, high_test):
        assert images.dtype == np.float32
        assert images.min() >= -1 and images.max() <= 1
    # An anti-aliased downscaling is close to the block means of the
    # aligned high-resolution pixels, and farther from shifted ones.
    means = block_means(high_test, 4)
    aligned = np.abs(low_test - means)[:, 1:-1, 1:-1].mean()
    shifted = np.abs(low_test[:, 1:-1, 2:] - means[:, 1:-1, 1:-1]).mean()
    assert aligned < 0.05 and aligned < shifted / 2
    assert not np.isin(high_test, high).all(axis=(1, 2, 3)).any()


def test_errors():
    with pytest.raises(ValueError, match="multiple of the scale 4"):
        kgen.datasets.super_resolution_pairs(scale=4, patch_size=30)
    with pytest.raises(ValueError, match="multiple of the scale 4"):
        kgen.datasets.super_resolution_pairs(4, patch_size=32, stride=6)
    with pytest.raises(ValueError, match="not among the photos used"):
        kgen.datasets.super_resolution_pairs(
            names=["chelsea"], test_photos=["coffee"]
        )
