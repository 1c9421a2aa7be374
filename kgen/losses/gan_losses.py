"""Adversarial losses and discriminator regularisers in pure `keras.ops`.

Every discriminator (critic) output here is a raw score: a logit for the
minimax, non-saturating and least-squares games, an unbounded critic value for
the Wasserstein and hinge games. Losses are means over the batch.
"""

import keras
from keras import ops

from kgen import backend

# Added under square roots so that the norm of a zero gradient is
# differentiable (the WGAN-GP NaN of keras-io #910).
_NORM_EPSILON = 1e-12


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original GAN game (binary cross-entropy).

    `-E[log D(x)] - E[log(1 - D(G(z)))]` with `D = sigmoid(logits)`, written
    with softplus for numerical stability. One-sided label smoothing
    (Salimans et al., 2016) replaces the real target 1 by
    `1 - label_smoothing`; fake targets stay 0. The non-saturating game uses
    the same discriminator loss.

    Reference: Goodfellow et al., "Generative Adversarial Nets", 2014.

    Args:
        real_logits: discriminator logits on real samples, shape `(batch, 1)`.
        fake_logits: discriminator logits on generated samples.
        label_smoothing: float in `[0, 1)`, amount taken off the real target.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.minimax_discriminator_loss(d_real, d_fake, 0.1)
    ```
    """
    real = ops.softplus(-real_logits)
    if label_smoothing:
        real = (1.0 - label_smoothing) * real + label_smoothing * ops.softplus(
            real_logits
        )
    return ops.mean(real) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """Generator loss of the original (saturating) minimax game.

    `E[log(1 - D(G(z)))]`, minimised by the generator. Its gradient vanishes
    when the discriminator confidently rejects the samples, which is why the
    non-saturating loss is the default.

    Reference: Goodfellow et al., "Generative Adversarial Nets", 2014.

    Args:
        fake_logits: discriminator logits on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.minimax_generator_loss(d_fake)
    ```
    """
    return -ops.mean(ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss `-E[log D(G(z))]`.

    Same fixed point as the minimax game, with strong gradients early in
    training.

    Reference: Goodfellow et al., "Generative Adversarial Nets", 2014.

    Args:
        fake_logits: discriminator logits on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.non_saturating_generator_loss(d_fake)
    ```
    """
    return ops.mean(ops.softplus(-fake_logits))


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """Critic loss of the Wasserstein GAN, `E[C(G(z))] - E[C(x)]`.

    Needs a Lipschitz constraint on the critic: weight clipping, a gradient
    penalty or spectral normalisation.

    Reference: Arjovsky et al., "Wasserstein GAN", 2017.

    Args:
        real_scores: critic values on real samples.
        fake_scores: critic values on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.wasserstein_discriminator_loss(c_real, c_fake)
    ```
    """
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """Generator loss of the Wasserstein and hinge games, `-E[C(G(z))]`.

    Reference: Arjovsky et al., "Wasserstein GAN", 2017.

    Args:
        fake_scores: critic values on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.wasserstein_generator_loss(c_fake)
    ```
    """
    return -ops.mean(fake_scores)


def least_squares_discriminator_loss(
    real_scores, fake_scores, label_smoothing=0.0
):
    """Least-squares (LSGAN) discriminator loss.

    `0.5 E[(D(x) - b)^2] + 0.5 E[D(G(z))^2]` with real target
    `b = 1 - label_smoothing` and fake target 0.

    Reference: Mao et al., "Least Squares Generative Adversarial Networks",
    2017.

    Args:
        real_scores: discriminator outputs on real samples.
        fake_scores: discriminator outputs on generated samples.
        label_smoothing: float in `[0, 1)`, amount taken off the real target.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.least_squares_discriminator_loss(d_real, d_fake)
    ```
    """
    real = ops.square(real_scores - (1.0 - label_smoothing))
    return 0.5 * ops.mean(real) + 0.5 * ops.mean(ops.square(fake_scores))


def least_squares_generator_loss(fake_scores):
    """Least-squares (LSGAN) generator loss `0.5 E[(D(G(z)) - 1)^2]`.

    Reference: Mao et al., "Least Squares Generative Adversarial Networks",
    2017.

    Args:
        fake_scores: discriminator outputs on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.least_squares_generator_loss(d_fake)
    ```
    """
    return 0.5 * ops.mean(ops.square(fake_scores - 1.0))


