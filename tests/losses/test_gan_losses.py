"""GAN losses and penalties against NumPy references."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen
from kgen.losses import gan_losses


def softplus(x):
    return np.logaddexp(0.0, x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


REAL = np.array([[2.0], [-0.5], [0.3], [-3.0]], dtype="float32")
FAKE = np.array([[-1.0], [0.7], [4.0], [-0.2]], dtype="float32")


def bce(logits, target):
    p = sigmoid(logits.astype("float64"))
    return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))


DISCRIMINATOR_REFERENCES = {
    "minimax": lambda r, f, s: bce(r, 1 - s) + bce(f, 0.0),
    "non_saturating": lambda r, f, s: bce(r, 1 - s) + bce(f, 0.0),
    "wasserstein": lambda r, f, s: f.mean() - r.mean(),
    "least_squares": lambda r, f, s: (
        0.5 * np.mean((r - (1 - s)) ** 2) + 0.5 * np.mean(f**2)
    ),
    "hinge": lambda r, f, s: (
        np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
    ),
}
GENERATOR_REFERENCES = {
    "minimax": lambda f: np.mean(np.log(1 - sigmoid(f.astype("float64")))),
    "non_saturating": lambda f: -np.mean(np.log(sigmoid(f.astype("float64")))),
    "wasserstein": lambda f: -f.mean(),
    "least_squares": lambda f: 0.5 * np.mean((f - 1) ** 2),
    "hinge": lambda f: -f.mean(),
}


@pytest.mark.parametrize("name", sorted(DISCRIMINATOR_REFERENCES))
def test_losses_match_numpy(name):
    d_loss, g_loss = kgen.losses.get_gan_loss(name)
    np.testing.assert_allclose(
        ops.convert_to_numpy(d_loss(REAL, FAKE)),
        DISCRIMINATOR_REFERENCES[name](REAL, FAKE, 0.0),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(g_loss(FAKE)),
        GENERATOR_REFERENCES[name](FAKE),
        rtol=1e-5,
    )


@pytest.mark.parametrize("name", ["minimax", "least_squares"])
def test_one_sided_label_smoothing_matches_numpy(name):
    d_loss, _ = kgen.losses.get_gan_loss(name)
    np.testing.assert_allclose(
        ops.convert_to_numpy(d_loss(REAL, FAKE, 0.2)),
        DISCRIMINATOR_REFERENCES[name](REAL, FAKE, 0.2),
        rtol=1e-5,
    )


def test_minimax_loss_is_stable_for_extreme_logits():
    loss = kgen.losses.minimax_discriminator_loss(
        np.array([[200.0]], "float32"), np.array([[-200.0]], "float32")
    )
    assert np.isfinite(ops.convert_to_numpy(loss))
    assert float(ops.convert_to_numpy(loss)) < 1e-6


def test_unknown_loss_name():
    with pytest.raises(
        ValueError, match="Unknown GAN loss 'wgan'. Expected one of"
    ):
        kgen.losses.get_gan_loss("wgan")


def tiny_critic(seed=0):
    critic = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(3, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(seed)
    critic.set_weights(
        [rng.normal(size=w.shape).astype("float32") for w in critic.weights]
    )
    return critic


def numpy_critic(weights, x):
    w1, b1, w2, b2 = weights
    return np.tanh(x @ w1 + b1) @ w2 + b2


def finite_difference_input_gradients(weights, x, h=1e-5):
    grads = np.zeros_like(x)
    for i in range(x.shape[1]):
        step = np.zeros_like(x)
        step[:, i] = h
        grads[:, i] = (
            numpy_critic(weights, x + step) - numpy_critic(weights, x - step)
        )[:, 0] / (2 * h)
    return grads


def numpy_gradient_penalty(weights, x):
    norms = np.linalg.norm(
        finite_difference_input_gradients(weights, x), axis=1
    )
    return np.mean((norms - 1.0) ** 2)


def numpy_r1(weights, x):
    return np.mean(
        np.sum(finite_difference_input_gradients(weights, x) ** 2, axis=1)
    )


POINTS = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], dtype="float32")


def test_gradient_penalty_matches_finite_differences():
    critic = tiny_critic()
    weights = [w.astype("float64") for w in critic.get_weights()]
    penalty = kgen.losses.gradient_penalty(critic, POINTS)
    np.testing.assert_allclose(
        ops.convert_to_numpy(penalty),
        numpy_gradient_penalty(weights, POINTS.astype("float64")),
        rtol=1e-4,
    )
    r1 = kgen.losses.r1_penalty(critic, POINTS)
    np.testing.assert_allclose(
        ops.convert_to_numpy(r1),
        numpy_r1(weights, POINTS.astype("float64")),
        rtol=1e-4,
    )


class PenaltyModel(kgen.models.PhasedModel):
    """One phase minimising a penalty of a tiny critic (test helper)."""

    def __init__(self, penalty, **kwargs):
        super().__init__(**kwargs)
        self.penalty = penalty
        self.critic = tiny_critic()
        self.built = True

    def build_phases(self):
        return [kgen.models.Phase("critic", self.penalty_loss, self.critic)]

    def penalty_loss(self, data, training):
        x = data[0] if isinstance(data, (tuple, list)) else data
        return self.penalty(self.critic, x)


@pytest.mark.parametrize(
    "penalty, reference",
    [
        (kgen.losses.gradient_penalty, numpy_gradient_penalty),
        (kgen.losses.r1_penalty, numpy_r1),
    ],
    ids=["gradient_penalty", "r1"],
)
def test_penalty_weight_gradients_in_fit_match_finite_differences(
    penalty, reference
):
    model = PenaltyModel(penalty)
    before = [w.astype("float64") for w in model.critic.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    model.fit(
        POINTS, batch_size=len(POINTS), epochs=1, shuffle=False, verbose=0
    )
    after = model.critic.get_weights()
    h = 1e-5
    for index, weight in enumerate(before):
        expected = np.zeros_like(weight)
        for position in np.ndindex(weight.shape):
            shifted = [w.copy() for w in before]
            shifted[index][position] += h
            up = reference(shifted, POINTS.astype("float64"))
            shifted[index][position] -= 2 * h
            expected[position] = (
                up - reference(shifted, POINTS.astype("float64"))
            ) / (2 * h)
        np.testing.assert_allclose(
            before[index] - after[index], expected, atol=2e-4, rtol=2e-3
        )


def test_interpolate_draws_one_uniform_alpha_per_sample():
    real = np.zeros((500, 3, 2), "float32")
    fake = np.ones((500, 3, 2), "float32")
    points = ops.convert_to_numpy(
        kgen.losses.interpolate(real, fake, keras.random.SeedGenerator(0))
    )
    alpha = points[:, 0, 0]
    np.testing.assert_allclose(
        points, np.broadcast_to(alpha[:, None, None], points.shape)
    )
    assert alpha.min() >= 0 and alpha.max() <= 1
    assert abs(alpha.mean() - 0.5) < 0.05 and abs(alpha.var() - 1 / 12) < 0.015


def test_gradient_norm_is_finite_at_a_flat_critic():
    flat = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    norms = ops.convert_to_numpy(gan_losses.input_gradient_norm(flat, POINTS))
    np.testing.assert_allclose(norms, 1e-6, rtol=1e-3)
