import numpy as np
import pytest

from kgen.utils import image_grid
from kgen.utils import save_image_grid


def test_image_grid_tiles_and_rescales():
    images = np.arange(2 * 4, dtype="float32").reshape(2, 4)
    grid = image_grid(images, num_columns=2, image_shape=(2, 2), padding=1)
    assert grid.shape == (2, 5)
    np.testing.assert_allclose(grid[:, :2], [[0, 1 / 3], [2 / 3, 1]])
    np.testing.assert_allclose(grid[:, 2], 0.5)


def test_image_grid_rejects_flat_images_without_shape():
    with pytest.raises(ValueError, match="image_shape"):
        image_grid(np.zeros((3, 64)))


def test_save_image_grid_writes_png(tmp_path):
    path = save_image_grid(
        np.random.rand(4, 8, 8, 3), str(tmp_path / "g.png"), title="t"
    )
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
