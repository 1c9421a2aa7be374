import keras
import numpy as np
import pytest
from keras import ops

from kgen import backend
from kgen.models import GenerativeModel

NUM_SAMPLES, BATCH = 10, 4


class Counter(GenerativeModel):
    """Sums the inputs and targets it trains on, per sample and squared."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,), initializer="zeros")
        self.sums = self.add_weight(
            shape=(4,), initializer="zeros", trainable=False
        )

    def call(self, x):
        return x * self.w

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        seen = ops.stack(
            [
                ops.sum(x),
                ops.sum(x * x),
                ops.sum(y - 2.0 * x),
                ops.cast(ops.shape(x)[0], "float32"),
            ]
        )
        self.sums.assign(self.sums + seen)
        return ops.mean(ops.square(y_pred - y))


def _arrays():
    x = np.arange(NUM_SAMPLES, dtype="float64")[:, None]
    return x, 2.0 * x


@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_trains_on_every_sample_once_per_epoch(shuffle):
    x, y = _arrays()
    model = Counter()
    model.compile(optimizer="sgd")
    history = model.fit(
        x, y, batch_size=BATCH, epochs=3, shuffle=shuffle, verbose=0
    )
    total, squares, misaligned, count = ops.convert_to_numpy(model.sums)
    assert len(history.history["loss"]) == 3
    assert count == 3 * NUM_SAMPLES
    assert total == 3 * x.sum() and squares == 3 * (x**2).sum()
    assert misaligned == 0.0  # targets stay paired with their inputs


def test_fit_still_reports_mismatched_sizes():
    x, y = _arrays()
    model = Counter()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError):
        model.fit(x, y[:-1], batch_size=BATCH, verbose=0)


@pytest.mark.parametrize(
    "options",
    [{"validation_split": 0.2}, {"steps_per_epoch": 2}, {"shuffle": "batch"}],
)
def test_fit_data_leaves_other_requests_to_keras(options):
    x, y = _arrays()
    options = dict(options, batch_size=BATCH)
    assert backend.fit_data(x, y, options) == (x, y, options)


def _epochs(dataset, steps, epochs):
    iterator = iter(dataset)
    return [[next(iterator) for _ in range(steps)] for _ in range(epochs)]


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="TensorFlow's data path"
)
@pytest.mark.parametrize(
    "num_samples, sizes", [(10, [4, 4, 2]), (8, [4, 4]), (3, [3])]
)
def test_tensorflow_arrays_become_one_reshuffled_pipeline(num_samples, sizes):
    keras.utils.set_random_seed(0)  # the orders drawn are then fixed
    x = np.arange(num_samples, dtype="float64")[:, None]
    y = 2.0 * x
    weights = np.linspace(0.1, 1.0, num_samples)
    dataset, no_y, options = backend.fit_data(
        x, y, {"batch_size": BATCH, "sample_weight": weights, "epochs": 2}
    )
    assert no_y is None and options == {
        "epochs": 2,
        "shuffle": False,
        "steps_per_epoch": len(sizes),
    }
    orders = []
    for epoch in _epochs(dataset, len(sizes), 4):
        assert [len(batch[0]) for batch in epoch] == sizes
        inputs, targets, sample_weight = (
            np.concatenate(part) for part in zip(*epoch)
        )
        assert inputs.dtype == np.float32
        np.testing.assert_array_equal(np.sort(inputs[:, 0]), x[:, 0])
        np.testing.assert_allclose(targets, 2.0 * inputs)
        np.testing.assert_allclose(
            sample_weight, weights[inputs[:, 0].astype(int)]
        )
        orders.append(tuple(inputs[:, 0]))
    assert len(set(orders)) > 1, "every epoch drew the same order"


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="TensorFlow's data path"
)
def test_tensorflow_pipeline_keeps_the_order_without_shuffle():
    x, _ = _arrays()
    dataset, _, _ = backend.fit_data(
        x, None, {"batch_size": BATCH, "shuffle": False}
    )
    for epoch in _epochs(
        dataset, 3, 2
    ):  # x alone comes unwrapped, as from Keras
        np.testing.assert_array_equal(np.concatenate(epoch), x)


@pytest.mark.skipif(
    keras.backend.backend() == "tensorflow", reason="identity off TensorFlow"
)
def test_other_backends_pass_arrays_through():
    x, y = _arrays()
    options = {"batch_size": BATCH}
    assert backend.fit_data(x, y, options) == (x, y, options)
