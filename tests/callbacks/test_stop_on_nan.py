import keras
import numpy as np
import pytest

from kgen.callbacks import StopOnNaN
from kgen.testing import TwoLinearMaps


def test_diverging_training_raises_naming_the_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32") * 1e3
    y = rng.normal(size=(16, 2)).astype("float32")
    model = TwoLinearMaps()
    model.compile(optimizer=keras.optimizers.SGD(1e6))
    with pytest.raises(
        FloatingPointError, match=r"epoch 1, batch \d+: \{'a_loss'"
    ):
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)


def test_finite_training_is_not_interrupted():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model = TwoLinearMaps()
    model.compile(optimizer="sgd")
    history = model.fit(
        x, y, batch_size=4, epochs=2, verbose=0, callbacks=[StopOnNaN()]
    )
    assert len(history.history["a_loss"]) == 2


def test_model_is_usable_after_the_error():
    # On JAX the check runs on a worker thread while the next steps run; the
    # model must still hold its newest weights afterwards. Several runs,
    # because a race would show only in some.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32") * 1e3
    y = rng.normal(size=(64, 2)).astype("float32")
    for _ in range(5):
        model = TwoLinearMaps()
        model.compile(optimizer=keras.optimizers.SGD(1e6))
        with pytest.raises(FloatingPointError):
            model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        weights = model.map_a.kernel.numpy()
        assert not np.isfinite(
            weights
        ).all()  # the diverged weights, not stale ones
        logs = model.evaluate(x, y, verbose=0, return_dict=True)
        assert set(logs) >= {"a_loss", "b_loss"}
