"""Saves a grid of generated samples every few epochs."""

from kgen.callbacks.periodic_picture import PeriodicPicture
from kgen.utils.images import save_image_grid


class SampleGrid(PeriodicPicture):
    """Saves `model.generate(num_samples, seed=seed)` as a PNG grid.

    The seed is fixed, so successive pictures show the same noise or chains
    as training goes on.

    Args:
        directory: folder for the files `samples_epoch_{epoch:03d}.png`.
        image_shape: shape of one image, e.g. `(8, 8)`, used to reshape flat
            samples; `None` if samples are already images.
        num_samples: samples per grid.
        every: save every `every` epochs (and after the last one).
        seed: seed passed to `generate`.
        **generate_kwargs: passed to `model.generate` (e.g. `steps=` for an
            RBM, `labels=` for a conditional model).

    Example:

    ```python
    model.fit(x, epochs=20, callbacks=[kgen.callbacks.SampleGrid("runs/rbm", (8, 8))])
    ```
    """

    def __init__(
        self,
        directory,
        image_shape=None,
        num_samples=64,
        every=1,
        seed=0,
        **generate_kwargs,
    ):
        super().__init__(directory, "samples", every)
        self.image_shape = image_shape
        self.num_samples = num_samples
        self.seed = seed
        self.generate_kwargs = generate_kwargs

    def draw(self, path, epoch):
        samples = self.model.generate(
            self.num_samples, seed=self.seed, **self.generate_kwargs
        )
        save_image_grid(
            samples, path, title=f"epoch {epoch}", image_shape=self.image_shape
        )
