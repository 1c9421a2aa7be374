"""MaskedDense and the MADE mask helpers."""

import keras
import numpy as np
import pytest

import kgen
from kgen.layers import MaskedDense
from kgen.layers import autoregressive_mask
from kgen.layers import input_degrees
from kgen.layers import made_masks
from kgen.testing.serialization import assert_round_trip


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def made_stack(masks):
    hidden = [MaskedDense(m.shape[1], m, activation="tanh") for m in masks[:-1]]
    layers = hidden + [MaskedDense(masks[-1].shape[1], masks[-1])]
    return keras.Sequential([keras.Input((masks[0].shape[0],)), *layers])


def dependence(model, num_inputs, rng):
    """`dep[i, j]`: whether output j moved when input i was perturbed."""
    x = rng.normal(size=(1, num_inputs)).astype("float32")
    base = to_numpy(model(x))[0]
    dep = np.zeros((num_inputs, base.size), dtype=bool)
    for i in range(num_inputs):
        moved = x.copy()
        moved[0, i] += 3.0
        dep[i] = np.abs(to_numpy(model(moved))[0] - base) > 1e-6
    return dep


def test_matches_numpy_reference(rng):
    mask = (rng.random((5, 3)) < 0.5).astype("float32")
    layer = MaskedDense(3, mask, bias_initializer="glorot_uniform")
    x = rng.normal(size=(4, 5)).astype("float32")
    out = to_numpy(layer(x))
    kernel, bias = to_numpy(layer.kernel), to_numpy(layer.bias)
    np.testing.assert_allclose(out, x @ (kernel * mask) + bias, atol=1e-5)


def test_several_masks_picked_by_tensor_index(rng):
    masks = (rng.random((3, 5, 4)) < 0.5).astype("float32")
    layer = MaskedDense(4, masks, use_bias=False)
    x = rng.normal(size=(2, 5)).astype("float32")
    layer(x)
    kernel = to_numpy(layer.kernel)
    for i in range(3):
        index = keras.ops.convert_to_tensor(i, dtype="int32")
        np.testing.assert_allclose(
            to_numpy(layer(x, mask_index=index)),
            x @ (kernel * masks[i]),
            atol=1e-5,
        )


