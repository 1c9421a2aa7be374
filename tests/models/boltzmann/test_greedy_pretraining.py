import keras
import numpy as np
import pytest

from kgen.layers import BernoulliRBM
from kgen.models.boltzmann import greedy_pretrain


def _layers(*sizes):
    layers = []
    for num_visible, num_hidden in zip(sizes[::2], sizes[1::2]):
        layer = BernoulliRBM(num_hidden, seed=0)
        layer.build((None, num_visible))
        layers.append(layer)
    return layers


def _pass_up(layer, inputs):
    return keras.ops.convert_to_numpy(layer.hidden_probabilities(inputs))


def test_trains_every_layer_and_logs_it(rng):
    x = (rng.random((16, 6)) < 0.5).astype("float32")
    layers = _layers(6, 4, 4, 3)
    before = [keras.ops.convert_to_numpy(layer.kernel) for layer in layers]
    history = greedy_pretrain(
        layers,
        x,
        [1, 2],
        keras.optimizers.SGD(0.5),
        _pass_up,
        batch_size=8,
        verbose=0,
    )
    assert len(history.history["layer_0_loss"]) == 1
    assert len(history.history["layer_1_loss"]) == 2
    for layer, kernel in zip(layers, before):
        assert (
            np.abs(keras.ops.convert_to_numpy(layer.kernel) - kernel).max()
            > 1e-4
        )


@pytest.mark.parametrize(
    "layers, epochs, match",
    [
        ([], 1, "non-empty list"),
        (
            _layers(6, 4, 5, 3),
            1,
            "do not chain: layer 0 has 4 hidden units but layer 1 has 5",
        ),
        (_layers(6, 4, 4, 3), [1], "one int per layer"),
    ],
)
def test_bad_stacks(layers, epochs, match):
    with pytest.raises(ValueError, match=match):
        greedy_pretrain(
            layers,
            np.zeros((4, 6), "float32"),
            epochs,
            keras.optimizers.SGD(0.1),
            _pass_up,
        )
