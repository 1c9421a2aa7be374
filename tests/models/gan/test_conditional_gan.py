"""ConditionalGAN and ACGAN: labels reach both networks; clear errors."""

import keras
import numpy as np
import pytest

import kgen

X = np.random.default_rng(0).uniform(size=(16, 6)).astype("float32")
Y = np.arange(16) % 3


def conditional(mlp_networks, **kwargs):
    return kgen.models.ConditionalGAN(
        *mlp_networks(num_classes=3),
        latent_dim=4,
        num_classes=3,
        seed=0,
        **kwargs,
    )


def acgan(mlp_networks, **kwargs):
    networks = (
        mlp_networks(num_classes=3)[0],
        mlp_networks(num_classes=3, auxiliary=True)[1],
    )
    return kgen.models.ACGAN(
        *networks, latent_dim=4, num_classes=3, seed=0, **kwargs
    )


@pytest.mark.parametrize("build", [conditional, acgan], ids=["cgan", "acgan"])
def test_fit_generate_and_round_trip(tmp_path, mlp_networks, build):
    model = build(mlp_networks, ema_decay=0.9)
    model.compile(optimizer="adam")
    history = model.fit(X, Y, batch_size=8, epochs=1, verbose=0).history
    assert np.isfinite(history["discriminator_loss"][0])
    assert model.generate(4, labels=[0, 1, 2, 0]).shape == (4, 6)
    assert model.latent_path(3, labels=2, seed=0).shape == (3, 6)
    kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.generate(3, labels=1, seed=0)
    )


def test_labels_change_the_samples(mlp_networks):
    model = conditional(mlp_networks)
    assert not np.allclose(
        model.generate(4, labels=0, seed=1), model.generate(4, labels=1, seed=1)
    )


def test_acgan_class_loss_is_cross_entropy(mlp_networks):
    model = acgan(mlp_networks, auxiliary_weight=2.0)
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]], "float32")
    labels = np.eye(3, dtype="float32")[[0, 2]]
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -2.0 * np.mean((labels * log_softmax).sum(1))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model._class_loss(logits, labels)),
        expected,
        rtol=1e-5,
    )


def test_missing_and_bad_labels(mlp_networks):
    model = conditional(mlp_networks)
    model.compile()
    with pytest.raises(
        ValueError, match=r"trains on labelled data: call `fit\(x, y\)`"
    ):
        model.fit(X, verbose=0)
    with pytest.raises(
        ValueError, match=r"`y` must be integer class ids in \[0, 2\]"
    ):
        model.fit(X, Y + 1, verbose=0)
    with pytest.raises(
        ValueError, match="needs the classes to generate. Pass `labels=`"
    ):
        model.generate(4)
    with pytest.raises(
        ValueError,
        match=r"of shape \(4,\), one per sample. Received shape \(3,\)",
    ):
        model.generate(4, labels=[0, 1, 2])
    with pytest.raises(
        ValueError, match="`num_classes` must be an integer >= 2"
    ):
        kgen.models.ConditionalGAN(
            *mlp_networks(num_classes=3), latent_dim=4, num_classes=1
        )


def test_acgan_needs_a_classifying_discriminator(mlp_networks):
    with pytest.raises(
        ValueError, match=r"must return `\[scores, class_logits\]`"
    ):
        kgen.models.ACGAN(
            mlp_networks(num_classes=3)[0],
            mlp_networks()[1],
            latent_dim=4,
            num_classes=3,
        )
