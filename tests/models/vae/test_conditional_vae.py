import keras
import numpy as np
import pytest

from kgen.datasets import load_digits
from kgen.models import ConditionalVAE
from kgen.models import dense_decoder
from kgen.models import dense_encoder
from kgen.testing import assert_round_trip

(X, Y), _ = load_digits("binary")
X, Y = X[:64], Y[:64]


def _model(**kwargs):
    return ConditionalVAE.dense(
        (64,), 2, hidden_units=(16,), num_classes=10, seed=0, **kwargs
    )


def test_fit_takes_labels_as_y_or_as_a_second_input():
    for data in ((X, Y), ([X, Y],)):
        model = _model()
        model.compile(optimizer="adam")
        history = model.fit(*data, epochs=1, batch_size=32, verbose=0)
        assert np.isfinite(history.history["negative_elbo"][0])
    assert model.predict([X[:4], Y[:4]], verbose=0).shape == (4, 64)


def test_iwae_objective_uses_each_input_with_its_own_label():
    model = _model(importance_samples=4)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(X, Y, epochs=30, batch_size=32, verbose=0)  # labels matter
    x, y = np.tile(X, (40, 1)), np.tile(Y, 40)
    loss = model.evaluate(x, y, batch_size=len(x), verbose=0)[0]
    bound = model.log_likelihood(x, labels=y, num_samples=4, seed=0)
    np.testing.assert_allclose(
        loss, -bound.mean(), atol=4 * bound.std() / np.sqrt(len(x))
    )
    shuffled = model.log_likelihood(x, labels=y[::-1], num_samples=4, seed=0)
    assert abs(loss + shuffled.mean()) > 8 * bound.std() / np.sqrt(len(x))


def test_generation_follows_the_labels():
    model = _model()
    ones, twos = (
        model.generate(4, seed=0, labels=1),
        model.generate(4, seed=0, labels=2),
    )
    assert ones.shape == (4, 64) and not np.allclose(ones, twos)
    np.testing.assert_allclose(
        model.generate(4, seed=0, labels=[1, 1, 1, 1]), ones
    )
    cycled = model.generate(12, seed=0)  # labels 0..9, 0, 1
    np.testing.assert_allclose(
        cycled[1], model.generate(12, seed=0, labels=np.arange(12) % 10)[1]
    )
    z = np.zeros((2, 2), "float32")
    assert not np.allclose(
        model.decode(z, labels=[3, 3]), model.decode(z, labels=[4, 4])
    )


def test_label_aware_methods():
    model = _model()
    assert model.encode(X[:3], labels=Y[:3]).shape == (3, 2)
    assert model.reconstruct(X[:3], labels=Y[:3]).shape == (3, 64)
    assert model.interpolate(
        X[:2], X[2:4], num_steps=3, labels=Y[:2]
    ).shape == (2, 3, 64)
    assert model.log_likelihood(X[:5], labels=Y[:5], num_samples=4).shape == (
        5,
    )


def test_round_trip(tmp_path):
    model = _model()
    model.compile(optimizer="adam")
    model.fit(X, Y, epochs=1, batch_size=32, verbose=0)
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.generate(3, seed=0, labels=7)
    )
    assert loaded.num_classes == 10


def test_label_errors():
    model = _model()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="inputs are `\\[x, labels\\]`"):
        model.fit(X, verbose=0)
    with pytest.raises(ValueError, match=r"integer class ids in \[0, 9\]"):
        model.fit(X, Y + 1, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(64,\)"):
        model.fit(X, Y[:10], verbose=0)
    with pytest.raises(ValueError, match="needs `labels`"):
        model.encode(X)
    with pytest.raises(ValueError, match=r"integer class ids in \[0, 9\]"):
        model.generate(3, labels=-1)
    with pytest.raises(ValueError, match="two inputs"):
        ConditionalVAE(
            dense_encoder((64,), 4), dense_decoder(2, (64,)), num_classes=10
        )
    with pytest.raises(ValueError, match="two inputs"):
        ConditionalVAE(
            dense_encoder((64,), 4, num_classes=3),
            dense_decoder(2, (64,), num_classes=3),
            num_classes=10,
        )
    with pytest.raises(ValueError, match="num_classes"):
        ConditionalVAE.dense((64,), 2, num_classes=1)
