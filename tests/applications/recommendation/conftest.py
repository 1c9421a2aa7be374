"""Tiny rating data shared by the recommendation tests."""

import numpy as np
import pytest


@pytest.fixture
def tiny_ratings():
    """30 ratings of 8 items by 6 users (ids not contiguous), 1-5 stars."""
    rng = np.random.default_rng(0)
    users = np.array([3, 5, 8, 13, 21, 34])
    items = np.array([10, 20, 30, 40, 50, 60, 70, 80])
    pairs = [(u, i) for u in users for i in items]
    chosen = rng.choice(len(pairs), 30, replace=False)
    user, item = np.array([pairs[c] for c in chosen]).T
    rating = rng.integers(1, 6, 30).astype("float32")
    return {"user": user, "item": item, "rating": rating}
