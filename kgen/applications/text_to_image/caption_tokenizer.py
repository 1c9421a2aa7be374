"""A word tokenizer in Python and NumPy that works on every Keras backend."""

import collections
import re

import keras
import numpy as np

from kgen.utils.validation import check_bool
from kgen.utils.validation import check_integer

PAD, OOV = "<pad>", "<unk>"
_WORD = re.compile(r"[a-z0-9]+")


@keras.saving.register_keras_serializable(package="kgen")
class CaptionTokenizer:
    """Turns captions into fixed-length arrays of word ids, on any backend.

    Captions are lower-cased and split into words of letters and digits
    (punctuation separates words and is dropped). Id 0 is padding
    (`"<pad>"`), id 1 the out-of-vocabulary token (`"<unk>"`) that every
    unknown word becomes, and the vocabulary, learnt by `adapt`, holds the
    most frequent words from id 2 on (ties broken alphabetically, so the
    same captions always give the same ids). Ids are padded at the end to
    `max_length`, ready for a `keras.layers.Embedding(mask_zero=True)`.

    Unlike `keras.layers.TextVectorization`, which runs TensorFlow string
    ops, this tokenizer is plain Python, so the same model loads on JAX,
    PyTorch and TensorFlow; it is serialisable (`get_config` holds the
    vocabulary).

    Captions longer than `max_length` words raise an error by default
    (`truncate=False`), so that no attribute at the end of a long caption
    is dropped silently; with `truncate=True` they keep their first
    `max_length` words. Empty captions (no word at all) always raise.

    Args:
        max_length: int >= 1, number of ids per caption.
        vocabulary: list of words (ids 2, 3, ...), or `None` to learn one
            with `adapt`.
        max_vocabulary_size: int >= 3 or `None`: keep at most this many
            ids, padding and `"<unk>"` included, when adapting.
        truncate: `False` to refuse captions longer than `max_length`
            words, `True` to cut them.

    Example:

    ```python
    tokenizer = CaptionTokenizer(max_length=8)
    tokenizer.adapt(["a red seven", "a thick blue two"])
    tokenizer(["a red two", "a purple seven"])  # "purple" -> id 1
    tokenizer.decode(tokenizer(["a red two"]))  # ["a red two"]
    ```
    """

    def __init__(
        self,
        max_length=16,
        vocabulary=None,
        max_vocabulary_size=None,
        truncate=False,
    ):
        self.max_length = check_integer(max_length, "max_length")
        if max_vocabulary_size is not None:
            check_integer(max_vocabulary_size, "max_vocabulary_size", 3)
        self.max_vocabulary_size = max_vocabulary_size
        self.truncate = check_bool(truncate, "truncate")
        self.vocabulary = None
        self._ids = None
        if vocabulary is not None:
            self._set_vocabulary(vocabulary)

    @property
    def vocabulary_size(self):
        """Number of ids, padding and `"<unk>"` included."""
        self._check_adapted()
        return len(self.vocabulary) + 2

    @staticmethod
    def split(caption):
        """The words of one caption (lower-cased, punctuation dropped)."""
        if not isinstance(caption, str):
            raise ValueError(
                "Captions must be strings. Received "
                f"{type(caption).__name__}: {caption!r}."
            )
        return _WORD.findall(caption.lower())

    def adapt(self, captions):
        """Learns the vocabulary from captions (most frequent words first).

        Args:
            captions: an iterable of strings.

        Returns:
            The tokenizer itself.
        """
        captions = _as_caption_list(captions)
        counts = collections.Counter(
            word for caption in captions for word in self.split(caption)
        )
        words = sorted(counts, key=lambda word: (-counts[word], word))
        if self.max_vocabulary_size is not None:
            words = words[: self.max_vocabulary_size - 2]
        self._set_vocabulary(words)
        return self

    def __call__(self, captions):
        """Word ids of captions: an int32 array `(num_captions, max_length)`.

        Unknown words become 1 (`"<unk>"`), padding is 0.

        Raises:
            ValueError: for an empty list, a caption with no word, or (with
                `truncate=False`) a caption longer than `max_length` words.
        """
        self._check_adapted()
        captions = _as_caption_list(captions)
        ids = np.zeros((len(captions), self.max_length), dtype="int32")
        for row, caption in enumerate(captions):
            words = self.split(caption)
            if not words:
                raise ValueError(
                    f"Caption {row} has no word: {caption!r}. Captions need "
                    "at least one word of letters or digits."
                )
            if len(words) > self.max_length and not self.truncate:
                raise ValueError(
                    f"Caption {row} has {len(words)} words, more than the "
                    f"tokenizer's max_length={self.max_length}: {caption!r}. "
                    "Shorten it, or build the tokenizer with a larger "
                    "`max_length` or `truncate=True`."
                )
            words = words[: self.max_length]
            ids[row, : len(words)] = [self._ids.get(w, 1) for w in words]
        return ids

    def decode(self, ids):
        """Captions back from word ids (padding dropped).

        Args:
            ids: int array `(num_captions, length)`.

        Returns:
            A list of strings, words joined by single spaces.
        """
        self._check_adapted()
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(
                "`ids` must be an integer array (num_captions, length). "
                f"Received shape {ids.shape}, dtype {ids.dtype}."
            )
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocabulary_size):
            raise ValueError(
                f"Word ids must be in [0, {self.vocabulary_size}). Received "
                f"values in [{ids.min()}, {ids.max()}]."
            )
        words = [PAD, OOV] + self.vocabulary
        return [" ".join(words[i] for i in row if i) for row in ids]

    def _set_vocabulary(self, vocabulary):
        words = list(vocabulary)
        bad = [w for w in words if self.split(w) != [w]]
        if bad or not words or len(set(words)) != len(words):
            raise ValueError(
                "`vocabulary` must be a non-empty list of distinct lower-case "
                f"words of letters and digits. Received {len(words)} words, "
                f"invalid ones: {bad[:5]}."
            )
        self.vocabulary = words
        self._ids = {word: index + 2 for index, word in enumerate(words)}

    def _check_adapted(self):
        if self.vocabulary is None:
            raise ValueError(
                "The tokenizer has no vocabulary yet. Call "
                "`tokenizer.adapt(captions)` or pass `vocabulary=`."
            )

    def get_config(self):
        return {
            "max_length": self.max_length,
            "vocabulary": self.vocabulary,
            "max_vocabulary_size": self.max_vocabulary_size,
            "truncate": self.truncate,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_caption_list(captions):
    if isinstance(captions, str):
        raise ValueError(
            "Pass a list of captions, not a single string: e.g. "
            f"[{captions!r}]."
        )
    captions = list(captions)
    if not captions:
        raise ValueError("Received no caption: pass a non-empty list.")
    return captions
