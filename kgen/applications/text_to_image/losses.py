"""Losses of text-to-image models: joint embedding and matching-aware GAN."""

from keras import ops


def symmetric_matching_loss(image_embeddings, text_embeddings, temperature):
    """Symmetric matching loss of a joint image-text embedding.

    Row `i` of both inputs is a matching image-caption pair; every other
    pairing in the batch is a mismatch. With `s_ij = <u_i, v_j> /
    temperature` the cosine similarities of the L2-normalised embeddings,
    the loss is the mean of the cross-entropy of picking the right caption
    for each image (softmax over row `i`) and the right image for each
    caption (softmax over column `j`). It is the smooth (softmax) form of
    the symmetric structured joint embedding of Reed et al., whose
    compatibility must rank the matching pair first in both directions.

    Reference: Reed et al., "Learning Deep Representations of Fine-Grained
    Visual Descriptions", CVPR 2016; Radford et al., "Learning Transferable
    Visual Models From Natural Language Supervision", 2021 (the softmax
    form).

    Args:
        image_embeddings: tensor `(batch, dim)`.
        text_embeddings: tensor `(batch, dim)`, row `i` describing image `i`.
        temperature: float > 0; lower values sharpen the softmax.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = symmetric_matching_loss(image_encoder(x), text_encoder(ids), 0.1)
    ```
    """
    images = _normalize(image_embeddings)
    texts = _normalize(text_embeddings)
    logits = ops.matmul(images, ops.transpose(texts)) / temperature
    labels = ops.arange(ops.shape(logits)[0])
    image_to_text = ops.sparse_categorical_crossentropy(
        labels, logits, from_logits=True
    )
    text_to_image = ops.sparse_categorical_crossentropy(
        labels, ops.transpose(logits), from_logits=True
    )
    return 0.5 * (ops.mean(image_to_text) + ops.mean(text_to_image))


def matching_aware_loss(
    adversarial_loss, real_scores, mismatched_scores, fake_scores
):
    """Discriminator loss of GAN-CLS: mismatched captions count as fake.

    The discriminator sees three kinds of pairs: a real image with its
    caption (real), a real image with another caption (fake: it does not
    match) and a generated image with the caption it was drawn from (fake).
    As in Reed et al. the two fake kinds share the fake half of the game:

    `L = L_real(s_real) + (L_fake(s_mismatched) + L_fake(s_fake)) / 2`,

    written with the game's own discriminator loss as the mean of
    `adversarial_loss.discriminator(real, mismatched)` and
    `adversarial_loss.discriminator(real, fake)`, so it holds for every game
    of `kgen.losses.AdversarialLoss` (for the Wasserstein game, the critic's
    mean score of the fake kinds is averaged likewise).

    Reference: Reed et al., "Generative Adversarial Text to Image
    Synthesis", ICML 2016 (Algorithm 1).

    Args:
        adversarial_loss: a `kgen.losses.AdversarialLoss`.
        real_scores: discriminator scores of real images with their captions.
        mismatched_scores: scores of real images with mismatched captions.
        fake_scores: scores of generated images with their captions.

    Returns:
        Scalar loss.

    Example:

    ```python
    loss = matching_aware_loss(AdversarialLoss(), d_real, d_wrong, d_fake)
    ```
    """
    return 0.5 * (
        adversarial_loss.discriminator(real_scores, mismatched_scores)
        + adversarial_loss.discriminator(real_scores, fake_scores)
    )


def _normalize(x):
    x = ops.cast(x, "float32")
    return x / ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True) + 1e-12)
