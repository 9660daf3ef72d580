"""NumPy training data as full batches, for `GAN.fit`."""

import keras
import numpy as np


class FullBatches(keras.utils.PyDataset):
    """Arrays as batches of exactly `batch_size` samples, reshuffled each epoch.

    `GAN.fit` feeds NumPy data through this. A GAN's step needs full batches:
    it splits its batch into `n_critic` critic batches, and batch statistics
    (batch norm, penalties, a batch softmax) are estimates over the batch. So
    the samples left over at the end of an epoch are dropped, as the
    loaders' `drop_remainder=True` does, rather than passed on as a smaller
    batch; with `shuffle`, different ones each epoch.

    Args:
        x: array of samples.
        y: optional array with one entry (a label) per sample.
        batch_size: samples per batch.
        shuffle: draw a new order of the samples each epoch (from NumPy's
            global generator, which `keras.utils.set_random_seed` seeds).
    """

    def __init__(self, x, y=None, batch_size=32, shuffle=True):
        super().__init__()
        if len(x) < batch_size:
            raise ValueError(
                f"fit() received {len(x)} samples, fewer than one training step "
                f"takes ({batch_size}: `batch_size` times the method's "
                "`n_critic` critic batches). Pass more data or a smaller "
                "`batch_size`."
            )
        if y is not None and len(y) != len(x):
            raise ValueError(
                f"`x` and `y` must have one entry per sample. Received "
                f"{len(x)} samples and {len(y)} labels."
            )
        self.x, self.y = x, y
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self._order = np.arange(len(x))
        self.on_epoch_end()

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[rows] if self.y is None else (self.x[rows], self.y[rows])

    def on_epoch_end(self):
        if self.shuffle:
            np.random.shuffle(self._order)
