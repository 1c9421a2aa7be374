"""RBM collaborative filtering: predictions against NumPy, masked CD."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.applications.recommendation import RBMRecommender
from kgen.testing.serialization import assert_round_trip


def _model(num_users=3, num_items=4, **kwargs):
    model = RBMRecommender(
        num_hidden=5, num_users=num_users, num_items=num_items, seed=0, **kwargs
    )
    rng = np.random.default_rng(1)
    layer = model.layer
    layer.kernel.assign(rng.normal(0, 0.5, layer.kernel.shape))
    layer.visible_bias.assign(rng.normal(0, 0.5, layer.visible_bias.shape))
    layer.hidden_bias.assign(rng.normal(0, 0.5, layer.hidden_bias.shape))
    return model


def _numpy_expected_ratings(model, history):
    kernel = ops.convert_to_numpy(model.layer.kernel)
    visible_bias = ops.convert_to_numpy(model.layer.visible_bias)
    hidden_bias = ops.convert_to_numpy(model.layer.hidden_bias)
    one_hot = np.zeros((len(history), history.shape[1], 5))
    for (user, item), rating in np.ndenumerate(history):
        if rating:
            one_hot[user, item, int(rating) - 1] = 1
    v = one_hot.reshape(len(history), -1)
    h = 1 / (1 + np.exp(-(v @ kernel + hidden_bias)))
    field = (h @ kernel.T + visible_bias).reshape(len(history), -1, 5)
    p = np.exp(field - field.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return p @ np.arange(1, 6)


def test_predictions_match_numpy():
    model = _model()
    history = np.array([[5, 0, 3, 0], [0, 0, 0, 1], [2, 4, 0, 5]], "float32")
    model.ratings.assign(history)
    model.user_ids.assign([7, 8, 9])
    model.item_ids.assign([1, 2, 3, 4])
    expected = _numpy_expected_ratings(model, history)
    np.testing.assert_allclose(model.score_items(history), expected, rtol=1e-5)
    users = np.array([9, 7, 8, 8])
    items = np.array([3, 2, 1, 4])
    np.testing.assert_allclose(
        model.predict(users, items),
        expected[users - 7, items - 1],
        rtol=1e-5,
    )


def test_masked_cd_ignores_unrated_items():
    # Item 3 is unrated by both users: its weights and biases change neither
    # the CD loss (same random draws) nor, after an SGD step, themselves.
    model = _model(num_users=2, num_items=4, weight_decay=0.0)
    x = ops.convert_to_tensor(np.array([[5, 0, 3, 0], [0, 2, 1, 0]], "float32"))
    state = ops.convert_to_numpy(model.rbm.seed_generator.state)

    def loss():
        model.rbm.seed_generator.state.assign(state)
        return float(ops.convert_to_numpy(model.compute_loss(x)))

    before = loss()
    kernel = ops.convert_to_numpy(model.layer.kernel)
    bias = ops.convert_to_numpy(model.layer.visible_bias)
    unrated = slice(15, 20)  # the 5 units of item 3 (0-based)
    kernel[unrated] += 3.0
    bias[unrated] -= 2.0
    model.layer.kernel.assign(kernel)
    model.layer.visible_bias.assign(bias)
    np.testing.assert_allclose(loss(), before, rtol=1e-5)

    model.compile(optimizer=keras.optimizers.SGD(1.0))
    model.train_on_batch(x)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(model.layer.kernel)[unrated], kernel[unrated]
    )
    np.testing.assert_array_equal(
        ops.convert_to_numpy(model.layer.visible_bias)[unrated], bias[unrated]
    )
    # A rated item's weights did move.
    assert not np.allclose(
        ops.convert_to_numpy(model.layer.kernel)[:5], kernel[:5]
    )


def test_rejects_fractional_ratings():
    model = RBMRecommender(num_hidden=2)
    try:
        model.fit(([1, 2], [1, 1], [3.0, 4.5]))
    except ValueError as error:
        assert "integer ratings" in str(error) and "4.5" in str(error)
    else:
        raise AssertionError("4.5 stars accepted by an RBMRecommender")


def test_round_trip(tiny_ratings, tmp_path):
    model = RBMRecommender(num_hidden=4, k=2, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.fit(tiny_ratings, epochs=2, batch_size=3, verbose=0)
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.predict(users, items)
    )
    assert loaded.k == 2 and loaded.num_items == 8
    np.testing.assert_array_equal(
        loaded.recommend(21, 3), model.recommend(21, 3)
    )
    # The seed state travels too: one more epoch is identical.
    loaded.fit(tiny_ratings, epochs=1, batch_size=3, verbose=0, shuffle=False)
    model.fit(tiny_ratings, epochs=1, batch_size=3, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded.layer.kernel),
        ops.convert_to_numpy(model.layer.kernel),
        atol=1e-6,
    )


def _conditional_model(num_users=3, num_items=4):
    model = _model(num_users, num_items, conditional=True)
    rng = np.random.default_rng(2)
    kernel = model.conditional_kernel
    kernel.assign(rng.normal(0, 0.5, kernel.shape))
    return model


def _numpy_hidden_field(model, one_hot, rated):
    kernel = ops.convert_to_numpy(model.layer.kernel)
    hidden_bias = ops.convert_to_numpy(model.layer.hidden_bias)
    conditional = ops.convert_to_numpy(model.conditional_kernel)
    return one_hot @ kernel + hidden_bias + rated @ conditional


def _numpy_one_hot(history):
    one_hot = np.zeros((*history.shape, 5))
    for (user, item), rating in np.ndenumerate(history):
        if rating > 0:
            one_hot[user, item, int(rating) - 1] = 1
    return one_hot.reshape(len(history), -1)


def test_conditional_predictions_match_numpy():
    # r of user 1 also holds item 2, rated with an unknown rating.
    model = _conditional_model()
    history = np.array([[5, 0, 3, 0], [0, 0, 0, 1], [2, 4, 0, 5]], "float32")
    extra = np.zeros_like(history)
    extra[1, 2] = 1
    rated = ((history > 0) | (extra > 0)).astype("float64")
    v = _numpy_one_hot(history)
    h = 1 / (1 + np.exp(-_numpy_hidden_field(model, v, rated)))
    kernel = ops.convert_to_numpy(model.layer.kernel)
    visible_bias = ops.convert_to_numpy(model.layer.visible_bias)
    field = (h @ kernel.T + visible_bias).reshape(3, 4, 5)
    p = np.exp(field - field.max(-1, keepdims=True))
    expected = (p / p.sum(-1, keepdims=True)) @ np.arange(1, 6)
    np.testing.assert_allclose(
        model.score_items(history, rated=extra), expected, rtol=1e-5
    )
    # D matters: without the extra pair user 1's predictions change.
    assert not np.allclose(model.score_items(history)[1], expected[1])
    # Known users are conditioned on the saved `rated` rows.
    model.ratings.assign(history)
    model.rated.assign(rated)
    model.user_ids.assign([7, 8, 9])
    model.item_ids.assign([1, 2, 3, 4])
    np.testing.assert_allclose(
        model.predict([8, 9], [3, 3]), expected[[1, 2], 2], rtol=1e-5
    )


def test_conditional_free_energy_matches_numpy():
    # The loss without training is the mean free energy under c + r D;
    # -1 marks a rated pair of unknown rating (in r, not in v).
    model = _conditional_model()
    rows = np.array([[5, -1, 3, 0], [0, 0, -1, 1], [2, 4, 0, 5]], "float32")
    rated = (rows != 0).astype("float64")
    v = _numpy_one_hot(rows)
    visible_bias = ops.convert_to_numpy(model.layer.visible_bias)
    field = _numpy_hidden_field(model, v, rated)
    free_energy = -v @ visible_bias - np.logaddexp(0, field).sum(-1)
    loss = model.compute_loss(ops.convert_to_tensor(rows), training=False)
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(loss)), free_energy.mean(), rtol=1e-5
    )


def test_conditional_fit_conditions_on_rated_pairs(tiny_ratings):
    users = np.searchsorted([3, 5, 8, 13, 21, 34], tiny_ratings["user"])
    expected = np.zeros((6, 8))
    expected[users, tiny_ratings["item"] // 10 - 1] = 1
    # Two pairs without a training rating: rated, rating unknown.
    (row, column), (row2, column2) = np.argwhere(expected == 0)[[0, -1]]
    extra_users = np.array([3, 5, 8, 13, 21, 34])[[row, row2]]
    extra_items = 10 * np.array([column, column2]) + 10
    model = RBMRecommender(num_hidden=3, conditional=True, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.fit(
        tiny_ratings, rated=(extra_users, extra_items), batch_size=3, verbose=0
    )
    expected[[row, row2], [column, column2]] = 1
    np.testing.assert_array_equal(ops.convert_to_numpy(model.rated), expected)
    kernel = ops.convert_to_numpy(model.conditional_kernel)
    assert np.abs(kernel).max() > 0  # D trains
    # Their ratings stay unknown (v of the free-energy test holds no unit).
    ratings = ops.convert_to_numpy(model.ratings)
    assert ratings[row, column] == 0 and ratings[row2, column2] == 0
    with pytest.raises(ValueError, match="Unknown user ids"):
        model.fit(tiny_ratings, rated=([4], [10]), verbose=0)
    with pytest.raises(ValueError, match="conditional=False"):
        RBMRecommender(num_hidden=2).fit(tiny_ratings, rated=([3], [10]))


def test_k_schedule_sets_gibbs_steps_per_epoch(tiny_ratings):
    model = RBMRecommender(num_hidden=3, k_schedule={1: 3, 2: 2}, seed=0)
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(model.rbm.k)
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.fit(
        tiny_ratings, epochs=3, batch_size=3, verbose=0, callbacks=[record]
    )
    assert seen == [1, 3, 2]
    assert [model.gibbs_steps(e) for e in (0, 1, 5)] == [1, 3, 2]
    for bad in ({}, {0: 0}, [(-1, 2)], [(0, 1), (0, 2)], {"a": 1}, 3):
        with pytest.raises(ValueError, match="k_schedule"):
            RBMRecommender(num_hidden=2, k_schedule=bad)


def test_conditional_round_trip(tiny_ratings, tmp_path):
    model = RBMRecommender(
        num_hidden=4, conditional=True, k_schedule=[(0, 1), (1, 2)], seed=0
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.fit(
        tiny_ratings, rated=([3], [80]), epochs=2, batch_size=3, verbose=0
    )
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.predict(users, items)
    )
    assert loaded.conditional and loaded.k_schedule == ((0, 1), (1, 2))
    np.testing.assert_array_equal(
        ops.convert_to_numpy(loaded.rated), ops.convert_to_numpy(model.rated)
    )
    np.testing.assert_allclose(
        loaded.predict([3], [80]), model.predict([3], [80]), rtol=1e-6
    )


def _enumerated_expected_ratings(model, history, hidden_shift=0.0):
    # p(v_i = k | the user's other ratings) by summing exp(-E) over all
    # 2^num_hidden hidden states, item by item.
    kernel = ops.convert_to_numpy(model.layer.kernel).astype("float64")
    visible_bias = ops.convert_to_numpy(model.layer.visible_bias)
    hidden_bias = ops.convert_to_numpy(model.layer.hidden_bias) + hidden_shift
    num_hidden = kernel.shape[1]
    states = (np.arange(2**num_hidden)[:, None] >> np.arange(num_hidden)) & 1
    expected = np.zeros(history.shape)
    for (user, item), _ in np.ndenumerate(history):
        others = history[user].copy()
        others[item] = 0
        scores = []
        for k in range(1, 6):
            candidate = others.copy()
            candidate[item] = k
            v = _numpy_one_hot(candidate[None])[0]
            bias = (
                hidden_bias if np.ndim(hidden_bias) == 1 else hidden_bias[user]
            )
            energy = -(v @ visible_bias) - states @ (v @ kernel + bias)
            scores.append(np.logaddexp.reduce(-energy))
        p = np.exp(np.array(scores) - max(scores))
        expected[user, item] = (p / p.sum()) @ np.arange(1, 6)
    return expected


def test_exact_predictions_match_enumeration():
    model = _model(prediction="exact")
    history = np.array([[5, 0, 3, 0], [0, 0, 0, 1], [2, 4, 0, 5]], "float32")
    expected = _enumerated_expected_ratings(model, history)
    np.testing.assert_allclose(model.score_items(history), expected, rtol=1e-5)
    # Not the mean field's figures.
    assert (
        np.abs(expected - _numpy_expected_ratings(model, history)).max() > 1e-2
    )
    with pytest.raises(ValueError, match="mean_field"):
        RBMRecommender(num_hidden=2, prediction="sampled")


def test_conditional_exact_predictions_match_enumeration():
    model = _conditional_model()
    model.prediction = "exact"
    history = np.array([[5, 0, 3, 0], [0, 0, 0, 1], [2, 4, 0, 5]], "float32")
    extra = np.zeros_like(history)
    extra[1, 2] = 1
    rated = ((history > 0) | (extra > 0)).astype("float64")
    shift = rated @ ops.convert_to_numpy(model.conditional_kernel)
    expected = _enumerated_expected_ratings(model, history, shift)
    np.testing.assert_allclose(
        model.score_items(history, rated=extra), expected, rtol=1e-5
    )


def test_item_based_predictions_match_numpy():
    # Items are the training cases: 4 items, one softmax group per user.
    model = RBMRecommender(
        num_hidden=5, num_users=3, num_items=4, kind="item", seed=0
    )
    rng = np.random.default_rng(1)
    for weight in (model.layer.kernel, model.layer.visible_bias):
        weight.assign(rng.normal(0, 0.5, weight.shape))
    assert model.layer.kernel.shape == (3 * 5, 5)
    history = np.array([[5, 0, 3, 0], [0, 0, 0, 1], [2, 4, 0, 5]], "float32")
    model.ratings.assign(history)
    model.user_ids.assign([7, 8, 9])
    model.item_ids.assign([1, 2, 3, 4])
    expected = _numpy_expected_ratings(model, history.T).T
    users = np.array([9, 7, 8, 8])
    items = np.array([3, 2, 1, 4])
    np.testing.assert_allclose(
        model.predict(users, items), expected[users - 7, items - 1], rtol=1e-5
    )
    model.prediction = "exact"
    exact = _enumerated_expected_ratings(model, history.T).T
    np.testing.assert_allclose(
        model.predict(users, items), exact[users - 7, items - 1], rtol=1e-5
    )
    with pytest.raises(ValueError, match="known users only"):
        model.score_items(history)


def test_item_based_fit_and_round_trip(tiny_ratings, tmp_path):
    model = RBMRecommender(num_hidden=3, kind="item", seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    model.fit(tiny_ratings, batch_size=3, verbose=0)
    # lr 0: the visible biases stay each user's smoothed log frequencies.
    ratings = ops.convert_to_numpy(model.ratings)
    counts = np.stack([(ratings == k).sum(1) for k in range(1, 6)], 1) + 1.0
    expected = np.log(counts / counts.sum(1, keepdims=True)).reshape(-1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(model.layer.visible_bias), expected, rtol=1e-5
    )
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.predict(users, items)
    )
    assert loaded.kind == "item" and loaded.layer.kernel.shape == (6 * 5, 3)
    with pytest.raises(ValueError, match='kind="user"'):
        RBMRecommender(num_hidden=2, kind="item", conditional=True)
    with pytest.raises(ValueError, match="kind"):
        RBMRecommender(num_hidden=2, kind="movie")
