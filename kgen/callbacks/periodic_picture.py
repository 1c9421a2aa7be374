"""Base of callbacks that save a picture every few epochs."""

import os

import keras


class PeriodicPicture(keras.callbacks.Callback):
    """Saves a PNG named `f"{prefix}_epoch_{epoch:03d}.png"` every few epochs.

    Subclasses implement `draw(path, epoch)`; this base decides when to call
    it (every `every` epochs and after the last one), creates the folder and
    records the written paths in `self.paths`.

    Args:
        directory: output folder.
        prefix: start of the file names.
        every: save every `every` epochs (and after the last one).
    """

    def __init__(self, directory, prefix, every=1):
        super().__init__()
        self.directory = directory
        self.prefix = prefix
        self.every = every
        self.paths = []

    def draw(self, path, epoch):
        """Writes the picture of (1-based) `epoch` to `path`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `draw()`."
        )

    def on_epoch_end(self, epoch, logs=None):
        last = self.params and epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every and not last:
            return
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(
            self.directory, f"{self.prefix}_epoch_{epoch + 1:03d}.png"
        )
        self.draw(path, epoch + 1)
        self.paths.append(path)