def hinge_discriminator_loss(real_scores, fake_scores):
    """Hinge discriminator loss `E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`.

    The generator side is `wasserstein_generator_loss`.

    Reference: Lim & Ye, "Geometric GAN", 2017; Miyato et al., "Spectral
    Normalization for Generative Adversarial Networks", 2018.

    Args:
        real_scores: discriminator outputs on real samples.
        fake_scores: discriminator outputs on generated samples.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.hinge_discriminator_loss(d_real, d_fake)
    ```
    """
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(
        ops.relu(1.0 + fake_scores)
    )


# name -> (discriminator loss, generator loss, accepts label smoothing)
GAN_LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss, True),
    "non_saturating": (
        minimax_discriminator_loss,
        non_saturating_generator_loss,
        True,
    ),
    "wasserstein": (
        wasserstein_discriminator_loss,
        wasserstein_generator_loss,
        False,
    ),
    "least_squares": (
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        True,
    ),
    "hinge": (hinge_discriminator_loss, wasserstein_generator_loss, False),
}


def get_gan_loss(name):
    """Returns the `(discriminator_loss, generator_loss)` pair named `name`.

    Args:
        name: one of `"minimax"`, `"non_saturating"`, `"wasserstein"`,
            `"least_squares"`, `"hinge"`.

    Returns:
        Tuple of two functions: `discriminator_loss(real, fake)` and
        `generator_loss(fake)`.

    Example:

    ```python
    d_loss, g_loss = kgen.losses.get_gan_loss("hinge")
    ```
    """
    if name not in GAN_LOSSES:
        raise ValueError(
            f"Unknown GAN loss {name!r}. Expected one of {sorted(GAN_LOSSES)}."
        )
    return GAN_LOSSES[name][:2]


def interpolate(real, fake, seed):
    """Random points on the segments between real and fake samples.

    `x = real + alpha * (fake - real)` with one `alpha ~ Uniform(0, 1)` per
    sample (not per pixel), as in WGAN-GP.

    Args:
        real: batch of real samples.
        fake: batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` (or int) for `alpha`.

    Returns:
        Tensor shaped like `real`.

    Example:

    ```python
    x_hat = kgen.losses.interpolate(x, fake, seed=keras.random.SeedGenerator(0))
    ```
    """
    real, fake = ops.convert_to_tensor(real), ops.convert_to_tensor(fake)
    shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
    alpha = keras.random.uniform(shape, seed=seed, dtype=real.dtype)
    return real + alpha * (fake - real)


def input_gradient_norm(critic, inputs):
    """Per-sample norm of the critic's gradient with respect to its input.

    The norm is `sqrt(sum(g**2) + 1e-12)`, differentiable at `g = 0`.

    Args:
        critic: callable mapping a batch of samples to scores `(batch, 1)`.
        inputs: batch of samples.

    Returns:
        Tensor of shape `(batch,)`.

    Example:

    ```python
    norms = kgen.losses.input_gradient_norm(lambda x: critic(x), x)
    ```
    """
    return ops.sqrt(_squared_gradient_norm(critic, inputs) + _NORM_EPSILON)


def gradient_penalty(critic, inputs, target=1.0):
    """WGAN-GP gradient penalty `E[(||grad_x C(x)|| - target)^2]`.

    Evaluate it at `interpolate(real, fake, seed)` for WGAN-GP. The penalty
    is differentiable with respect to the critic's weights on every backend
    (double back-propagation through `kgen.backend.input_gradients`).

    Reference: Gulrajani et al., "Improved Training of Wasserstein GANs",
    2017.

    Args:
        critic: callable mapping a batch of samples to scores `(batch, 1)`.
        inputs: the points where the penalty is evaluated.
        target: the gradient norm aimed at (1 for WGAN-GP).

    Returns:
        Scalar penalty (multiply by its weight, typically 10).

    Example:

    ```python
    penalty = kgen.losses.gradient_penalty(critic, kgen.losses.interpolate(x, fake, seed))
    ```
    """
    return ops.mean(ops.square(input_gradient_norm(critic, inputs) - target))


def r1_penalty(discriminator, real):
    """R1 penalty `E[||grad_x D(x)||^2]` on real samples.

    Usually added to the discriminator loss with weight `gamma / 2`.

    Reference: Mescheder et al., "Which Training Methods for GANs do
    actually Converge?", 2018.

    Args:
        discriminator: callable mapping a batch of samples to logits.
        real: batch of real samples.

    Returns:
        Scalar penalty.

    Example:

    ```python
    penalty = kgen.losses.r1_penalty(discriminator, x)
    ```
    """
    return ops.mean(_squared_gradient_norm(discriminator, real))


def _squared_gradient_norm(critic, inputs):
    grads = backend.input_gradients(critic, inputs)
    axes = tuple(range(1, len(grads.shape)))
    return ops.sum(ops.square(grads), axis=axes)
