"""Bad inputs get kgen's errors before anything is built or trained, streamed
data is checked like arrays, and public methods take NumPy arrays, backend
tensors and Python lists or floats alike."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen

_RNG = np.random.default_rng(0)
_BITS = (_RNG.random((8, 6)) > 0.5).astype("float32")


def _rbm():
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(3), monitor_samples=0, seed=0
    )
    model.compile(optimizer="sgd")
    return model


def _weights(model):
    return [np.array(v) for v in model.weights]


def test_first_fit_on_3d_data_builds_nothing():
    model = _rbm()
    with pytest.raises(ValueError, match=r"Received shape \(8, 2, 3\)"):
        model.fit(_BITS.reshape(8, 2, 3), epochs=1, verbose=0)
    assert not model.built
    model.fit(_BITS, batch_size=4, epochs=1, verbose=0)
    assert model.layer.num_visible == 6


def _gan():
    return kgen.models.GAN(
        kgen.models.build_mlp_generator(2, (6,), hidden_units=(4,)),
        kgen.models.build_mlp_discriminator((6,), (4,)),
        latent_dim=2,
    )


@pytest.mark.parametrize(
    "build, x, message",
    [
        (_rbm, _BITS[:, :5], r"samples of shape \(6,\)"),
        (
            lambda: kgen.models.VAE.dense((6,), 2, hidden_units=(4,)),
            _BITS[:, :5],
            r"samples of shape \(6,\)",
        ),
        (_gan, _BITS, r"samples of shape \(2,\)"),
        (
            lambda: kgen.models.BoltzmannMachine(6, seed=0),
            _BITS[:, :4],
            r"samples of shape \(6,\)",
        ),
    ],
)
def test_predict_on_the_wrong_width_gets_kgens_error(build, x, message):
    model = build()
    if isinstance(model, kgen.models.RBM):
        model.fit(_BITS, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=message):
        model.predict(x, verbose=0)
    with pytest.raises(ValueError, match="received x=None"):
        model.predict(None, verbose=0)


def _out_of_range_batches():
    yield _BITS[:4] * 2.0
    yield _BITS[4:]


class _Batches(keras.utils.PyDataset):
    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


@pytest.mark.parametrize(
    "stream",
    [
        _out_of_range_batches,
        lambda: _Batches([_BITS[:4] * 2.0, _BITS[4:]]),
    ],
    ids=["generator", "py_dataset"],
)
def test_streamed_out_of_range_data_is_refused(stream):
    model = kgen.models.BoltzmannMachine(6, seed=0)
    model.compile(optimizer="sgd")
    before = _weights(model)
    with pytest.raises(ValueError, match=r"Batch 0 of the streamed `x`.*\[0"):
        model.fit(stream(), epochs=1, verbose=0, shuffle=False)
    for a, b in zip(before, _weights(model)):
        np.testing.assert_array_equal(a, b)
    if isinstance(stream(), keras.utils.PyDataset):
        with pytest.raises(ValueError, match="streamed `validation_data`"):
            model.fit(_BITS, validation_data=stream(), epochs=1, verbose=0)


def test_streamed_valid_data_trains_like_arrays():
    model = kgen.models.BoltzmannMachine(6, seed=0)
    model.compile(optimizer="sgd")
    history = model.fit(
        _Batches([_BITS[:4], (_BITS[4:],)]), epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.data needs TensorFlow"
)
def test_tf_data_first_batch_is_checked():
    import tensorflow as tf

    model = kgen.models.BoltzmannMachine(6, seed=0)
    model.compile(optimizer="sgd")
    data = tf.data.Dataset.from_tensor_slices(_BITS * 3.0).batch(4)
    before = _weights(model)
    with pytest.raises(ValueError, match=r"Batch 0 of the streamed `x`"):
        model.fit(data, epochs=1, verbose=0)
    for a, b in zip(before, _weights(model)):
        np.testing.assert_array_equal(a, b)


# Public methods: NumPy, backend tensor and Python list inputs agree. -------


def _vae():
    return kgen.models.VAE.dense((6,), 2, hidden_units=(4,), seed=0)


def _autoencoder():
    return kgen.models.Autoencoder.dense(
        (6,), 2, hidden_units=(4,), reconstruction_loss="mse"
    )


_METHODS = [
    (lambda: kgen.models.BoltzmannMachine(6, seed=0), "energy", _BITS),
    (lambda: kgen.models.BoltzmannMachine(6, seed=0), "log_likelihood", _BITS),
    (_vae, "encode", _BITS),
    (_vae, "decode", _BITS[:, :2]),
    (_vae, "reconstruct", _BITS),
    (_autoencoder, "encode", _BITS),
    (_autoencoder, "decode", _BITS[:, :2]),
    (lambda: kgen.models.NADE(6, num_hidden=3, seed=0), "log_prob", _BITS),
    (
        lambda: kgen.models.MADE(6, hidden_units=(8,), seed=0),
        "log_prob",
        _BITS,
    ),
    (
        lambda: kgen.models.MAF((6,), num_layers=1, hidden_units=(8,)),
        "log_prob",
        _BITS,
    ),
    (_gan, "predict", _BITS[:, :2]),
]


def _numpy(value):
    return keras.tree.map_structure(
        lambda v: np.asarray(ops.convert_to_numpy(v)), value
    )


@pytest.mark.parametrize(
    "build, method, x",
    _METHODS,
    ids=[f"{i}-{case[1]}" for i, case in enumerate(_METHODS)],
)
def test_public_methods_take_numpy_tensors_and_lists(build, method, x):
    model = build()
    call = getattr(model, method)
    kwargs = {"verbose": 0} if method == "predict" else {}
    reference = _numpy(call(x, **kwargs))
    for kind in (ops.convert_to_tensor(x), x.tolist()):
        keras.tree.map_structure(
            lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5),
            _numpy(call(kind, **kwargs)),
            reference,
        )


def test_python_and_numpy_floats_are_alike():
    model = kgen.models.BoltzmannMachine(4, seed=0)
    values = [model.log_partition(temperature=t) for t in (2, 2.0)]
    values.append(model.log_partition(temperature=np.float32(2.0)))
    np.testing.assert_allclose(values, values[0], rtol=1e-6)
    with pytest.raises(ValueError, match="of type bool"):
        model.log_partition(temperature=True)


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda v: kgen.models.VAE.dense((6,), 2, beta=v), "beta"),
        (lambda v: _rbm_with(weight_decay=v), "weight_decay"),
        (
            lambda v: kgen.models.BoltzmannMachine(4, temperature=v),
            "temperature",
        ),
        (lambda v: kgen.layers.WeightAverage(_dense(), decay=v), "decay"),
        (lambda v: kgen.layers.FlowBatchNormalization(momentum=v), "momentum"),
        (
            lambda v: kgen.losses.AdversarialLoss(label_smoothing=v),
            "label_smoothing",
        ),
        (
            lambda v: kgen.layers.SpectralNormalization(
                keras.layers.Dense(2), power_iterations=v
            ),
            "power_iterations",
        ),
    ],
)
def test_booleans_are_refused_where_numbers_are_expected(build, name):
    with pytest.raises(ValueError, match=rf"`{name}` must be .*of type bool"):
        build(True)


def _rbm_with(**kwargs):
    return kgen.models.RBM(kgen.layers.BernoulliRBM(3), **kwargs)


def _dense():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    return layer
