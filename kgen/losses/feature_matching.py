"""Feature matching loss of the generator (Salimans et al., 2016)."""

from keras import ops


def feature_matching_loss(real_features, fake_features):
    """Squared distance between the mean features of real and fake batches.

    `|| E_x f(x) - E_z f(G(z)) ||_2^2`, where `f` is an intermediate layer of
    the discriminator. Instead of maximising the discriminator's output on
    its samples, the generator matches the statistics of the features the
    discriminator finds useful; this target moves less abruptly than the
    discriminator's decision and discourages collapse onto one point.
    Features of any shape are flattened per sample; the real features are
    constants (no gradient flows into them).

    `kgen.models.GAN` adds this term to the generator's loss with
    `loss_weights={"feature_matching": w}` (and `feature_layer=` to choose
    the layer); `{"adversarial": 0.0, "feature_matching": 1.0}` is the
    paper's objective, feature matching alone.

    Reference: Salimans et al., "Improved Techniques for Training GANs",
    NeurIPS 2016, section 3.1.

    Args:
        real_features: features of real samples, shape `(batch, ...)`.
        fake_features: features of generated samples, shape `(batch, ...)`
            (the batch sizes may differ).

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = kgen.losses.feature_matching_loss(f_real, f_fake)
    ```
    """
    real = ops.stop_gradient(_batch_mean(real_features))
    return ops.sum(ops.square(real - _batch_mean(fake_features)))


def _batch_mean(features):
    return ops.mean(ops.reshape(features, (ops.shape(features)[0], -1)), axis=0)