def test_mask_is_not_trained(rng):
    mask = np.triu(np.ones((4, 4), "float32"))
    model = keras.Sequential([keras.Input((4,)), MaskedDense(4, mask)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = rng.normal(size=(16, 4)).astype("float32")
    model.fit(x, x[:, ::-1], epochs=2, verbose=0)
    layer = model.layers[0]
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]
    np.testing.assert_array_equal(to_numpy(layer.mask)[0], mask)


@pytest.mark.parametrize("ordering", [None, [2, 4, 0, 1, 3]])
@pytest.mark.parametrize("hidden_degrees", ["random", "equal"])
def test_made_stack_is_autoregressive(rng, ordering, hidden_degrees):
    degrees = input_degrees(5, ordering)
    masks = made_masks(
        degrees,
        hidden_units=(12, 12),
        outputs_per_input=2,
        hidden_degrees=hidden_degrees,
        seed=3,
    )
    model = made_stack(masks)
    dep = dependence(model, 5, rng)
    allowed = np.tile(degrees, 2)[None, :] > degrees[:, None]
    assert not (dep & ~allowed).any(), "an output sees a later input"
    if hidden_degrees == "equal":
        # Every allowed path exists when each degree has hidden units.
        np.testing.assert_array_equal(dep, allowed)


def test_autoregressive_by_gradients(rng):
    masks = made_masks(input_degrees(4, [3, 1, 0, 2]), (8,), seed=0)
    model = made_stack(masks)
    x = keras.ops.convert_to_tensor(rng.normal(size=(1, 4)).astype("float32"))
    degrees = input_degrees(4, [3, 1, 0, 2])
    for j in range(4):
        grad = to_numpy(
            kgen.backend.input_gradients(lambda v, j=j: model(v)[:, j], x)
        )[0]
        later = degrees >= degrees[j]
        np.testing.assert_array_equal(grad[later], 0.0)


def test_made_masks_connect_context_inputs_everywhere():
    degrees = np.array([0, 0, 1, 2, 3])
    masks = made_masks(degrees, (6,), hidden_degrees="equal")
    assert masks[1].shape == (6, 3)  # no outputs for the context
    reach = (masks[0] @ masks[1]) > 0
    np.testing.assert_array_equal(
        reach, [[1, 1, 1], [1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0]]
    )


def test_made_masks_direct_connections_are_strict():
    degrees = np.array([0, 3, 1, 2])  # a context input, then ordering 2, 3, 1
    masks = made_masks(degrees, (6,), 2, seed=0, direct=True)
    assert len(masks) == 3
    for mask, plain in zip(masks, made_masks(degrees, (6,), 2, seed=0)):
        np.testing.assert_array_equal(mask, plain)
    one = [[1, 1, 1], [0, 0, 0], [1, 0, 1], [1, 0, 0]]  # outputs 3, 1, 2
    np.testing.assert_array_equal(masks[2], np.tile(one, 2))


def test_explicit_hidden_and_output_degrees():
    masks = made_masks(
        [1, 2, 3], (2,), hidden_degrees=[[1, 2]], out_degrees=[3, 3, 2]
    )
    np.testing.assert_array_equal(masks[0], [[1, 1], [0, 1], [0, 0]])
    np.testing.assert_array_equal(masks[1], [[1, 1, 1], [1, 1, 0]])


def test_seeded_masks_differ_and_repeat():
    degrees = input_degrees(6)
    a = made_masks(degrees, (10,), seed=1)
    b = made_masks(degrees, (10,), seed=1)
    c = made_masks(degrees, (10,), seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_autoregressive_mask_strict_and_not():
    np.testing.assert_array_equal(
        autoregressive_mask([1, 2], [1, 2, 3]), [[1, 1, 1], [0, 1, 1]]
    )
    np.testing.assert_array_equal(
        autoregressive_mask([1, 2], [1, 2, 3], strict=True),
        [[0, 1, 1], [0, 0, 1]],
    )


def test_round_trip_keeps_masks(tmp_path, rng):
    masks = made_masks(input_degrees(7, rng.permutation(7)), (9,), seed=0)
    stacked = np.stack([masks[0], made_masks(input_degrees(7), (9,))[0]])
    model = keras.Sequential(
        [keras.Input((7,)), MaskedDense(9, stacked), MaskedDense(7, masks[1])]
    )
    x = rng.normal(size=(3, 7)).astype("float32")
    loaded = assert_round_trip(model, tmp_path, call=lambda m: m(x))
    np.testing.assert_array_equal(to_numpy(loaded.layers[0].mask), stacked)
    config = model.layers[0].get_config()
    np.testing.assert_array_equal(
        to_numpy(MaskedDense.from_config(config)._mask_values), stacked
    )


def test_errors():
    with pytest.raises(ValueError, match="only 0 and 1"):
        MaskedDense(2, np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="shape"):
        MaskedDense(3, np.ones((3, 2)))
    with pytest.raises(ValueError, match="permutation"):
        input_degrees(3, [0, 0, 1])
    with pytest.raises(ValueError, match="permutation"):
        input_degrees(3, [0, 1])
    with pytest.raises(ValueError, match="in_degrees"):
        made_masks([1.5, 2.0], (4,))
    with pytest.raises(ValueError, match="hidden_degrees"):
        made_masks([1, 2], (4,), hidden_degrees="odd")
    with pytest.raises(ValueError, match="one 1-D array per hidden layer"):
        made_masks([1, 2], (4,), hidden_degrees=[[1, 1]])
    layer = MaskedDense(2, np.ones((3, 2)))
    with pytest.raises(ValueError, match="mask for 3 inputs"):
        layer(np.zeros((1, 4), "float32"))
