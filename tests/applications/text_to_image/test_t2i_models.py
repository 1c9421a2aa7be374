"""JointEmbedding, TextConditionalGAN and TextToImage on tiny data."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.applications.text_to_image import JointEmbedding
from kgen.applications.text_to_image import TextConditionalGAN
from kgen.applications.text_to_image import TextToImage
from kgen.applications.text_to_image import build_image_encoder
from kgen.applications.text_to_image import build_matching_discriminator
from kgen.applications.text_to_image import build_text_conditioned_generator
from kgen.applications.text_to_image import build_text_encoder
from kgen.applications.text_to_image import matching_aware_loss
from kgen.applications.text_to_image import symmetric_matching_loss
from kgen.testing.serialization import assert_round_trip

SHAPE = (8, 8, 3)
CAPTIONS = ["a red two", "a blue two", "a red seven", "a blue seven"] * 2


def _images(rng, count=8):
    return rng.uniform(size=(count, *SHAPE)).astype("float32")


def _gan(embedding_dim=4, **kwargs):
    return TextConditionalGAN(
        build_text_conditioned_generator(3, embedding_dim, SHAPE, 4, 4),
        build_matching_discriminator(SHAPE, embedding_dim, 4, 4),
        latent_dim=3,
        embedding_dim=embedding_dim,
        seed=0,
        **kwargs,
    )


@pytest.fixture(scope="module")
def fitted():
    model = TextToImage(
        image_shape=SHAPE,
        max_length=4,
        embedding_dim=4,
        latent_dim=3,
        word_dim=3,
        text_units=4,
        base_filters=4,
        seed=0,
    )
    images = np.random.default_rng(0).uniform(size=(8, *SHAPE))
    histories = model.fit(
        images,
        CAPTIONS,
        embedding_epochs=1,
        gan_epochs=1,
        batch_size=4,
        verbose=0,
    )
    return model, images, histories


def test_gan_logs_round_trips_and_checks_its_data(fitted, rng, tmp_path):
    model, images, histories = fitted
    for name in ("d_mismatched", "interpolation", "generator_loss"):
        assert np.isfinite(histories["gan"].history[name][-1])
    embeddings = rng.normal(size=(2, 4)).astype("float32")
    assert_round_trip(
        model.gan,
        tmp_path,
        call=lambda m: m.generate(2, labels=embeddings, seed=3),
    )
    with pytest.raises(ValueError, match="caption embeddings"):
        model.gan.fit(images, verbose=0)
    with pytest.raises(ValueError, match="one embedding per image"):
        model.gan.fit(images, embeddings, verbose=0)
    with pytest.raises(ValueError, match="shape"):
        model.gan.generate(2, labels=np.zeros((2, 5)))


def test_text_to_image_generates_and_interpolates(fitted):
    model, _, histories = fitted
    assert set(histories) == {"embedding", "gan"}
    images = model.generate(["a red two", "a green seven"], seed=0)
    assert images.shape == (2, *SHAPE)
    assert images.min() >= 0 and images.max() <= 1
    np.testing.assert_allclose(
        images, model.generate(["a red two", "a green seven"], seed=0)
    )
    path = model.interpolate("a red two", "a blue seven", num_steps=5, seed=1)
    assert path.shape == (5, *SHAPE)
    # The ends are the two captions' images with the same noise.
    ends = model.interpolate("a red two", "a blue seven", num_steps=2, seed=1)
    np.testing.assert_allclose(path[[0, -1]], ends, atol=1e-5)
    assert model.encode_captions(["a red two"]).shape == (1, 4)


def test_text_to_image_saves_loads_and_trains_on(fitted, tmp_path):
    model, images, _ = fitted
    path = str(tmp_path / "t2i.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.tokenizer.vocabulary == model.tokenizer.vocabulary
    captions = ["a red seven", "a blue two"]
    np.testing.assert_allclose(
        loaded.generate(captions, seed=4),
        model.generate(captions, seed=4),
        atol=1e-5,
    )
    for name in ("joint_embedding", "gan"):
        original = getattr(model, name).optimizer.variables
        restored = getattr(loaded, name).optimizer.variables
        assert len(original) == len(restored)
        for a, b in zip(original, restored):
            np.testing.assert_allclose(
                ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-6
            )
    iterations = int(ops.convert_to_numpy(loaded.gan.optimizer.iterations))
    loaded.fit(images, CAPTIONS, embedding_epochs=0, gan_epochs=1, batch_size=4)
    assert int(ops.convert_to_numpy(loaded.gan.optimizer.iterations)) > (
        iterations
    )


def test_text_to_image_bad_input(fitted):
    model, images, _ = fitted
    with pytest.raises(ValueError, match="has no word"):
        model.generate(["a red two", ""])
    with pytest.raises(ValueError, match="max_length=4"):
        model.generate(["a red two on the left"])
    # Unknown words are read as <unk>, not an error.
    assert model.generate(["a purple two"], seed=0).shape == (1, *SHAPE)
    with pytest.raises(ValueError, match="one per image"):
        model.fit(images, CAPTIONS[:3])
    with pytest.raises(ValueError, match="shape"):
        model.fit(images[..., :1], CAPTIONS)
    with pytest.raises(ValueError, match="not trained yet"):
        TextToImage(image_shape=SHAPE).generate(["a red two"])


def test_joint_embedding_trains_on_the_matching_loss(fitted, rng):
    joint = fitted[0].joint_embedding
    images = rng.uniform(size=(4, *SHAPE)).astype("float32")
    ids = np.array([[2, 3, 0, 0], [4, 0, 0, 0], [5, 2, 1, 0], [3, 3, 3, 3]])
    image_embeddings, text_embeddings = joint([images, ids.astype("int32")])
    np.testing.assert_allclose(
        np.linalg.norm(ops.convert_to_numpy(text_embeddings), axis=1), 1.0, 1e-5
    )
    expected = symmetric_matching_loss(image_embeddings, text_embeddings, 0.1)
    loss = joint.compute_loss(y_pred=[image_embeddings, text_embeddings])
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss), ops.convert_to_numpy(expected), rtol=1e-5
    )
    with pytest.raises(ValueError, match="same embedding size"):
        JointEmbedding(
            build_image_encoder(SHAPE, 4, filters=(4,)),
            build_text_encoder(6, 3, output_dim=5, word_dim=3, units=4),
        )


def test_gan_discriminator_loss_is_matching_aware(fitted, rng):
    gan = fitted[0].gan
    images = _images(rng, 4)
    embeddings = rng.normal(size=(4, 4)).astype("float32")
    # With the seed fixed, the fake images of the loss are reproduced.
    z = gan._latent(4, keras.random.SeedGenerator(7))
    fake = gan.generator([z, ops.convert_to_tensor(embeddings)])

    def scores(x, t):
        inputs = [ops.convert_to_tensor(x), ops.convert_to_tensor(t)]
        return gan.discriminator(inputs, training=False)

    expected = matching_aware_loss(
        gan.adversarial_loss,
        scores(images, embeddings),
        scores(images, np.roll(embeddings, 1, axis=0)),
        scores(fake, embeddings),
    )
    state = gan.seed_generator
    gan.seed_generator = keras.random.SeedGenerator(7)
    batch = (ops.convert_to_tensor(images), ops.convert_to_tensor(embeddings))
    loss = gan.discriminator_loss(batch, training=False)
    gan.seed_generator = state
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss), ops.convert_to_numpy(expected), rtol=1e-5
    )


def test_gan_arguments_are_checked():
    with pytest.raises(ValueError, match="interpolation_beta"):
        _gan(interpolation_beta=2.0)
    with pytest.raises(ValueError, match="interpolation_weight"):
        _gan(interpolation_weight=-1.0)
