"""NADE, MADE and PixelCNN: exact normalisation, autoregressive structure,
sampling against the exact distribution, completion, training, saving and
input errors."""

import itertools

import keras
import numpy as np
import pytest
from scipy import stats

import kgen
from kgen.testing.serialization import assert_round_trip


def nade():
    return kgen.models.NADE(4, num_hidden=6, ordering=[2, 0, 3, 1], seed=0)


def made():
    return kgen.models.MADE(
        4, hidden_units=(12, 12), num_masks=3, ordering="random", seed=0
    )


def made_direct():
    return kgen.models.MADE(
        4,
        hidden_units=(12, 12),
        num_masks=3,
        ordering="random",
        direct_connections=True,
        seed=0,
    )


def made_direct_one_mask():
    return kgen.models.MADE(
        4,
        hidden_units=(6,),
        ordering=[2, 0, 3, 1],
        direct_connections=True,
        seed=0,
    )


def pixelcnn():
    return kgen.models.PixelCNN(
        (2, 2), filters=4, num_layers=2, kernel_size=3, output_filters=8, seed=0
    )


def categorical_pixelcnn():
    return kgen.models.PixelCNN(
        (2, 2),
        num_classes=3,
        filters=4,
        num_layers=2,
        kernel_size=3,
        output_filters=8,
        seed=0,
    )


BUILDERS = [
    nade,
    made,
    made_direct,
    made_direct_one_mask,
    pixelcnn,
    categorical_pixelcnn,
]


def all_states(model):
    values = range(model.num_classes)
    states = itertools.product(values, repeat=model.num_variables)
    return np.array(list(states), "float32").reshape(-1, *model.event_shape)


def flat_logits(model, x, mask_index=0):
    logits = model.conditional_logits(x, mask_index=mask_index)
    return keras.ops.convert_to_numpy(logits).reshape(len(x), -1)


@pytest.mark.parametrize("build", BUILDERS)
def test_probabilities_sum_to_one(build):
    model = build()
    # Random, non-trivial biases so that the test can fail.
    for weight in model.trainable_weights:
        if len(weight.shape) == 1:
            weight.assign(np.random.default_rng(1).normal(size=weight.shape))
    total = np.exp(model.log_prob(all_states(model))).sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-5)


@pytest.mark.parametrize("build", BUILDERS)
def test_each_conditional_sees_only_earlier_variables(build):
    """Changing variable v moves exactly the logits after v in the order."""
    model = build()
    masks = getattr(model, "num_masks", 1)
    rng = np.random.default_rng(0)
    # Several inputs, so that a ReLU that is off at one of them cannot hide
    # an allowed path.
    x = rng.integers(0, model.num_classes, (8, *model.event_shape))
    x = x.astype("float32")
    for mask_index in range(masks):
        position = np.empty(model.num_variables, int)
        position[model.generation_order(mask_index)] = np.arange(
            model.num_variables
        )
        base = flat_logits(model, x, mask_index)
        allowed = seen = 0
        for v in range(model.num_variables):
            moved = x.reshape(len(x), -1).copy()
            moved[:, v] = (moved[:, v] + 1) % model.num_classes
            changed = (
                flat_logits(model, moved.reshape(x.shape), mask_index) != base
            )
            changed = changed.reshape(len(x), model.num_variables, -1)
            changed = changed.any(axis=(0, 2))
            # No conditional sees its own or a later variable.
            assert not changed[position <= position[v]].any()
            allowed += np.sum(position > position[v])
            seen += np.sum(changed[position > position[v]])
        if isinstance(model, kgen.models.MADE) and not model.direct_connections:
            # MADE's random hidden degrees may leave an allowed pair unlinked.
            assert seen > 0
        else:
            # Every earlier variable reaches every later conditional.
            assert seen == allowed, (seen, allowed)


