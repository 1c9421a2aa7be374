import itertools
import pathlib
import re
import tokenize

import keras
import numpy as np

import kgen
from kgen.utils.binary import bernoulli
from kgen.utils.binary import binary_states


def test_binary_states_follow_itertools_product():
    expected = np.array(list(itertools.product((0, 1), repeat=4)), "float32")
    np.testing.assert_array_equal(binary_states(4), expected)
    np.testing.assert_array_equal(binary_states(4, 5, 6), expected[5:11])
    assert binary_states(0).shape == (1, 0)


def test_bernoulli_frequencies_match_the_probabilities():
    p = np.array([0.0, 0.1, 0.5, 0.9, 1.0], "float32")
    draws = keras.ops.convert_to_numpy(
        bernoulli(np.tile(p, (4000, 1)), keras.random.SeedGenerator(0))
    )
    assert draws.dtype == np.float32
    assert set(np.unique(draws)) <= {0.0, 1.0}
    stderr = np.sqrt(p * (1 - p) / len(draws))
    assert np.all(np.abs(draws.mean(0) - p) <= 5 * stderr + 1e-9)


def test_bernoulli_keeps_a_half_precision_dtype():
    p = keras.ops.full((3, 2), 0.5, dtype="float16")
    assert keras.backend.standardize_dtype(bernoulli(p, 1).dtype) == "float16"


# A Bernoulli draw written inline (uniform noise compared with a tensor of
# probabilities), or binary states enumerated by hand, in code (strings and
# comments, which may describe the draw, are left out).
_COPIES = re.compile(
    r"uniform \([^\n]*\) < [A-Za-z_]|itertools \. product"
    r"|>> np \. arange|floor_divide \([^\n]*2"
)


def _code(path):
    """The tokens of a module's code, space-separated, lines kept."""
    skipped = (tokenize.STRING, tokenize.COMMENT)
    lines = {}
    with open(path, "rb") as file:
        for token in tokenize.tokenize(file.readline):
            if token.type not in skipped and token.string.strip():
                lines.setdefault(token.start[0], []).append(token.string)
    return "\n".join(" ".join(tokens) for tokens in lines.values())


def test_one_implementation_of_each():
    root = pathlib.Path(kgen.__file__).parent
    copies = {
        str(path.relative_to(root)): found
        for path in sorted(root.rglob("*.py"))
        if path.name != "binary.py"
        for found in [_COPIES.findall(_code(path))]
        if found
    }
    assert not copies, (
        "These modules draw Bernoulli samples or enumerate binary states "
        f"themselves: {copies}. Use kgen.utils.binary.bernoulli / "
        "binary_states."
    )


def test_the_scan_finds_a_copy_in_code_only(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        '"""uniform(...) < probabilities, described."""\n'
        "# keras.random.uniform(shape) < p\n"
        "h = keras.random.uniform(shape, seed=seed) < p\n"
        "states = list(itertools.product((0, 1), repeat=3))\n"
    )
    assert len(_COPIES.findall(_code(module))) == 2
