"""`kgen.backend.global_norm` and `without_gradient` against NumPy."""

import numpy as np
from keras import ops

from kgen import backend


def test_global_norm_is_the_norm_of_all_tensors_together(rng):
    arrays = [
        rng.normal(size=shape).astype("float32")
        for shape in [(3, 4), (4,), (2, 2, 2)]
    ]
    expected = np.sqrt(sum(np.sum(a.astype("float64") ** 2) for a in arrays))
    norm = backend.global_norm([ops.convert_to_tensor(a) for a in arrays])
    np.testing.assert_allclose(ops.convert_to_numpy(norm), expected, rtol=1e-6)


def test_without_gradient_gives_the_value_and_no_gradient(rng):
    x = rng.normal(size=(5,)).astype("float32")

    def fn(t):
        # d/dt [t**2 (constant) + 3 t] = 3: only the differentiable term counts.
        return backend.without_gradient(lambda u: u * u, t) + 3.0 * t

    np.testing.assert_allclose(
        ops.convert_to_numpy(fn(ops.convert_to_tensor(x))),
        x * x + 3 * x,
        rtol=1e-6,
    )
    gradient = backend.input_gradients(fn, ops.convert_to_tensor(x))
    np.testing.assert_allclose(
        ops.convert_to_numpy(gradient), np.full(5, 3.0), rtol=1e-6
    )
