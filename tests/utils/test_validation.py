import numpy as np
import pytest

from kgen.utils import check_array
from kgen.utils import check_bool
from kgen.utils import check_choice
from kgen.utils import check_integer
from kgen.utils import check_labels
from kgen.utils import check_number
from kgen.utils import one_hot
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


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (True, {}, r"`w` must be a number. Received: w=True of type bool"),
        (np.bool_(False), {}, "of type bool"),
        ("1", {}, "of type str"),
        (None, {}, "of type NoneType"),
        (float("nan"), {}, r"Received: w=nan"),
        (float("inf"), {"low": 0}, r"must be a number >= 0. Received: w=inf"),
        (-0.5, {"low": 0}, r">= 0. Received: w=-0.5"),
        (0, {"low": 0, "low_open": True}, r"> 0. Received: w=0"),
        (1.0, {"low": 0, "high": 1, "high_open": True}, r"in \[0, 1\)"),
        (2, {"high": 1, "hint": "Lower it."}, r"<= 1. Received: w=2. Lower"),
    ],
)
def test_check_number_errors(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_number(value, "w", **kwargs)


def test_check_number_accepts_python_and_numpy_numbers():
    assert check_number(1, "w") == 1.0
    assert isinstance(check_number(np.float32(0.5), "w", low=0, high=1), float)
    assert check_number(np.int64(0), "w", low=0) == 0.0


def test_check_integer_maximum():
    assert check_integer(np.int32(3), "k", 0, 3) == 3
    with pytest.raises(ValueError, match=r"integer >= 0 and <= 3. Received"):
        check_integer(4, "k", 0, 3)


def test_check_labels_normalises_labels():
    np.testing.assert_array_equal(
        check_labels([[0.0], [2.0]], 3), np.array([0, 2], "int32")
    )
    np.testing.assert_array_equal(
        check_labels(1, 3, num_samples=2), np.array([1, 1], "int32")
    )


@pytest.mark.parametrize(
    "labels, kwargs, message",
    [
        (None, {}, "`labels` is required"),
        (np.eye(3), {}, r"shape \(num_samples,\).*np.argmax"),
        ([0, 1], {"num_samples": 3}, r"shape \(3,\).*Received shape \(2,\)"),
        ([0.5, 1.0], {}, r"integer class ids in \[0, 2\]"),
        ([0, 3], {}, r"Received values in \[0, 3\]"),
        ([-1, 0], {}, r"Received values in \[-1, 0\]"),
        (["a"], {}, "Received dtype <U1"),
    ],
)
def test_check_labels_errors(labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_labels(labels, 3, **kwargs)


def test_one_hot_matches_numpy():
    import keras

    codes = keras.ops.convert_to_numpy(one_hot(np.array([[2.0], [0.0]]), 3))
    np.testing.assert_array_equal(codes, np.eye(3, dtype="float32")[[2, 0]])


def test_check_choice_returns_a_valid_value():
    assert check_choice("a", "mode", ("a", "b")) == "a"
    assert check_choice(None, "binarize", (None, "threshold")) is None


def test_check_choice_names_the_choices_and_the_value():
    with pytest.raises(
        ValueError,
        match=r"`mode` must be one of \('a', 'b'\) or a callable\. "
        r"Received: mode='c'\.",
    ):
        check_choice("c", "mode", ("a", "b"), " or a callable")


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_check_bool_accepts_booleans(value):
    result = check_bool(value, "flag")
    assert type(result) is bool and result == bool(value)


@pytest.mark.parametrize("value", [1, 0.0, "false", None])
def test_check_bool_refuses_other_values(value):
    with pytest.raises(ValueError, match=r"`flag` must be True or False\. "):
        check_bool(value, "flag")
