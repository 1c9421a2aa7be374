"""RBM collaborative filtering: predictions against NumPy, masked CD."""

import keras
import numpy as np
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
