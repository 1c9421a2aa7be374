"""Writes tiny files in the layout of Keras' mnist.npz."""

import numpy as np


def write_mnist(path, num_train=30, num_test=12, seed=0, **overrides):
    """Writes a tiny mnist.npz in Keras' layout and returns its arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (num_train, 28, 28), dtype="uint8"),
        "y_train": rng.integers(0, 10, num_train, dtype="uint8"),
        "x_test": rng.integers(0, 256, (num_test, 28, 28), dtype="uint8"),
        "y_test": rng.integers(0, 10, num_test, dtype="uint8"),
    }
    arrays.update(overrides)
    np.savez_compressed(path, **arrays)
    return arrays
