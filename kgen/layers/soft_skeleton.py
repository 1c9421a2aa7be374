"""The soft skeleton of image maps, a differentiable centre line."""

import keras
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class SoftSkeleton(keras.layers.Layer):
    """Reduces non-negative `(batch, h, w, c)` maps to their soft skeleton.

    The skeleton of Shit et al.'s clDice: erode the map `iterations` times
    (a 3 x 3 minimum) and keep, from the map and from each erosion, what a
    morphological opening (erosion, then a 3 x 3 maximum) removes,
    accumulated as `skeleton + relu(residue - skeleton * residue)`. On
    binary maps this is the morphological skeleton (Lantuéjoul's union of
    erosions minus their openings, with the 3 x 3 square); on grey maps it
    is its soft version, and the gradient flows through the pools. Strokes
    drawn thicker or thinner keep about the same centre line, so a content
    loss on skeletons (e.g. `StarGAN(feature_extractor=...)`) lets a
    translation change the stroke width but not the shape. Pixels outside
    the image are ignored by both pools.

    Reference:
        Shit et al., "clDice - a Novel Topology-Preserving Loss Function for
        Tubular Structure Segmentation", CVPR 2021.

    Args:
        iterations: int >= 0, rounds of erosion; strokes up to about
            `2 * iterations + 1` pixels wide reduce to one line.
        **kwargs: base layer arguments.

    Example:

    ```python
    inputs = keras.Input((16, 16, 1))
    strokes = kgen.layers.SoftSkeleton(3)(inputs)  # same shape
    ```
    """

    def __init__(self, iterations=3, **kwargs):
        super().__init__(**kwargs)
        self.iterations = check_integer(iterations, "iterations", minimum=0)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "SoftSkeleton takes maps of shape (batch, height, width, "
                f"channels). Received input shape {tuple(input_shape)}; "
                "add a channel axis to single-channel images."
            )
        self.built = True

    def call(self, inputs):
        maps, eroded = inputs, self._erode(inputs)
        skeleton = self._opening_residue(maps, eroded)
        for _ in range(self.iterations):
            maps, eroded = eroded, self._erode(eroded)
            residue = self._opening_residue(maps, eroded)
            skeleton = skeleton + ops.relu(residue - skeleton * residue)
        return skeleton

    @staticmethod
    def _erode(maps):
        return -ops.max_pool(-maps, 3, strides=1, padding="same")

    @staticmethod
    def _opening_residue(maps, eroded):
        """What the opening of `maps` removes, given their erosion."""
        opened = ops.max_pool(eroded, 3, strides=1, padding="same")
        return ops.relu(maps - opened)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "iterations": self.iterations}
