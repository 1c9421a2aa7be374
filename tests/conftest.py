"""Shared pytest fixtures. Run the suite once per backend (KERAS_BACKEND)."""

import keras
import numpy as np
import pytest


def pytest_report_header(config):
    """Names the backend and the device the suite runs on (GPU if any)."""
    from kgen.backend.distribution import local_devices

    devices = local_devices()
    return (
        f"kgen: backend {keras.backend.backend()} on {devices[0]} "
        f"({len(devices)} such device(s))"
    )


@pytest.fixture(scope="module", autouse=True)
def seeded_module():
    """Seeds Keras' global stream (weight initialisers, dropout, `fit`'s
    shuffling), Python and NumPy before a module's own fixtures, so that
    they do not depend on which modules ran before in the same worker."""
    keras.utils.set_random_seed(0)


@pytest.fixture(autouse=True)
def seeded_test():
    """The same seeding before each test (and its function fixtures)."""
    keras.utils.set_random_seed(0)


@pytest.fixture
def backend_name():
    return keras.backend.backend()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
