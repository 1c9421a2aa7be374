"""ImagePool: the update rule against a sequential NumPy reference."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen
from kgen.layers.image_pool import exchange


def sequential_reference(pool, count, images, coins, permutation):
    """Shrivastava et al.'s pool, one image at a time (as in CycleGAN's code),
    with swap slots taken from `permutation` in order."""
    pool, out, size = pool.copy(), [], len(pool)
    for i, image in enumerate(images):
        if count < size:
            pool[count] = image
            count += 1
            out.append(image)
        elif coins[i] > 0.5 and i < size:
            slot = permutation[i]
            out.append(pool[slot].copy())
            pool[slot] = image
        else:
            out.append(image)
    return pool, count, np.array(out)


@pytest.mark.parametrize("count, batch", [(0, 3), (3, 4), (5, 4), (5, 7)])
def test_exchange_matches_sequential_reference(count, batch):
    rng = np.random.default_rng(count + batch)
    pool = rng.normal(size=(5, 3)).astype("float32")
    images = rng.normal(size=(batch, 3)).astype("float32")
    coins = rng.uniform(size=batch).astype("float32")
    permutation = rng.permutation(5).astype("int32")
    expected = sequential_reference(pool, count, images, coins, permutation)
    received = exchange(pool, count, images, coins, permutation)
    np.testing.assert_allclose(ops.convert_to_numpy(received[0]), expected[0])
    assert int(ops.convert_to_numpy(received[1])) == expected[1]
    np.testing.assert_allclose(ops.convert_to_numpy(received[2]), expected[2])


def test_pool_fills_then_swaps_stored_images():
    pool = kgen.layers.ImagePool(4, (2, 1))
    seed = keras.random.SeedGenerator(0)
    seen = []
    for step in range(6):
        images = np.full((2, 2, 1), step, "float32") + [[[0]], [[0.5]]]
        out = ops.convert_to_numpy(pool(images, seed=seed))
        assert out.shape == images.shape
        if step < 2:  # filling: returned unchanged
            np.testing.assert_array_equal(out, images)
        # Every output is a new image or one stored earlier.
        assert all(
            any(np.array_equal(o, s) for s in seen + list(images)) for o in out
        )
        seen.extend(images)
    stored = ops.convert_to_numpy(pool.images).reshape(4, 2, 1)
    assert all(any(np.array_equal(p, s) for s in seen) for p in stored)
    assert int(ops.convert_to_numpy(pool.count)) == 4


def test_config_and_errors():
    pool = kgen.layers.ImagePool(3, (4, 4, 3), name="pool")
    clone = kgen.layers.ImagePool.from_config(pool.get_config())
    assert clone.pool_size == 3 and clone.image_shape == (4, 4, 3)
    with pytest.raises(ValueError, match="`pool_size` must be an integer >= 1"):
        kgen.layers.ImagePool(0, (2,))
    with pytest.raises(ValueError, match="`image_shape` must be a tuple"):
        kgen.layers.ImagePool(2, (0, 3))
