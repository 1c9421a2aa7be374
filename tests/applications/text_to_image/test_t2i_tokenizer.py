"""CaptionTokenizer: ids, round trip, unknown words, limits, serialisation."""

import json

import keras
import numpy as np
import pytest

from kgen.applications.text_to_image import CaptionTokenizer

CAPTIONS = ["a red seven", "a thick blue seven", "A red two, on the LEFT"]


def _tokenizer(**kwargs):
    return CaptionTokenizer(max_length=6, **kwargs).adapt(CAPTIONS)


def test_vocabulary_is_sorted_by_frequency_then_alphabetically():
    tokenizer = _tokenizer()
    # a: 3, red/seven: 2, the rest once (alphabetical).
    assert tokenizer.vocabulary == [
        "a",
        "red",
        "seven",
        "blue",
        "left",
        "on",
        "the",
        "thick",
        "two",
    ]
    assert tokenizer.vocabulary_size == 11


def test_ids_pad_at_the_end_and_round_trip():
    tokenizer = _tokenizer()
    ids = tokenizer(["a red two", "the thick seven on the left"])
    expected_first = [2, 3, 10, 0, 0, 0]
    np.testing.assert_array_equal(ids[0], expected_first)
    assert ids.dtype == np.int32 and ids.shape == (2, 6)
    assert tokenizer.decode(ids) == ["a red two", "the thick seven on the left"]
    # Case and punctuation are normalised.
    assert tokenizer.decode(tokenizer(["A RED, two!"])) == ["a red two"]


def test_unknown_words_become_the_oov_id():
    tokenizer = _tokenizer()
    ids = tokenizer(["a purple seven", "zebra"])
    np.testing.assert_array_equal(ids[0, :3], [2, 1, 4])
    np.testing.assert_array_equal(ids[1], [1, 0, 0, 0, 0, 0])
    assert tokenizer.decode(ids) == ["a <unk> seven", "<unk>"]


def test_max_vocabulary_size_maps_rare_words_to_oov():
    tokenizer = _tokenizer(max_vocabulary_size=5)
    assert tokenizer.vocabulary == ["a", "red", "seven"]
    assert tokenizer(["a thick seven"])[0, 1] == 1


def test_long_captions_raise_or_truncate():
    long = "a very very long caption with many words"
    with pytest.raises(
        ValueError, match="more than the tokenizer's max_length"
    ):
        _tokenizer()([long])
    ids = _tokenizer(truncate=True)([long])
    assert _tokenizer().decode(ids) == ["a <unk> <unk> <unk> <unk> <unk>"]


@pytest.mark.parametrize(
    "captions, message",
    [
        (["a red two", "  ,. "], "Caption 1 has no word"),
        ([], "no caption"),
        ("a red two", "not a single string"),
        ([3], "must be strings"),
    ],
)
def test_bad_captions_are_rejected(captions, message):
    with pytest.raises(ValueError, match=message):
        _tokenizer()(captions)


def test_unadapted_tokenizer_and_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="no vocabulary yet"):
        CaptionTokenizer()(["a red two"])
    with pytest.raises(ValueError, match="max_length"):
        CaptionTokenizer(max_length=0)
    with pytest.raises(ValueError, match="distinct lower-case"):
        CaptionTokenizer(vocabulary=["Red", "red"])
    with pytest.raises(ValueError, match="Word ids must be in"):
        _tokenizer().decode(np.array([[99]]))


def test_serialisation_round_trip():
    tokenizer = _tokenizer()
    config = json.loads(
        json.dumps(keras.saving.serialize_keras_object(tokenizer))
    )
    restored = keras.saving.deserialize_keras_object(config)
    assert isinstance(restored, CaptionTokenizer)
    assert restored.get_config() == tokenizer.get_config()
    np.testing.assert_array_equal(
        restored(CAPTIONS + ["a purple two"]),
        tokenizer(CAPTIONS + ["a purple two"]),
    )
