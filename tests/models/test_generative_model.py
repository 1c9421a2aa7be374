import keras
import numpy as np
import pytest
from keras import ops

from kgen.models import GenerativeModel
from kgen.testing import TwoLinearMaps


class _Noise(GenerativeModel):
    def sample(self, num_samples, seed, scale=1.0):
        return scale * keras.random.normal((num_samples, 3), seed=seed)


def test_generate_with_int_seed_is_reproducible():
    model = _Noise(seed=1)
    first = model.generate(5, seed=7)
    np.testing.assert_array_equal(first, model.generate(5, seed=7))
    assert first.shape == (5, 3) and isinstance(first, np.ndarray)
    assert not np.allclose(first, model.generate(5, seed=8))


def test_generate_without_seed_advances_the_model_stream():
    model = _Noise(seed=1)
    assert not np.allclose(model.generate(4), model.generate(4))
    np.testing.assert_allclose(model.generate(4, scale=0.0), 0.0)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10", True])
def test_generate_rejects_bad_num_samples(bad):
    with pytest.raises(ValueError, match="num_samples"):
        _Noise().generate(bad)


def test_seed_must_be_a_non_negative_int():
    with pytest.raises(ValueError, match="seed"):
        _Noise(seed=-1)


def test_sample_is_required():
    with pytest.raises(NotImplementedError, match="sample"):
        GenerativeModel().generate(2)


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros((0, 3), "float32"), "empty"),
        (np.array([[0.0, np.nan, 1.0]], "float32"), "NaN or infinite"),
    ],
)
def test_fit_rejects_bad_data(x, message):
    model = TwoLinearMaps()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=message):
        model.fit(x, np.zeros((len(x), 2), "float32"), verbose=0)


def test_seed_state_is_saved_and_restored(tmp_path):
    model = TwoLinearMaps(seed=4)
    keras.random.normal((2,), seed=model.seed_generator)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(loaded.seed_generator.state),
        ops.convert_to_numpy(model.seed_generator.state),
    )
