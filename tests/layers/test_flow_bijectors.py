"""Flow bijectors: inverses, log-determinants against numerical Jacobians and
(on TensorFlow) TensorFlow Probability, data-dependent init, bad settings."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.layers import ActNorm
from kgen.layers import AffineCoupling
from kgen.layers import FlowBatchNormalization
from kgen.layers import LogitTransform
from kgen.layers import MaskedAutoregressiveTransform
from kgen.layers import Permutation
from kgen.layers import Squeeze
from kgen.models import NormalizingFlow
from kgen.testing import assert_round_trip

TF = keras.backend.backend() == "tensorflow"


def randomize(layer, shape, seed=0, scale=0.3):
    """Builds `layer` and gives every trainable weight random values."""
    if not layer.built:
        layer.build(shape)
    rng = np.random.default_rng(seed)
    for variable in layer.trainable_variables:
        variable.assign(rng.normal(scale=scale, size=variable.shape))
    return layer


def numpy(value):
    return ops.convert_to_numpy(value).astype("float64")


def numerical_log_det(fn, x, eps=1e-2):
    """`log |det J|` per sample by central differences in float32."""
    x = np.asarray(x, "float64")
    size = x[0].size
    results = []
    for sample in x:
        steps = np.eye(size).reshape(size, *x.shape[1:]) * eps
        plus = numpy(fn((sample + steps).astype("float32")))
        minus = numpy(fn((sample - steps).astype("float32")))
        jacobian = (plus - minus).reshape(size, -1) / (2 * eps)
        results.append(np.linalg.slogdet(jacobian)[1])
    return np.array(results)


VECTOR = (3, 4)
IMAGE = (2, 4, 4, 2)


def cases():
    return [
        (
            "alternate",
            lambda: AffineCoupling("alternate", activation="tanh"),
            VECTOR,
        ),
        (
            "half-reverse",
            lambda: AffineCoupling(
                "half", reverse=True, hidden_units=(8, 8), activation="tanh"
            ),
            VECTOR,
        ),
        (
            "checkerboard",
            lambda: AffineCoupling(
                "checkerboard", hidden_units=(4,), activation="tanh"
            ),
            IMAGE,
        ),
        (
            "channel",
            lambda: AffineCoupling(
                "channel", reverse=True, hidden_units=(4, 4), activation="tanh"
            ),
            IMAGE,
        ),
        ("actnorm", ActNorm, IMAGE),
        ("batch_norm", FlowBatchNormalization, VECTOR),
        ("squeeze", Squeeze, IMAGE),
        ("logit", lambda: LogitTransform(0.05), VECTOR),
        ("permutation", lambda: Permutation([2, 0, 3, 1]), VECTOR),
        (
            "maf",
            lambda: MaskedAutoregressiveTransform(
                (8, 8), activation="tanh", ordering=[3, 1, 0, 2]
            ),
            VECTOR,
        ),
    ]


def _data(shape, name, seed=1):
    rng = np.random.default_rng(seed)
    if name == "logit":
        return rng.uniform(0.05, 0.95, size=shape).astype("float32")
    return rng.normal(size=shape).astype("float32")


@pytest.mark.parametrize(
    "name,make,shape", cases(), ids=[c[0] for c in cases()]
)
def test_inverse_and_log_det_match_a_numerical_jacobian(name, make, shape):
    layer = randomize(make(), shape)
    if name == "batch_norm":  # moving statistics away from 0 and 1
        layer.moving_mean.assign([0.5, -1.0, 0.2, 0.0])
        layer.moving_variance.assign([2.0, 0.5, 1.0, 3.0])
    x = _data(shape, name)
    y, log_det = layer.transform(x)
    x_again, inverse_log_det = layer.inverse_transform(y)
    np.testing.assert_allclose(numpy(x_again), x, atol=1e-4)
    np.testing.assert_allclose(
        numpy(inverse_log_det), -numpy(log_det), atol=1e-4
    )
    expected = numerical_log_det(lambda v: layer.transform(v)[0], x)
    np.testing.assert_allclose(numpy(log_det), expected, atol=2e-2)
    # The layer really transforms something (it is not the identity).
    if name not in ("squeeze", "permutation"):
        assert np.abs(numpy(log_det)).max() > 1e-2


def test_coupling_leaves_the_masked_half_unchanged():
    layer = randomize(AffineCoupling("checkerboard", hidden_units=(4,)), IMAGE)
    x = _data(IMAGE, "x")
    y = numpy(layer.transform(x)[0])
    kept = layer.mask_values.astype(bool) & np.ones(IMAGE, bool)
    np.testing.assert_allclose(y[kept], x[kept], atol=1e-6)
    assert np.abs(y[~kept] - x[~kept]).min() > 0


def test_maf_layer_is_autoregressive():
    layer = randomize(
        MaskedAutoregressiveTransform((8,), ordering=[2, 0, 1, 3]), VECTOR
    )
    x = _data(VECTOR, "x")
    base = numpy(layer.transform(x)[0])
    order = [2, 0, 1, 3]
    for position, index in enumerate(order):
        moved = x.copy()
        moved[:, index] += 1.0
        changed = (
            np.abs(numpy(layer.transform(moved)[0]) - base).max(axis=0) > 1e-6
        )
        # Only the perturbed feature and those after it in the order change.
        assert set(np.flatnonzero(changed)) <= set(order[position:])


def test_squeeze_moves_2x2_blocks_into_channels():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    y = numpy(Squeeze().transform(x)[0])
    assert y.shape == (1, 2, 2, 4)
    np.testing.assert_array_equal(y[0, 0, 0], [0, 1, 4, 5])
    np.testing.assert_array_equal(y[0, 1, 1], [10, 11, 14, 15])


def test_actnorm_initialises_from_the_first_training_batch():
    x = (_data((64, 3, 3, 2), "x") * [2.0, 0.5] + [1.0, -3.0]).astype("float32")
    layer = ActNorm()
    y = numpy(layer.transform(x, training=True)[0])
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-4)
    assert float(numpy(layer.initialized)) == 1.0
    offsets = numpy(layer.initial_bias)
    layer.transform(x * 5.0, training=True)  # no second initialisation
    np.testing.assert_allclose(numpy(layer.initial_bias), offsets)


def test_actnorm_initialises_inside_fit_and_the_state_is_saved(tmp_path):
    x = (_data((32, 3), "x") * [2.0, 0.5, 1.0] + [1.0, -3.0, 0.0]).astype(
        "float32"
    )
    flow = NormalizingFlow((3,), [ActNorm()], seed=0)
    flow.compile(optimizer=keras.optimizers.SGD(0.0))
    flow.fit(x, epochs=1, batch_size=32, shuffle=False, verbose=0)
    layer = flow.bijectors[0]
    np.testing.assert_allclose(
        numpy(layer.initial_bias), -x.mean(0), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        numpy(layer.initial_log_scale), -np.log(x.std(0)), atol=1e-4
    )
    loaded = assert_round_trip(flow, tmp_path, call=lambda m: m.log_prob(x))
    assert float(numpy(loaded.bijectors[0].initialized)) == 1.0


def test_batch_norm_uses_batch_statistics_in_training():
    x = (_data((256, 4), "x") * 3.0 + 2.0).astype("float32")
    layer = FlowBatchNormalization(momentum=0.5)
    y, log_det = layer.transform(x, training=True)
    np.testing.assert_allclose(numpy(y).mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(
        numpy(log_det), -0.5 * np.log(x.var(0) + 1e-5).sum(), rtol=1e-5
    )
    np.testing.assert_allclose(
        numpy(layer.moving_mean), 0.5 * x.mean(0), rtol=1e-5
    )


@pytest.mark.parametrize(
    "layer,shape,message",
    [
        (AffineCoupling("channel"), (1, 4, 4, 3), "even number of channels"),
        (AffineCoupling("checkerboard"), (1, 4), "does not fit"),
        (AffineCoupling("alternate"), (1, 1), "nothing to transform"),
        (Squeeze(), (1, 5, 4, 1), "divisible by 2"),
        (Permutation([1, 0]), (1, 3), "last axis"),
        (MaskedAutoregressiveTransform(), (1, 2, 2), "vectors"),
    ],
)
def test_non_invertible_settings_are_rejected(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer.build(shape)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: AffineCoupling("diagonal"), "mask"),
        (lambda: AffineCoupling(kernel_size=2), "odd"),
        (lambda: AffineCoupling(hidden_units=()), "at least one"),
        (lambda: LogitTransform(0.5), "alpha"),
        (lambda: Permutation([0, 0, 1]), "exactly once"),
        (lambda: FlowBatchNormalization(momentum=1.0), "momentum"),
        (lambda: ActNorm(epsilon=0), "epsilon"),
    ],
)
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: AffineCoupling("checkerboard", hidden_units=(4,)),
        lambda: MaskedAutoregressiveTransform((8,), ordering=[1, 0, 3, 2]),
        lambda: Permutation("reverse"),
    ],
)
def test_layers_round_trip_their_config(make):
    layer = make()
    restored = type(layer).from_config(layer.get_config())
    assert restored.get_config() == layer.get_config()


# ---------------------------------------------------- TensorFlow Probability


@pytest.fixture
def tfb():
    if not TF:
        pytest.skip("TensorFlow Probability is a reference on TensorFlow only")
    return pytest.importorskip("tensorflow_probability").bijectors


def test_affine_coupling_matches_tfp_real_nvp(tfb):
    layer = randomize(
        AffineCoupling("half", hidden_units=(8,), activation="tanh"), VECTOR
    )
    x = _data(VECTOR, "x")

    def shift_and_log_scale(x0, output_units):
        full = ops.concatenate([x0, ops.zeros_like(x0)], axis=-1)
        shift, log_scale = layer._shift_and_log_scale(full)
        return shift[..., 2:], log_scale[..., 2:]

    reference = tfb.RealNVP(
        num_masked=2, shift_and_log_scale_fn=shift_and_log_scale
    )
    y, log_det = layer.transform(x)
    np.testing.assert_allclose(numpy(y), numpy(reference.forward(x)), atol=1e-5)
    np.testing.assert_allclose(
        numpy(log_det),
        numpy(reference.forward_log_det_jacobian(x, event_ndims=1)),
        atol=1e-5,
    )


def test_masked_autoregressive_transform_matches_tfp_maf(tfb):
    layer = randomize(
        MaskedAutoregressiveTransform((8, 8), activation="tanh"), VECTOR
    )
    reference = tfb.MaskedAutoregressiveFlow(
        shift_and_log_scale_fn=lambda x: layer.shift_and_log_scale(x)
    )
    x = _data(VECTOR, "x")
    u, log_det = layer.transform(x)
    np.testing.assert_allclose(numpy(u), numpy(reference.inverse(x)), atol=1e-5)
    np.testing.assert_allclose(
        numpy(log_det),
        numpy(reference.inverse_log_det_jacobian(x, event_ndims=1)),
        atol=1e-5,
    )
    # kgen's sequential inverse is TFP's forward (sampling direction).
    np.testing.assert_allclose(
        numpy(layer.inverse_transform(u)[0]),
        numpy(reference.forward(u)),
        atol=1e-4,
    )


def test_actnorm_and_logit_match_tfp_shift_scale_sigmoid(tfb):
    layer = randomize(ActNorm(), IMAGE)
    x = _data(IMAGE, "x")
    reference = tfb.Chain(
        [tfb.Scale(ops.exp(layer.log_scale)), tfb.Shift(layer.bias)]
    )
    np.testing.assert_allclose(
        numpy(layer.transform(x)[0]), numpy(reference.forward(x)), atol=1e-5
    )
    np.testing.assert_allclose(
        numpy(layer.transform(x)[1]),
        numpy(reference.forward_log_det_jacobian(x, event_ndims=3)),
        atol=1e-4,
    )
    logit = LogitTransform(0.05)
    reference = tfb.Chain(
        [tfb.Invert(tfb.Sigmoid()), tfb.Shift(0.05), tfb.Scale(0.9)]
    )
    p = _data(VECTOR, "logit")
    np.testing.assert_allclose(
        numpy(logit.transform(p)[0]), numpy(reference.forward(p)), atol=1e-4
    )
    np.testing.assert_allclose(
        numpy(logit.transform(p)[1]),
        numpy(reference.forward_log_det_jacobian(p, event_ndims=1)),
        atol=1e-4,
    )
