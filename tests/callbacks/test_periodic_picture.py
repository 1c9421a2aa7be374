import keras
import numpy as np

from kgen.callbacks import PeriodicPicture
from kgen.testing import TwoLinearMaps


class RecordEpochs(PeriodicPicture):
    def draw(self, path, epoch):
        self.drawn = getattr(self, "drawn", []) + [epoch]
        open(path, "wb").close()


def test_draws_every_n_epochs_and_after_the_last(tmp_path):
    rng = np.random.default_rng(0)
    x, y = (
        rng.normal(size=(4, 3)).astype("float32"),
        rng.normal(size=(4, 2)).astype("float32"),
    )
    model = TwoLinearMaps()
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    picture = RecordEpochs(str(tmp_path / "pictures"), "demo", every=2)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[picture])
    assert picture.drawn == [2, 4, 5]
    assert [p.rsplit("/", 1)[1] for p in picture.paths] == [
        "demo_epoch_002.png",
        "demo_epoch_004.png",
        "demo_epoch_005.png",
    ]
