"""History of generated images for the discriminator (Shrivastava et al.)."""

import math

import keras
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class ImagePool(keras.layers.Layer):
    """A buffer of earlier generated images shown to the discriminator.

    Training the discriminator on a history of generated images, not only
    the latest ones, keeps it from forgetting earlier failure modes of the
    generator and damps oscillation (Shrivastava et al., 2017; CycleGAN keeps
    50). The buffer and its fill count are non-trainable weights, so the pool
    is saved with its model and resumes exactly.

    Calling the pool on a batch returns a batch of the same shape. While the
    pool is not full, each image is stored and returned as is. Once it is
    full, each image is, with probability 1/2, returned as is, and otherwise
    swapped: a stored image is returned in its place and the new image takes
    its slot. The slots of one batch are drawn without replacement (a
    uniformly random permutation of the pool), so no slot is swapped twice;
    images beyond the pool's size in a batch are returned as is. The pool is
    a constant for differentiation (its output carries no gradient).

    Reference: Shrivastava et al., "Learning from Simulated and
    Unsupervised Images through Adversarial Training", CVPR 2017; Zhu et al.,
    "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks", ICCV 2017.

    Args:
        pool_size: int >= 1, how many images the pool holds.
        image_shape: shape of one image, e.g. `(64, 64, 3)`.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    pool = kgen.layers.ImagePool(50, (64, 64, 3))
    fakes_for_d = pool(fakes, seed=self.seed_generator)
    ```
    """

    def __init__(self, pool_size, image_shape, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = check_integer(pool_size, "pool_size")
        shape = tuple(image_shape)
        if not shape or not all(
            isinstance(s, int) and not isinstance(s, bool) and s > 0
            for s in shape
        ):
            raise ValueError(
                "`image_shape` must be a tuple of positive ints such as "
                f"(64, 64, 3). Received: image_shape={image_shape!r}."
            )
        self.image_shape = shape
        self.images = self.add_weight(
            shape=(self.pool_size, math.prod(shape)),
            initializer="zeros",
            trainable=False,
            name="images",
        )
        self.count = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name="count",
        )
        self.built = True

    def call(self, images, seed=None):
        """Returns a batch mixing `images` with stored ones; updates the pool.

        Args:
            images: batch of shape `(batch, *image_shape)`.
            seed: a `keras.random.SeedGenerator` (or int) for the draws.
        """
        images = ops.stop_gradient(ops.convert_to_tensor(images))
        batch = ops.shape(images)[0]
        flat = ops.reshape(images, (batch, -1))
        coins = keras.random.uniform((batch,), seed=seed)
        permutation = ops.argsort(
            keras.random.uniform((self.pool_size,), seed=seed)
        )
        pool, count, output = exchange(
            self.images.value, self.count.value, flat, coins, permutation
        )
        self.images.assign(pool)
        self.count.assign(count)
        return ops.reshape(output, ops.shape(images))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "image_shape": list(self.image_shape),
        }


def exchange(pool, count, images, coins, permutation):
    """The pool's update rule for given random draws, in `keras.ops`.

    Args:
        pool: `(pool_size, features)` stored images.
        count: how many slots are filled (slots `[0, count)`).
        images: `(batch, features)` new images.
        coins: `(batch,)` uniform draws; image `i` is swapped when the pool is
            full and `coins[i] > 0.5`.
        permutation: a permutation of the slots; image `i` swaps with slot
            `permutation[i]`.

    Returns:
        `(new_pool, new_count, output)`.
    """
    pool, images = ops.convert_to_tensor(pool), ops.convert_to_tensor(images)
    coins = ops.convert_to_tensor(coins)
    permutation = ops.convert_to_tensor(permutation, "int32")
    pool_size = ops.shape(pool)[0]
    dtype = keras.backend.standardize_dtype(pool.dtype)
    batch = ops.shape(images)[0]
    index = ops.arange(batch, dtype="int32")
    count = ops.cast(count, "int32")
    # Filling: image i goes to slot count + i while there is room.
    fill = count + index < pool_size
    fill_slots = (
        ops.one_hot(ops.where(fill, count + index, 0), pool_size, dtype=dtype)
        * ops.cast(fill, dtype)[:, None]
    )
    pool = _write(pool, fill_slots, images)
    # Swapping, once full: against distinct random slots of the filled pool.
    swap = (~fill) & (coins > 0.5) & (index < pool_size)
    slots = ops.take(permutation, ops.minimum(index, pool_size - 1))
    swap_slots = (
        ops.one_hot(slots, pool_size, dtype=dtype)
        * ops.cast(swap, dtype)[:, None]
    )
    stored = ops.matmul(swap_slots, pool)
    output = ops.where(swap[:, None], stored, images)
    pool = _write(pool, swap_slots, images)
    new_count = ops.minimum(count + batch, pool_size)
    return pool, new_count, output


def _write(pool, slots, images):
    """`pool` with row `j` replaced by `images[i]` where `slots[i, j] = 1`."""
    written = ops.sum(slots, axis=0)[:, None]
    return pool * (1.0 - written) + ops.matmul(ops.transpose(slots), images)
