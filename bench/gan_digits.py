"""Digits: Fréchet distances of DCGAN, conditional GAN (and VAE) samples.

All distances are measured in the feature space of a classifier trained on
the real training digits (`kgen.metrics.train_feature_extractor`): a Fréchet
"classifier" distance, not an Inception FID. The reference set is the real
training split; the floor is the distance of the real held-out split (450
images) to it, and every model is scored on 450 generated images. The
conditional GAN is also scored by the fraction of its samples that the
classifier assigns to the requested class (target >= 90 %). A VAE row is
added when `kgen.models.VAE` exists.

    python bench/gan_digits.py [--quick]
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import kgen

NUM_SAMPLES = 450


def adam(learning_rate=2e-4):
    return keras.optimizers.Adam(learning_rate, beta_1=0.5)


def train_dcgan(x, y, epochs, seed):
    images = x.reshape(-1, 8, 8, 1)
    gan = kgen.models.GAN(
        kgen.models.build_dcgan_generator(32, (8, 8, 1), base_filters=64),
        kgen.models.build_dcgan_discriminator((8, 8, 1), base_filters=64),
        latent_dim=32,
        label_smoothing=0.1,
        ema_decay=0.999,
        seed=seed,
    )
    gan.compile(optimizer={"discriminator": adam(), "generator": adam()})
    gan.fit(images, batch_size=64, epochs=epochs, verbose=0)
    return gan.generate(NUM_SAMPLES, seed=seed).reshape(NUM_SAMPLES, 64), None


def train_cgan(x, y, epochs, seed):
    cgan = kgen.models.ConditionalGAN(
        kgen.models.build_mlp_generator(32, (64,), (256, 256), num_classes=10),
        kgen.models.build_mlp_discriminator((64,), (256, 256), num_classes=10),
        latent_dim=32,
        num_classes=10,
        label_smoothing=0.1,
        ema_decay=0.999,
        seed=seed,
    )
    cgan.compile(optimizer={"discriminator": adam(), "generator": adam()})
    cgan.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    labels = np.arange(NUM_SAMPLES) % 10
    return cgan.generate(NUM_SAMPLES, labels=labels, seed=seed), labels


def train_vae(x, y, epochs, seed):
    vae = kgen.models.VAE.dense(
        (64,), latent_dim=8, hidden_units=(256, 128), seed=seed
    )
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(x, batch_size=64, epochs=epochs, verbose=0)
    return vae.generate(NUM_SAMPLES, seed=seed), None


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--figures",
        help="folder for PNG grids of the samples (e.g. docs/images)",
    )
    args = parser.parse_args()
    epochs = 40 if args.quick else 300
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = kgen.datasets.load_digits()
    extractor = kgen.metrics.train_feature_extractor(
        x_train, y_train, seed=args.seed
    )
    accuracy = float(np.mean(extractor.predict_classes(x_test) == y_test))
    models = {"DCGAN": train_dcgan, "conditional GAN": train_cgan}
    if hasattr(kgen.models, "VAE"):
        models["VAE"] = train_vae
    rows = [
        {
            "model": "real test digits (floor)",
            **extractor.score(x_train, x_test, fake_labels=y_test),
        }
    ]
    for name, train in models.items():
        start = time.time()
        samples, labels = train(x_train, y_train, epochs, args.seed)
        rows.append(
            {
                "model": name,
                **extractor.score(x_train, samples, fake_labels=labels),
                "seconds": time.time() - start,
            }
        )
        if args.figures:
            slug = name.lower().replace(" ", "_")
            kgen.utils.save_image_grid(
                samples[:100],
                os.path.join(args.figures, f"gan_digits_{slug}.png"),
                title=name,
                image_shape=(8, 8),
                num_columns=10,
            )
    print(
        f"backend={keras.backend.backend()} epochs={epochs} classifier test accuracy={accuracy:.3f}"
    )
    print(
        f"{'model':26} {'FD':>7} {'KID':>8} {'±SE':>7} {'prec':>5} {'rec':>5} {'cls score':>9} {'label acc':>9}"
    )
    for row in rows:
        label = (
            f"{row['label_accuracy']:.3f}" if "label_accuracy" in row else "-"
        )
        print(
            f"{row['model']:26} {row['frechet_distance']:>7.2f} {row['kernel_distance']:>8.4f} "
            f"{row['kernel_distance_se']:>7.4f} {row['precision']:>5.2f} {row['recall']:>5.2f} "
            f"{row['classifier_score']:>9.2f} {label:>9}"
        )
    os.makedirs(
        os.path.join(os.path.dirname(__file__), "results"), exist_ok=True
    )
    path = os.path.join(os.path.dirname(__file__), "results", "gan_digits.json")
    with open(path, "w") as file:
        json.dump(
            {
                "backend": keras.backend.backend(),
                "epochs": epochs,
                "classifier_accuracy": accuracy,
                "rows": rows,
            },
            file,
            indent=1,
        )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
