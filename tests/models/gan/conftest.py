"""Small networks shared by the GAN tests."""

import pytest

import kgen


@pytest.fixture
def mlp_networks():
    def build(
        latent_dim=4, shape=(6,), num_classes=None, auxiliary=False, **kwargs
    ):
        generator = kgen.models.build_mlp_generator(
            latent_dim, shape, (8,), num_classes=num_classes
        )
        discriminator = kgen.models.build_mlp_discriminator(
            shape, (8,), num_classes=num_classes, auxiliary=auxiliary, **kwargs
        )
        return generator, discriminator

    return build
