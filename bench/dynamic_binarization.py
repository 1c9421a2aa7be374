"""Grey-level images binarised anew at every epoch, for the MNIST benches.

A `keras.utils.PyDataset` of shuffled batches in which every pixel is a
fresh Bernoulli draw with its grey level as probability (Burda et al.'s
"dynamic binarisation"): the model never sees the same binary image twice,
so it cannot over-fit one draw of the training set. Import it after
`KERAS_BACKEND` is set.
"""

import keras
import numpy as np


class DynamicBinarization(keras.utils.PyDataset):
    """Shuffled batches of grey-level images, binarised anew at every epoch."""

    def __init__(self, images, batch_size, seed):
        super().__init__()
        self.images, self.batch_size = images, batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, index):
        rows = self.order[
            index * self.batch_size : (index + 1) * self.batch_size
        ]
        grey = self.images[rows]
        return (self.rng.random(grey.shape) < grey).astype("float32")

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))
