"""Input checks for streamed data (generators, `PyDataset`s, `tf.data`).

Arrays passed to `fit` are checked whole before training starts. Streamed
data cannot be: its batches only exist while training runs. These wrappers
check each batch on the host, before Keras hands it to the compiled step,
with the same `check_inputs` the model applies to arrays. That is the
design that works on all three backends alike: a check inside the step
cannot raise from a JAX-compiled function, and a host check costs one pass
over a batch in NumPy, small beside a training step.

- Python generators and iterators, and `keras.utils.PyDataset`s: every
  batch is checked.
- `tf.data.Dataset`s (TensorFlow backend): the first batch is checked on
  the host before training; the rest stream through TensorFlow's own
  pipeline unchecked (a check per batch would leave the graph).
"""

import keras
import numpy as np


def checked_stream(data, check, name="x"):
    """`data` wrapped so that each batch's inputs pass `check` first.

    Args:
        data: what `fit` received as `x`: arrays and other values pass
            through unchanged; generators, iterators, `PyDataset`s and
            `tf.data` datasets are checked.
        check: function called on the inputs of a batch (the first element
            of a batch tuple `(x, y, sample_weight)`, or the whole batch
            when it is not a tuple); raises `ValueError`.
        name: the argument's name, used in error messages.

    Returns:
        The data, wrapped where it streams.
    """
    if isinstance(data, keras.utils.PyDataset):
        return _CheckedPyDataset(data, check, name)
    if _is_tf_dataset(data):
        for index, batch in enumerate(data.take(1)):
            check_batch(batch, index, check, name)
        return data
    if _is_iterator(data):
        return _checked_generator(data, check, name)
    return data


def check_batch(batch, index, check, name="x"):
    """Runs `check` on the inputs of one streamed batch, naming the batch.

    Raises:
        ValueError: `check`'s error, prefixed with the batch index.
    """
    inputs = batch[0] if isinstance(batch, tuple) else batch
    inputs = keras.tree.map_structure(_to_numpy, inputs)
    try:
        check(inputs)
    except ValueError as error:
        raise ValueError(
            f"Batch {index} of the streamed `{name}` is invalid: {error}"
        ) from None
    return batch


def _to_numpy(value):
    if isinstance(value, np.ndarray) or not keras.ops.is_tensor(value):
        return value
    return keras.ops.convert_to_numpy(value)


def _checked_generator(iterator, check, name):
    for index, batch in enumerate(iterator):
        yield check_batch(batch, index, check, name)


def _is_tf_dataset(data):
    return hasattr(data, "element_spec") and hasattr(data, "take")


def _is_iterator(data):
    return hasattr(data, "__next__") and hasattr(data, "__iter__")


class _CheckedPyDataset(keras.utils.PyDataset):
    """A `PyDataset` whose batches are checked as they are read."""

    def __init__(self, dataset, check, name):
        super().__init__(
            workers=dataset.workers,
            use_multiprocessing=dataset.use_multiprocessing,
            max_queue_size=dataset.max_queue_size,
        )
        self.dataset = dataset
        self.check = check
        self.name = name

    def __len__(self):
        return len(self.dataset)

    @property
    def num_batches(self):
        return self.dataset.num_batches

    def __getitem__(self, index):
        return check_batch(self.dataset[index], index, self.check, self.name)

    def on_epoch_begin(self):
        self.dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.dataset.on_epoch_end()
