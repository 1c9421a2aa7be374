"""U-Net, ResNet and PatchGAN builders: shapes, receptive fields, errors."""

import keras
import numpy as np
import pytest

import kgen


@pytest.mark.parametrize("shape", [(16, 16, 1), (8, 24, 3)])
def test_generators_keep_the_image_size(shape):
    unet = kgen.models.build_unet_generator(shape, 2, base_filters=2)
    resnet = kgen.models.build_resnet_generator(
        shape, 2, base_filters=2, num_blocks=1
    )
    for network in (unet, resnet):
        assert network.output_shape == (None, *shape[:2], 2)
    # Skip connections: every encoder output reaches the decoder.
    concatenations = [
        layer
        for layer in unet.layers
        if isinstance(layer, keras.layers.Concatenate)
    ]
    assert len(concatenations) == int(np.log2(np.gcd(*shape[:2]))) - 1


def test_patchgan_receptive_field_and_scaling():
    assert [kgen.models.patchgan_receptive_field(n) for n in (1, 2, 3)] == [
        16,
        34,
        70,
    ]
    # One score per patch; the depth scales with the image (70/256).
    for size, layers in ((32, 1), (128, 2), (256, 3)):
        d = kgen.models.build_patchgan_discriminator(
            (size, size, 2), base_filters=1
        )
        assert d.output_shape == (None, size // 2**layers, size // 2**layers, 1)
    # The receptive field, measured: the input pixels one score depends on.
    d = kgen.models.build_patchgan_discriminator(
        (48, 48, 1), base_filters=1, num_layers=1, normalization=None
    )
    x = keras.ops.convert_to_tensor(np.zeros((1, 48, 48, 1), "float32"))
    grad = kgen.backend.input_gradients(lambda v: d(v)[:, 12, 12, 0], x)
    rows = np.nonzero(np.abs(keras.ops.convert_to_numpy(grad)[0, :, 24, 0]))[0]
    assert rows.max() - rows.min() + 1 == 16


def test_multi_scale_patchgan_returns_one_map_per_scale():
    d = kgen.models.build_patchgan_discriminator(
        (32, 32, 3), base_filters=2, num_layers=1, num_scales=3
    )
    assert [tuple(s) for s in d.output_shape] == [
        (None, 16, 16, 1),
        (None, 8, 8, 1),
        (None, 4, 4, 1),
    ]


def test_clear_errors():
    with pytest.raises(ValueError, match="must be divisible by 4"):
        kgen.models.build_resnet_generator((18, 16, 1))
    with pytest.raises(ValueError, match="must be divisible by 8"):
        kgen.models.build_unet_generator((20, 16, 1), num_downsampling=3)
    with pytest.raises(ValueError, match="needs images of at least 16 pixels"):
        kgen.models.build_patchgan_discriminator((8, 8, 1), num_layers=4)
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        kgen.models.build_patchgan_discriminator((8, 8))
    with pytest.raises(ValueError, match="`normalization` must be one of"):
        kgen.models.build_unet_generator((8, 8, 1), normalization="layer")


def test_zero_output_resnet_generator_starts_at_zero():
    def build(**kwargs):
        return kgen.models.build_resnet_generator(
            (8, 8, 1),
            base_filters=2,
            num_downsampling=1,
            num_blocks=1,
            **kwargs,
        )

    def outputs(network):
        return keras.ops.convert_to_numpy(network(x))

    x = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 1))
    generator = build(zero_output=True)
    np.testing.assert_array_equal(outputs(generator), 0.0)
    # Saved in the network's config: a rebuilt copy starts at zero too.
    rebuilt = keras.Model.from_config(generator.get_config())
    np.testing.assert_array_equal(outputs(rebuilt), 0.0)
    # The default initialisation does not return zeros.
    assert np.abs(outputs(build())).max() > 1e-3
    with pytest.raises(ValueError, match="`zero_output` must be True or"):
        build(zero_output=1)
