"""Two-dimensional toy densities with known log-densities: two moons and a
ring of Gaussians (seeded samplers, exact or quadrature log-densities)."""

import numpy as np
from scipy.special import logsumexp

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


def _positive(value, name):
    return check_number(value, name, low=0, low_open=True)


def _moon_points(angles):
    """Points of the two half circles at `angles` in [0, pi]: `(2, n, 2)`."""
    upper = np.stack([np.cos(angles), np.sin(angles)], -1)
    lower = np.stack([1.0 - np.cos(angles), 0.5 - np.sin(angles)], -1)
    return np.stack([upper, lower])


def sample_two_moons(num_samples, noise=0.1, seed=None):
    """Draws from the two-moons density (scikit-learn's `make_moons` shape).

    A moon is picked with probability 1/2, an angle uniformly in [0, pi], and
    the point on that half circle (`(cos a, sin a)` or
    `(1 - cos a, 0.5 - sin a)`) gets isotropic Gaussian noise of standard
    deviation `noise`. `two_moons_log_density` is this density.

    Args:
        num_samples: int >= 1.
        noise: float > 0, the noise's standard deviation.
        seed: int or `None`, seed of NumPy's generator.

    Returns:
        float32 array `(num_samples, 2)`.

    Example:

    ```python
    x = kgen.datasets.sample_two_moons(1000, seed=0)
    ```
    """
    num_samples = check_integer(num_samples, "num_samples")
    noise = _positive(noise, "noise")
    rng = np.random.default_rng(seed)
    moons = rng.integers(0, 2, num_samples)
    points = _moon_points(rng.uniform(0.0, np.pi, num_samples))
    x = points[moons, np.arange(num_samples)]
    return (x + noise * rng.normal(size=x.shape)).astype("float32")


def two_moons_log_density(x, noise=0.1, num_angles=2000):
    """The log-density of `sample_two_moons`, by quadrature over the angle.

    `log (1/2) sum_moon mean_a N(x; point(moon, a), noise^2 I)` over
    `num_angles` evenly spaced angles (midpoint rule), accurate when the
    spacing `pi / num_angles` is well below `noise`.

    Args:
        x: array `(n, 2)`.
        noise: float > 0, as in `sample_two_moons`.
        num_angles: int >= 1, quadrature points per half circle.

    Returns:
        float64 array `(n,)`, in nats.
    """
    x = check_array(x, "x", feature_shape=(2,)).astype("float64")
    noise = _positive(noise, "noise")
    count = check_integer(num_angles, "num_angles")
    angles = (np.arange(count) + 0.5) * np.pi / count
    centres = _moon_points(angles).reshape(-1, 2)
    return _mixture_log_density(x, centres, noise)


def sample_gaussian_ring(
    num_samples, num_modes=8, radius=2.0, std=0.2, seed=None
):
    """Draws from an equal mixture of Gaussians on a circle.

    Mode `k` is centred at `radius * (cos 2 pi k / K, sin 2 pi k / K)`
    with isotropic standard deviation `std`.

    Args:
        num_samples: int >= 1.
        num_modes: int >= 1, the number `K` of modes.
        radius: float > 0.
        std: float > 0.
        seed: int or `None`, seed of NumPy's generator.

    Returns:
        float32 array `(num_samples, 2)`.

    Example:

    ```python
    x = kgen.datasets.sample_gaussian_ring(1000, num_modes=8, seed=0)
    ```
    """
    num_samples = check_integer(num_samples, "num_samples")
    centres = _ring_centres(num_modes, radius)
    std = _positive(std, "std")
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, len(centres), num_samples)]
    return (x + std * rng.normal(size=x.shape)).astype("float32")


def gaussian_ring_log_density(x, num_modes=8, radius=2.0, std=0.2):
    """The exact log-density of `sample_gaussian_ring`.

    Args:
        x: array `(n, 2)`.
        num_modes, radius, std: as in `sample_gaussian_ring`.

    Returns:
        float64 array `(n,)`, in nats.
    """
    x = check_array(x, "x", feature_shape=(2,)).astype("float64")
    return _mixture_log_density(
        x, _ring_centres(num_modes, radius), _positive(std, "std")
    )


def _ring_centres(num_modes, radius):
    num_modes = check_integer(num_modes, "num_modes")
    radius = _positive(radius, "radius")
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], -1)


def _mixture_log_density(x, centres, std, chunk=1000):
    """Log-density of an equal mixture of isotropic 2-D Gaussians."""
    parts = []
    for start in range(0, len(x), chunk):
        part = x[start : start + chunk, None, :]
        squared = ((part - centres[None]) ** 2).sum(-1)
        log_components = -0.5 * squared / std**2 - np.log(2 * np.pi * std**2)
        parts.append(logsumexp(log_components, axis=1))
    return np.concatenate(parts) - np.log(len(centres))
