"""FeatureExtractor: digits classifier trained offline, Inception wrapper."""

import keras
import numpy as np
import pytest

import kgen


@pytest.fixture(scope="module")
def digits_extractor():
    return kgen.metrics.train_feature_extractor(epochs=15)


def test_digits_extractor_classifies_and_scores(digits_extractor):
    (x_train, _), (x_test, y_test) = kgen.datasets.load_digits()
    assert np.mean(digits_extractor.predict_classes(x_test) == y_test) > 0.9
    assert digits_extractor.features(x_test[:7]).shape == (7, 64)
    real = digits_extractor.score(x_test, x_train[:450], kernel_subsets=10)
    noise = digits_extractor.score(
        x_test,
        np.random.default_rng(0).uniform(size=(450, 64)),
        kernel_subsets=10,
    )
    assert real["frechet_distance"] < noise["frechet_distance"] / 5
    assert real["kernel_distance"] < noise["kernel_distance"] / 5
    assert (
        real["precision"] > 0.7
        and real["recall"] > 0.7
        and real["class_coverage"] == 1.0
    )
    labelled = digits_extractor.score(
        x_test, x_test, fake_labels=y_test, kernel_subsets=10
    )
    assert labelled["label_accuracy"] > 0.9 and labelled["precision"] == 1.0


def test_round_trip(tmp_path, digits_extractor):
    config = keras.saving.serialize_keras_object(digits_extractor)
    loaded = keras.saving.deserialize_keras_object(config)
    assert isinstance(loaded, kgen.metrics.FeatureExtractor)
    assert loaded.feature_layer == "features"


@pytest.mark.slow
def test_inception_wrapper_preprocesses_digits(backend_name):
    if backend_name != "tensorflow":
        pytest.skip(
            "InceptionV3 is heavy and the wrapper is backend-independent Keras code: run on TensorFlow only."
        )
    extractor = kgen.metrics.FeatureExtractor.inception(weights=None)
    x = kgen.datasets.load_digits()[0][0][:2]
    assert extractor.features(x).shape == (2, 2048)
    probabilities = extractor.probabilities(x)
    assert probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)


def test_bad_arguments():
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)]
    )
    with pytest.raises(ValueError, match="is not a layer of the model"):
        kgen.metrics.FeatureExtractor(model, feature_layer="pool")
    with pytest.raises(ValueError, match="`preprocessing` must be one of"):
        kgen.metrics.FeatureExtractor(model, preprocessing="vgg")
    with pytest.raises(
        ValueError, match="integer class labels >= 0, one per sample"
    ):
        kgen.metrics.train_feature_extractor(np.zeros((4, 3)), np.array([0, 1]))


def test_convolutional_extractor_classifies_digit_images():
    (x_train, y_train), (x_test, y_test) = kgen.datasets.load_digits()
    images = x_train.reshape(-1, 8, 8, 1)
    extractor = kgen.metrics.train_feature_extractor(
        images,
        y_train,
        hidden_units=(32,),
        conv_filters=(16,),
        epochs=15,
        batch_size=128,
    )
    layers = [type(layer).__name__ for layer in extractor.model.layers]
    assert layers.count("Conv2D") == 1 and layers.count("MaxPooling2D") == 1
    predicted = extractor.predict_classes(x_test.reshape(-1, 8, 8, 1))
    assert np.mean(predicted == y_test) > 0.9
    assert extractor.features(images[:3]).shape == (3, 32)
    with pytest.raises(ValueError, match="`conv_filters` needs images"):
        kgen.metrics.train_feature_extractor(
            x_train, y_train, conv_filters=(8,), epochs=1
        )
