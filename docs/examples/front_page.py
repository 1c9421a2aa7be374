import os

os.environ["KERAS_BACKEND"] = "jax"  # or "tensorflow", "torch"

import keras

import kgen

keras.utils.set_random_seed(0)  # initial weights, shuffling

# 1,797 handwritten 8x8 digits ship with kgen; pixels binarised to 0/1.
(x_train, y_train), _ = kgen.datasets.load_digits("binary")

# A variational autoencoder that generates the digit it is asked for.
model = kgen.models.ConditionalVAE.dense(
    (64,), latent_dim=8, num_classes=10, seed=0
)
model.compile(optimizer="adam")
model.fit(x_train, y_train, epochs=200, batch_size=64, verbose=0)

# 100 new digits, labels 0, 1, ..., 9, 0, 1, ...: one digit per column.
samples = model.generate(100, seed=0)
kgen.utils.save_image_grid(
    samples, "samples.png", image_shape=(8, 8), num_columns=10
)
