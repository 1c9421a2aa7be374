import functools

import numpy as np
import pytest

from kgen.datasets import gaussian_ring_log_density
from kgen.datasets import sample_gaussian_ring
from kgen.datasets import sample_two_moons
from kgen.datasets import two_moons_log_density

# 400 quadrature angles (spacing 0.008, far below the noise 0.1) keep it fast.
moons_log_density = functools.partial(two_moons_log_density, num_angles=400)
GRID = np.linspace(-4.0, 4.0, 201)
POINTS = np.stack(np.meshgrid(GRID, GRID), -1).reshape(-1, 2)
CELL = (GRID[1] - GRID[0]) ** 2


@pytest.mark.parametrize(
    "log_density", [moons_log_density, gaussian_ring_log_density]
)
def test_densities_integrate_to_one(log_density):
    assert abs(np.exp(log_density(POINTS)).sum() * CELL - 1.0) < 1e-3


@pytest.mark.parametrize(
    "sample,log_density",
    [
        (sample_two_moons, moons_log_density),
        (sample_gaussian_ring, gaussian_ring_log_density),
    ],
)
def test_samples_follow_the_density(sample, log_density):
    """Histogram of 40,000 samples against the density's cell masses."""
    x = sample(40000, seed=0)
    np.testing.assert_array_equal(x, sample(40000, seed=0))
    edges = np.linspace(-4.0, 4.0, 17)
    counts, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=[edges, edges])
    fine = np.linspace(-4.0, 4.0, 81)
    centres = (fine[1:] + fine[:-1]) / 2
    points = np.stack(np.meshgrid(centres, centres, indexing="ij"), -1)
    mass = np.exp(log_density(points.reshape(-1, 2))).reshape(80, 80)
    mass = mass.reshape(16, 5, 16, 5).sum((1, 3)) * (fine[1] - fine[0]) ** 2
    expected = 40000 * mass
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected) + 5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="noise"):
        sample_two_moons(10, noise=0)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        gaussian_ring_log_density(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="num_modes"):
        sample_gaussian_ring(10, num_modes=0)
