"""Tiny per-pixel networks and a finite-difference reference for the tests."""

import keras
import numpy as np


def pixel_network(in_channels, out_channels, seed, size=2):
    """A 1x1 'convolution' (Dense on the channel axis) with random weights."""
    network = keras.Sequential(
        [
            keras.Input((size, size, in_channels)),
            keras.layers.Dense(out_channels),
        ]
    )
    rng = np.random.default_rng(seed)
    network.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in network.weights]
    )
    return network


def numeric_gradients(loss, params, eps=1e-6):
    """Central finite differences of `loss(params)` in float64."""
    grads = []
    for i, p in enumerate(params):
        grad = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[i][index] += eps
            up = loss(shifted)
            shifted[i][index] -= 2 * eps
            grad[index] = (up - loss(shifted)) / (2 * eps)
        grads.append(grad)
    return grads


def affine(x, params):
    kernel, bias = params
    return x @ kernel + bias


def softplus(x):
    return np.logaddexp(0.0, x)
