import numpy as np
import pytest
from matplotlib.image import imread
from scipy import stats

from kgen.utils import latent_lattice
from kgen.utils import save_latent_scatter
from kgen.utils import save_latent_traversal
from kgen.utils import save_reconstructions


class LinearDecoder:
    """Stands in for a model: decodes z to an 8x8 image of value z[0]."""

    latent_dim = 3

    def decode(self, z, labels=None):
        return np.repeat(z[:, :1], 64, axis=1)


def test_lattice_covers_prior_quantiles():
    lattice = latent_lattice(3, latent_dim=4, dims=(1, 3), low=0.1, high=0.9)
    values = stats.norm.ppf([0.1, 0.5, 0.9])
    assert lattice.shape == (9, 4)
    np.testing.assert_allclose(lattice[:, 1], np.repeat(values, 3), atol=1e-6)
    np.testing.assert_allclose(lattice[:, 3], np.tile(values, 3), atol=1e-6)
    np.testing.assert_allclose(lattice[:, [0, 2]], 0.0)
    with pytest.raises(ValueError, match="two different latent axes"):
        latent_lattice(3, latent_dim=2, dims=(0, 2))


def test_pictures_are_written(tmp_path, rng):
    x = rng.random((6, 64))
    paths = [
        save_reconstructions(
            x, 1 - x, tmp_path / "rec.png", image_shape=(8, 8), pairs_per_row=3
        ),
        save_latent_scatter(
            rng.normal(size=(30, 2)),
            rng.integers(0, 10, 30),
            tmp_path / "scatter.png",
            title="z",
        ),
        save_latent_traversal(
            LinearDecoder(),
            tmp_path / "lattice.png",
            num_steps=4,
            image_shape=(8, 8),
        ),
    ]
    for path in paths:
        assert imread(path).ndim == 3
    with pytest.raises(ValueError, match="same shape"):
        save_reconstructions(x, x[:2], tmp_path / "bad.png")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        save_latent_scatter(x, None, tmp_path / "bad.png")
