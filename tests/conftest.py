"""Shared pytest fixtures. Run the suite once per backend (KERAS_BACKEND)."""

import keras
import numpy as np
import pytest


@pytest.fixture
def backend_name():
    return keras.backend.backend()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