def test_nade_matches_numpy_reference():
    """With 70 variables, the blocked prefix sums recurse twice (70, 9, 2)."""
    order = np.random.default_rng(3).permutation(70)
    model = kgen.models.NADE(70, num_hidden=5, ordering=order, seed=0)
    for weight in model.trainable_weights:
        weight.assign(np.random.default_rng(2).normal(size=weight.shape))
    w, c, v, b = (
        keras.ops.convert_to_numpy(w)
        for w in (
            model.input_weights,
            model.hidden_bias,
            model.output_weights,
            model.output_bias,
        )
    )
    x = (np.random.default_rng(4).random((6, 70)) < 0.5).astype("float32")
    expected = np.zeros(len(x))
    for n, sample in enumerate(x):
        a = c.copy()
        for d, variable in enumerate(order):
            h = 1 / (1 + np.exp(-a))
            p = 1 / (1 + np.exp(-(b[d] + v[d] @ h)))
            expected[n] += np.log(p if sample[variable] else 1 - p)
            a += w[d] * sample[variable]
    np.testing.assert_allclose(model.log_prob(x), expected, rtol=1e-4)


def test_made_ensemble_is_the_mean_of_mask_probabilities():
    model = made()
    x = all_states(model)
    per_mask = [
        keras.ops.convert_to_numpy(model.mask_log_probs(x, [m]))
        for m in range(3)
    ]
    expected = np.log(np.mean(np.exp(per_mask), axis=0))
    np.testing.assert_allclose(model.log_prob(x), expected, atol=1e-5)
    assert not np.allclose(per_mask[0], per_mask[1])


def test_made_direct_connections_match_numpy_reference():
    """Without the hidden path, MADE's logits are the output bias plus the
    direct term: a logistic autoregressive model under each ordering."""
    model = made_direct()
    output = model.masked_layers[-1]
    output.kernel.assign(np.zeros(output.kernel.shape))
    output.bias.assign(np.random.default_rng(1).normal(size=4))
    bias = keras.ops.convert_to_numpy(output.bias)
    kernel = keras.ops.convert_to_numpy(model.direct_layer.kernel)
    x = all_states(model)
    for m in range(model.num_masks):
        position = np.argsort(model.generation_order(m))
        strict = position[:, None] < position[None, :]  # i before d
        logits = bias + x @ (kernel * strict)
        expected = np.sum(
            x * -np.logaddexp(0, -logits) + (1 - x) * -np.logaddexp(0, logits),
            axis=1,
        )
        actual = keras.ops.convert_to_numpy(model.mask_log_probs(x, [m]))
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_made_without_direct_connections_is_unchanged():
    """The default has no direct weights; the same seeds with direct
    connections give the same masks and weights, plus the direct term."""
    plain, direct = made(), made_direct()
    assert plain.direct_layer is None
    assert not plain.get_config()["direct_connections"]
    assert direct.get_config()["direct_connections"]
    assert len(direct.weights) == len(plain.weights) + 2
    for a, b in zip(plain.weights, direct.weights):
        np.testing.assert_array_equal(a, b)
    x = all_states(plain)

    def log_probs(model):
        masks = range(model.num_masks)
        return keras.ops.convert_to_numpy(model.mask_log_probs(x, masks))

    expected = log_probs(plain)
    assert not np.allclose(log_probs(direct), expected)
    direct.direct_layer.kernel.assign(np.zeros((4, 4)))
    np.testing.assert_allclose(log_probs(direct), expected, rtol=1e-6)


def exact_probabilities(model, mask_index=0):
    states = all_states(model)
    if isinstance(model, kgen.models.MADE):
        log_p = model.mask_log_probs(states, [mask_index])
        log_p = keras.ops.convert_to_numpy(log_p)
    else:
        log_p = model.log_prob(states)
    return states, np.exp(log_p)


def state_counts(model, samples):
    codes = samples.reshape(len(samples), -1) @ (
        model.num_classes ** np.arange(model.num_variables)[::-1]
    )
    return np.bincount(
        codes.astype(int), minlength=model.num_classes**model.num_variables
    )


