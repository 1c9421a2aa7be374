import numpy as np
import pytest

from kgen.utils import check_array
from kgen.utils import check_integer
from kgen.utils import seed_generator


def test_check_array_accepts_valid_data():
    out = check_array([[0, 1], [1, 0]], feature_shape=(2,), low=0, high=1)
    assert out.dtype == np.float32 and out.shape == (2, 2)


@pytest.mark.parametrize(
    "x, kwargs, message",
    [
        (np.zeros((0, 4)), {}, r"empty: received an array of shape \(0, 4\)"),
        (
            np.ones((3, 5)),
            {"feature_shape": (4,)},
            r"shape \(4,\).*Received shape \(3, 5\)",
        ),
        (
            np.array([[0.0, np.inf]]),
            {},
            r"1 NaN or infinite values \(the first at index \(0, 1\)",
        ),
        (
            np.array([[0.0, 2.0]]),
            {"low": 0, "high": 1, "range_hint": "Divide by 16."},
            r"\[0, 1\]. Received values in \[0, 2\]. Divide by 16.",
        ),
        (np.array([["a"]]), {}, "must hold numbers"),
    ],
)
def test_check_array_errors(x, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_array(x, **kwargs)


def test_check_array_wildcard_feature_shape():
    assert check_array(
        np.zeros((2, 8, 8, 3)), feature_shape=(None, None, 3)
    ).shape == (2, 8, 8, 3)


@pytest.mark.parametrize("value", [0, 1.0, "2", None, False])
def test_check_integer_errors(value):
    with pytest.raises(ValueError, match=r"`k` must be an integer >= 1"):
        check_integer(value, "k")


def test_seed_generator_resolves_seed_arguments():
    import keras

    own = keras.random.SeedGenerator(1)
    assert seed_generator(None, default=own) is own
    assert seed_generator(own) is own
    fresh = seed_generator(3)
    assert isinstance(fresh, keras.random.SeedGenerator) and fresh is not own
    same = [
        keras.random.uniform((2,), seed=seed_generator(3)) for _ in range(2)
    ]
    np.testing.assert_array_equal(
        *[keras.ops.convert_to_numpy(s) for s in same]
    )
    with pytest.raises(ValueError, match="seed"):
        seed_generator(-2)
