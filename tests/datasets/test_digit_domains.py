"""StarGAN's digit domains: renderings, split and translation pairs."""

import numpy as np
import pytest

import kgen

DOMAINS = kgen.datasets.DIGIT_DOMAINS


def grey_digits(num):
    (x, _), _ = kgen.datasets.load_digits(test_size=0, flatten=False)
    return x[:num, ..., 0]


def test_each_domain_renders_what_its_name_says():
    grey = grey_digits(6)
    rendered = kgen.datasets.render_digit_domains(grey, image_size=16)
    assert rendered.shape == (6, 7, 16, 16, 3) and rendered.dtype == "float32"
    assert rendered.min() >= -1 and rendered.max() <= 1
    unit = (rendered + 1) / 2
    original, thick, thin, inverted = (
        unit[:, DOMAINS.index(n)]
        for n in ("original", "thick", "thin", "inverted")
    )
    # Dilation never darkens a pixel and widens every stroke; erosion the
    # reverse; both keep grey (equal channels).
    assert np.all(thick >= original - 1e-6) and np.all(thin <= original + 1e-6)
    strokes = (original > 0.5).sum((1, 2, 3))
    assert np.all((thick > 0.5).sum((1, 2, 3)) > 1.3 * strokes)
    assert np.all((thin > 0.5).sum((1, 2, 3)) < 0.8 * strokes)
    np.testing.assert_allclose(inverted, 1 - original, atol=1e-6)
    for channel, name in enumerate(("red", "green", "blue")):
        colour = unit[:, DOMAINS.index(name)]
        np.testing.assert_allclose(
            colour[..., channel], original[..., 0], atol=1e-6
        )
        others = np.delete(colour, channel, axis=-1)
        np.testing.assert_array_equal(others, 0.0)
    np.testing.assert_allclose(original[..., 0], original[..., 2])


def test_split_is_by_source_digit_and_test_holds_every_domain():
    (x, d, y), (x_test, d_test, y_test) = kgen.datasets.digit_domains(
        num_train=200, num_test=30, image_size=8, seed=3
    )
    assert x.shape == (200, 8, 8, 3) and x_test.shape == (30 * 7, 8, 8, 3)
    assert set(d) <= set(range(7)) and len(set(d)) == 7
    np.testing.assert_array_equal(d_test, np.tile(np.arange(7), 30))
    np.testing.assert_array_equal(y_test, np.repeat(y_test[::7], 7))
    # No training image is a rendering of a test digit in its domain.
    seen = {(k, x_test[i].tobytes()) for i, k in enumerate(d_test)}
    assert not any((k, image.tobytes()) in seen for image, k in zip(x, d))


def test_translation_pairs_have_known_answers():
    _, (x_test, d_test, _) = kgen.datasets.digit_domains(
        num_train=10, num_test=5, image_size=8
    )
    inputs, sources, targets, truth, digit = (
        kgen.datasets.domain_translation_pairs(x_test, 7, seed=1)
    )
    assert len(inputs) == 5 * 6 and np.all(sources != targets)
    np.testing.assert_array_equal(truth, x_test[digit * 7 + targets])
    np.testing.assert_array_equal(inputs, x_test[digit * 7 + sources])
    with pytest.raises(ValueError, match="multiple of 7"):
        kgen.datasets.domain_translation_pairs(x_test[:-1], 7)


def test_errors():
    with pytest.raises(ValueError, match="`domains` must be two or more"):
        kgen.datasets.digit_domains(domains=("original", "purple"))
    with pytest.raises(ValueError, match="`source` must be one of"):
        kgen.datasets.digit_domains("cifar")
    with pytest.raises(ValueError, match="`num_train` must be at most"):
        kgen.datasets.digit_domains(num_train=5000)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        kgen.datasets.render_digit_domains(grey_digits(2) * 16)
