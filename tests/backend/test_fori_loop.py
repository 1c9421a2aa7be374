"""`kgen.backend.fori_loop` equals `keras.ops.fori_loop`, and on TensorFlow
an eager call runs as one graph (the body is traced, not run per step)."""

import keras
import numpy as np
from keras import ops

from kgen import backend


def test_matches_keras_fori_loop_and_traces_the_body_once():
    calls = []

    def body(i, state):
        calls.append(i)
        total, x = state
        return total + ops.sum(x) * ops.cast(i, "float32"), x * 0.5

    init = (ops.zeros(()), ops.ones((3,)))
    expected = sum(3.0 * 0.5 ** (i - 1) * i for i in range(1, 50))
    total, x = backend.fori_loop(1, 50, body, init)
    np.testing.assert_allclose(ops.convert_to_numpy(total), expected, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(x), 0.5**49, rtol=1e-5)
    if keras.backend.backend() in ("tensorflow", "jax"):
        assert len(calls) <= 2  # traced, not run 49 times from Python
