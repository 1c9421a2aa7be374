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


def test_motion_blur_kernels_are_normalised_seeded_line_segments():
    kernels = kgen.datasets.motion_blur_kernels(20, 7.0, 7.0, seed=3)
    assert kernels.shape == (20, 9, 9) and kernels.dtype == np.float32
    assert kernels.min() >= 0
    np.testing.assert_allclose(kernels.sum(axis=(1, 2)), 1.0, rtol=1e-5)
    # Line-shaped: the mass' second moments about the centre have one
    # direction with the variance of a uniform segment of length 7
    # (7**2 / 12, plus the bilinear spread) and almost none across it.
    rows, columns = np.mgrid[-4:5, -4:5]
    angles = []
    for kernel in kernels.astype("float64"):
        points = np.stack([columns.ravel(), -rows.ravel()])
        covariance = (points * kernel.ravel()) @ points.T
        (across, along), vectors = np.linalg.eigh(covariance)
        assert across < 0.2 and 49 / 12 < along < 49 / 12 + 0.4
        angles.append(np.arctan2(*vectors[::-1, 1]) % np.pi)
    assert np.ptp(angles) > 2.0  # directions spread over [0, pi)
    again = kgen.datasets.motion_blur_kernels(20, 7.0, 7.0, seed=3)
    np.testing.assert_array_equal(kernels, again)
    other = kgen.datasets.motion_blur_kernels(20, 7.0, 7.0, seed=4)
    assert not np.allclose(kernels, other)
    with pytest.raises(ValueError, match="1 <= min_length <= max_length"):
        kgen.datasets.motion_blur_kernels(2, 5.0, 3.0)
    with pytest.raises(ValueError, match="must be odd and >= 9"):
        kgen.datasets.motion_blur_kernels(2, 3.0, 7.0, size=7)


def test_motion_blur_pairs_blur_each_patch_by_its_kernel():
    from scipy import ndimage
    from skimage import transform

    train, test = kgen.datasets.motion_blur_pairs(
        patch_size=16,
        scale=0.125,
        max_length=5.0,
        names=["chelsea", "coffee"],
        test_photos=["coffee"],
    )
    # coffee: 400 x 600 -> 50 x 75, less a 3-pixel margin -> 2 x 4 patches;
    # chelsea: 300 x 451 -> 38 x 56 -> 32 x 50 inside the margin -> 2 x 3.
    blurred, sharp, kernels = test
    assert blurred.shape == sharp.shape == (8, 16, 16, 3)
    assert kernels.shape == (8, 7, 7) and train[0].shape[0] == 2 * 3
    for images in (*train[:2], blurred, sharp):
        assert images.dtype == np.float32
        assert images.min() >= -1 and images.max() <= 1
    photo = transform.rescale(
        kgen.datasets.load_photos("coffee")["coffee"] / 255.0,
        0.125,
        channel_axis=-1,
        anti_aliasing=True,
    )
    i, row, column = 5, 3 + 16, 3 + 16  # patch 5: second row, second column
    window = np.s_[row : row + 16, column : column + 16]
    np.testing.assert_allclose((sharp[i] + 1) / 2, photo[window], atol=1e-6)
    expected = np.stack(
        [ndimage.convolve(photo[..., c], kernels[i]) for c in range(3)], -1
    )
    np.testing.assert_allclose(
        (blurred[i] + 1) / 2, expected[window], atol=1e-5
    )
    # Noise: same kernels (same seed), Gaussian differences of that size.
    noisy = kgen.datasets.motion_blur_pairs(
        patch_size=16,
        scale=0.125,
        max_length=5.0,
        noise=0.02,
        names=["chelsea", "coffee"],
        test_photos=["coffee"],
    )[1]
    np.testing.assert_array_equal(noisy[2], kernels)
    difference = (noisy[0] - blurred)[(blurred > -0.9) & (blurred < 0.9)]
    np.testing.assert_allclose(np.std(difference / 2), 0.02, rtol=0.1)
    with pytest.raises(ValueError, match="`noise` must be a number >= 0"):
        kgen.datasets.motion_blur_pairs(noise=-1.0)
