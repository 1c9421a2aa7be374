"""One adversarial game: discriminator and generator losses together."""

import keras
from keras import ops

from kgen.losses import gan_losses
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class AdversarialLoss:
    """The discriminator and generator losses of one adversarial game.

    Scores may have any shape: one score per sample `(batch, 1)`, a PatchGAN
    map `(batch, h, w, 1)`, or a list of such outputs from a multi-scale
    discriminator. Each output's loss is the mean over all its elements
    (every patch counts once, so the loss does not grow with the map's size),
    and the losses of a list of outputs are averaged.

    Games (see the functions in `kgen.losses`): `"minimax"`,
    `"non_saturating"`, `"wasserstein"`, `"least_squares"` (LSGAN, used by
    CycleGAN) and `"hinge"`. One-sided label smoothing (the real target
    becomes `1 - label_smoothing`) applies to the minimax, non-saturating
    and least-squares games.

    Reference: Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017 (PatchGAN); Wang et al.,
    "High-Resolution Image Synthesis and Semantic Manipulation with
    Conditional GANs", CVPR 2018 (multi-scale discriminators).

    Args:
        game: name of the game.
        label_smoothing: float in `[0, 1)`.

    Example:

    ```python
    loss = kgen.losses.AdversarialLoss("least_squares")
    d_loss = loss.discriminator(d_real, d_fake)  # any score shape
    g_loss = loss.generator(d_fake)
    ```
    """

    def __init__(self, game="non_saturating", label_smoothing=0.0):
        if game not in gan_losses.GAN_LOSSES:
            raise ValueError(
                f"Unknown GAN loss {game!r}. Expected one of "
                f"{sorted(gan_losses.GAN_LOSSES)}."
            )
        label_smoothing = check_number(
            label_smoothing, "label_smoothing", low=0, high=1, high_open=True
        )
        discriminator, generator, smoothable = gan_losses.GAN_LOSSES[game]
        if label_smoothing and not smoothable:
            raise ValueError(
                f"`label_smoothing` applies to the minimax, non_saturating and "
                f"least_squares games, not to loss={game!r}. Received: "
                f"label_smoothing={label_smoothing}. Set it to 0."
            )
        self.game = game
        self.label_smoothing = float(label_smoothing)
        self._discriminator = discriminator
        self._generator = generator

    def discriminator(self, real_scores, fake_scores):
        """The discriminator's (critic's) loss, a scalar.

        Args:
            real_scores: scores of real samples (a tensor or a list, one
                tensor per discriminator scale).
            fake_scores: scores of generated samples, the same structure.
        """
        smoothing = (
            {"label_smoothing": self.label_smoothing}
            if self.label_smoothing
            else {}
        )
        return _mean_over_scales(
            self._discriminator(r, f, **smoothing)
            for r, f in zip(_as_list(real_scores), _as_list(fake_scores))
        )

    def generator(self, fake_scores):
        """The generator's loss on the scores of its samples, a scalar."""
        return _mean_over_scales(
            self._generator(f) for f in _as_list(fake_scores)
        )

    def readable(self, scores):
        """Mean score for logs: a probability for the cross-entropy games."""
        scores = _as_list(scores)
        if self.game in ("minimax", "non_saturating"):
            scores = [ops.sigmoid(s) for s in scores]
        return _mean_over_scales(ops.mean(s) for s in scores)

    def get_config(self):
        return {"game": self.game, "label_smoothing": self.label_smoothing}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_list(scores):
    return list(scores) if isinstance(scores, (list, tuple)) else [scores]


def _mean_over_scales(losses):
    losses = list(losses)
    return losses[0] if len(losses) == 1 else sum(losses) / len(losses)