@pytest.mark.parametrize("build", [nade, made, categorical_pixelcnn])
def test_samples_follow_the_exact_distribution(build):
    model = build()
    _, probs = exact_probabilities(model, mask_index=1 if build is made else 0)
    samples = model.generate(
        3000, seed=0, **({"mask_index": 1} if build is made else {})
    )
    counts = state_counts(model, samples)
    expected = probs / probs.sum() * len(samples)
    keep = expected > 5
    statistic = ((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    p_value = stats.chi2.sf(statistic, keep.sum() - 1)
    assert p_value > 1e-3, (p_value, counts, expected.round())


def test_completion_samples_the_exact_conditional():
    """Observed variables first in the order: exact p(rest | observed)."""
    model = nade()
    states, probs = exact_probabilities(model)
    first = model.ordering[:2]
    observed = np.zeros((2000, 4), bool)
    observed[:, first] = True
    x = np.zeros((2000, 4), "float32")
    x[:, first] = [1, 0]
    completed = model.complete(x, observed, seed=0)
    np.testing.assert_array_equal(completed[:, first], x[:, first])
    match = (states[:, first] == [1, 0]).all(1)
    counts = state_counts(model, completed)[match]
    expected = probs[match] / probs[match].sum() * len(x)
    statistic = ((counts - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(statistic, len(counts) - 1) > 1e-3


@pytest.mark.parametrize("build", [made, pixelcnn])
def test_completion_keeps_observed_values(build):
    model = build()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, (5, *model.event_shape)).astype("float32")
    observed = rng.random(x.shape) < 0.5
    completed = model.complete(x, observed, seed=1)
    np.testing.assert_array_equal(completed[observed], x[observed])
    assert set(np.unique(completed)) <= {0.0, 1.0}
    np.testing.assert_array_equal(
        completed, model.complete(x, observed, seed=1)
    )


@pytest.mark.parametrize(
    "build", [nade, made, made_direct_one_mask, categorical_pixelcnn]
)
def test_fit_learns_and_round_trips(build, tmp_path):
    model = build()
    rng = np.random.default_rng(0)
    shape = (64, *model.event_shape)
    x = (rng.random(shape) < 0.2) * rng.integers(1, model.num_classes, shape)
    x = x.astype("float32")
    before = model.log_prob(x).mean()
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    history = model.fit(x, epochs=8, batch_size=16, verbose=0)
    after = model.log_prob(x).mean()
    assert after > before + 0.5, (before, after)
    np.testing.assert_allclose(model.evaluate(x, verbose=0), -after, rtol=1e-4)
    assert np.isfinite(history.history["loss"]).all()
    assert_round_trip(model, tmp_path, call=lambda m: m.log_prob(x), atol=1e-5)


def test_bad_inputs_get_clear_errors():
    model = nade()
    with pytest.raises(ValueError, match="0 or 1"):
        model.log_prob(np.full((2, 4), 0.5))
    with pytest.raises(ValueError, match="must lie in"):
        model.fit(np.full((2, 4), 2.0))
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        model.log_prob(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="from `x` alone"):
        model.fit(np.zeros((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match="observed_mask"):
        model.complete(np.zeros((2, 4)), np.zeros((2, 3), bool))
    categorical = categorical_pixelcnn()
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        categorical.log_prob(np.full((1, 2, 2, 1), 3.0))
    with pytest.raises(ValueError, match="integers 0..2"):
        categorical.log_prob(np.full((1, 2, 2, 1), 1.5))
    with pytest.raises(ValueError, match="permutation"):
        kgen.models.NADE(3, ordering=[0, 1, 1])
    with pytest.raises(ValueError, match="permutation"):
        kgen.models.MADE(3, ordering=[2, 1])
    with pytest.raises(ValueError, match="ordering"):
        kgen.models.MADE(3, ordering="reversed")
    with pytest.raises(ValueError, match="`direct_connections` must be True"):
        kgen.models.MADE(3, direct_connections="no")
    with pytest.raises(ValueError, match="single-channel"):
        kgen.models.PixelCNN((4, 4, 3))
    with pytest.raises(ValueError, match="odd"):
        kgen.models.PixelCNN((4, 4), kernel_size=4)
    with pytest.raises(ValueError, match="num_classes"):
        kgen.models.PixelCNN((4, 4), num_classes=1)
