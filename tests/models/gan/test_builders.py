"""MLP and DCGAN builders for any sample shape."""

import numpy as np
import pytest

import kgen


@pytest.mark.parametrize("image_shape", [(8, 8, 1), (7, 10, 3), (16, 16, 2)])
@pytest.mark.parametrize("num_classes", [None, 4])
def test_dcgan_networks_fit_any_image_shape(image_shape, num_classes):
    generator = kgen.models.build_dcgan_generator(
        5, image_shape, base_filters=4, num_classes=num_classes
    )
    discriminator = kgen.models.build_dcgan_discriminator(
        image_shape, base_filters=4, num_classes=num_classes
    )
    assert generator.output_shape == (None, *image_shape)
    cls = kgen.models.GAN if num_classes is None else kgen.models.ConditionalGAN
    extra = {} if num_classes is None else {"num_classes": num_classes}
    gan = cls(
        generator, discriminator, latent_dim=5, **extra
    )  # checks the shapes symbolically
    assert gan.sample_shape == image_shape


def test_dcgan_generates_images():
    generator = kgen.models.build_dcgan_generator(
        5, (7, 10, 3), base_filters=4, num_classes=4
    )
    discriminator = kgen.models.build_dcgan_discriminator(
        (7, 10, 3), base_filters=4, num_classes=4
    )
    gan = kgen.models.ConditionalGAN(
        generator, discriminator, latent_dim=5, num_classes=4
    )
    assert gan.generate(2, labels=1).shape == (2, 7, 10, 3)


def test_dcgan_layers():
    generator = kgen.models.build_dcgan_generator(
        8, (32, 32, 3), base_filters=4
    )
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert (
        kinds.count("Conv2DTranspose") == 3
        and "BatchNormalization" in kinds
        and "ReLU" in kinds
    )
    discriminator = kgen.models.build_dcgan_discriminator(
        (32, 32, 3), base_filters=4, spectral_normalization=True
    )
    kinds = [type(layer).__name__ for layer in discriminator.layers]
    assert (
        kinds.count("SpectralNormalization") == 4
        and "BatchNormalization" not in kinds
    )
    assert "LeakyReLU" in kinds


def test_acgan_discriminator_outputs():
    discriminator = kgen.models.build_mlp_discriminator(
        (6,), num_classes=5, auxiliary=True
    )
    scores, logits = discriminator(np.zeros((2, 6), "float32"))
    assert scores.shape == (2, 1) and logits.shape == (2, 5)


def test_bad_builder_arguments():
    with pytest.raises(
        ValueError, match=r"`image_shape` must be \(height, width, channels\)"
    ):
        kgen.models.build_dcgan_generator(4, (8, 8))
    with pytest.raises(
        ValueError, match="`latent_dim` must be an integer >= 1"
    ):
        kgen.models.build_mlp_generator(0, (4,))
    with pytest.raises(
        ValueError, match="`auxiliary=True` .* needs `num_classes`"
    ):
        kgen.models.build_mlp_discriminator((4,), auxiliary=True)
