import numpy as np
import pytest
from mnist_files import write_mnist

from kgen.datasets import load_mnist


@pytest.fixture
def mnist_file(tmp_path):
    path = tmp_path / "mnist.npz"
    return path, write_mnist(path)


def test_scaling_shapes_and_types(mnist_file):
    path, arrays = mnist_file
    (x, y), (x_test, y_test) = load_mnist(path)
    assert x.shape == (30, 784) and x.dtype == np.float32
    assert y.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_allclose(
        x_test, arrays["x_test"].reshape(12, 784) / 255.0, rtol=1e-6
    )
    np.testing.assert_array_equal(y, arrays["y_train"])
    (images, _), _ = load_mnist(path, flatten=False)
    assert images.shape == (30, 28, 28, 1)
    np.testing.assert_array_equal(images.reshape(30, 784), x)


@pytest.mark.parametrize("size, count", [(6, 6), (0.2, 6), (0.5, 15)])
def test_validation_split_from_the_end(mnist_file, size, count):
    path, arrays = mnist_file
    (x, y), (x_val, y_val), (x_test, _) = load_mnist(path, validation_size=size)
    assert len(x) == 30 - count and len(x_val) == count
    np.testing.assert_array_equal(y_val, arrays["y_train"][-count:])
    (x_all, _), _ = load_mnist(path)
    np.testing.assert_array_equal(np.concatenate([x, x_val]), x_all)
    assert len(x_test) == 12


@pytest.mark.parametrize("size", [30, -1, 1.0, "10", True])
def test_bad_validation_size(mnist_file, size):
    with pytest.raises(ValueError, match="validation_size"):
        load_mnist(mnist_file[0], validation_size=size)


def test_threshold_binarisation(mnist_file):
    path, arrays = mnist_file
    (x, _), _ = load_mnist(path, binarize="threshold")
    expected = (arrays["x_train"].reshape(30, 784) > 127.5).astype("float32")
    np.testing.assert_array_equal(x, expected)


def test_stochastic_binarisation_is_seeded(mnist_file):
    path, _ = mnist_file
    (grey, _), (grey_test, _) = load_mnist(path)
    first = load_mnist(path, binarize="stochastic", seed=3)
    second = load_mnist(path, binarize="stochastic", seed=3)
    other = load_mnist(path, binarize="stochastic", seed=4)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a[0], b[0])
    assert set(np.unique(first[0][0])) == {0.0, 1.0}
    assert not np.array_equal(first[0][0], other[0][0])
    # One Bernoulli draw per pixel: the mean of the 0/1 images matches the
    # mean grey level (23,520 draws: standard error < 0.004).
    assert abs(first[0][0].mean() - grey.mean()) < 0.015
    # A validation split does not change the draws.
    split = load_mnist(path, binarize="stochastic", seed=3, validation_size=5)
    np.testing.assert_array_equal(split[1][0], first[0][0][-5:])
    np.testing.assert_array_equal(split[2][0], first[1][0])
    assert grey_test.shape == first[1][0].shape


def test_unknown_binarisation(mnist_file):
    with pytest.raises(ValueError, match="binarize.*'otsu'"):
        load_mnist(mnist_file[0], binarize="otsu")


def test_truncated_file(tmp_path, mnist_file):
    data = mnist_file[0].read_bytes()
    bad = tmp_path / "cut" / "mnist.npz"
    bad.parent.mkdir()
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated, corrupt"):
        load_mnist(bad)
    bad.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="Could not read"):
        load_mnist(bad)


def test_wrong_content(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), "uint8"))
    with pytest.raises(ValueError, match="y_train"):
        load_mnist(path)
    write_mnist(path, x_test=np.zeros((12, 32, 32), "uint8"))
    with pytest.raises(ValueError, match=r"x_test.*\(12, 32, 32\)"):
        load_mnist(path)
    write_mnist(path, y_train=np.zeros(3, "uint8"))
    with pytest.raises(ValueError, match="one label per image"):
        load_mnist(path)


def test_real_mnist(shared_data):
    (x, y), (x_test, y_test) = load_mnist(shared_data)
    assert x.shape == (60000, 784) and x_test.shape == (10000, 784)
    np.testing.assert_array_equal(
        np.bincount(y),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    )
    np.testing.assert_array_equal(
        np.bincount(y_test),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    )
    np.testing.assert_array_equal(y[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    assert round(float(x.mean(dtype="float64")) * 255, 3) == 33.318
