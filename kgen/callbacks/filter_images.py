"""Saves the weights of an RBM (or any model with a kernel) as image tiles."""

from kgen.callbacks.periodic_picture import PeriodicPicture
from kgen.utils.images import save_filter_grid


class FilterImages(PeriodicPicture):
    """Saves the model's filters (one image tile per hidden unit) as a PNG.

    Uses `kgen.utils.save_filter_grid` on `model.kernel` (e.g. a
    `kgen.models.RBM`'s weights) every few epochs, into files
    `filters_epoch_{epoch:03d}.png`.

    Args:
        directory: output folder.
        image_shape: shape of one input image, e.g. `(8, 8)`.
        num_filters: show only the first `num_filters` hidden units.
        every: save every `every` epochs (and after the last one).

    Example:

    ```python
    model.fit(x, epochs=20, callbacks=[kgen.callbacks.FilterImages("runs/rbm", (8, 8))])
    ```
    """

    def __init__(self, directory, image_shape, num_filters=None, every=1):
        super().__init__(directory, "filters", every)
        self.image_shape = image_shape
        self.num_filters = num_filters

    def draw(self, path, epoch):
        save_filter_grid(
            self.model.kernel,
            path,
            self.image_shape,
            self.num_filters,
            title=f"epoch {epoch}",
        )
