"""Callbacks for `GAN.fit`: pictures of the generator's progress."""

import keras
import numpy as np

from gan_zoo.arguments import check_positive_int
from gan_zoo.images import save_image_grid
from gan_zoo.images import save_scatter


class SampleGrid(keras.callbacks.Callback):
    """Writes the generator's samples from fixed noise as PNGs during `fit`.

    The noise `z` is drawn once, with NumPy from `seed`, when training
    begins (shape `(num_samples, model.latent_dim)`), so the pictures of
    successive epochs show the same `z` and can be compared. At the end of
    every `every_n_epochs`-th epoch the callback runs
    `model.generator.predict(z)` (inference mode: batch norm uses its moving
    statistics) and writes `path.format(epoch=epoch + 1)`:

    - image samples `(N, H, W, C)`: a tiled grid
      (`gan_zoo.images.save_image_grid`);
    - 2-D points `(N, 2)`: a scatter plot, with the `reference` points (e.g.
      real data) behind them (`gan_zoo.images.save_scatter`).

    Epoch numbers in file names start at 1, like Keras's progress bar.
    A `path` without `{epoch}` is overwritten at each write.

    Args:
        path: str or `pathlib.Path`, a `str.format` pattern with an `epoch`
            field, e.g. `"samples/epoch_{epoch:03d}.png"`.
        every_n_epochs: int >= 1, write after every n-th epoch.
            Defaults to `1`.
        num_samples: int >= 1, samples per picture. Defaults to `64`.
        seed: int, seed of the fixed noise. Defaults to `0`.
        reference: optional array `(M, 2)` of real points for scatter
            plots. Defaults to `None`.
        value_range: pair `(low, high)` of the generator's image values
            (`(-1, 1)` for tanh, `(0, 1)` for sigmoid). Defaults to
            `(-1, 1)`.

    Example:

    ```python
    model.fit(
        gan_zoo.datasets.digits(),
        epochs=10,
        callbacks=[SampleGrid("samples/epoch_{epoch:03d}.png")],
    )
    ```
    """

    def __init__(
        self,
        path,
        every_n_epochs=1,
        num_samples=64,
        seed=0,
        reference=None,
        value_range=(-1, 1),
    ):
        super().__init__()
        self.path = str(path)
        try:
            self.path.format(epoch=1)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                "`path` must be a str.format pattern whose only field is "
                "`epoch`, e.g. 'samples/epoch_{epoch:03d}.png'. "
                f"Received: path={self.path!r} ({type(error).__name__}: {error})"
            ) from None
        check_positive_int("every_n_epochs", every_n_epochs)
        check_positive_int("num_samples", num_samples)
        if reference is not None:
            reference = np.asarray(reference, dtype="float32")
            if reference.ndim != 2 or reference.shape[1] != 2:
                raise ValueError(
                    "`reference` must have shape (num_points, 2). "
                    f"Received: reference.shape={reference.shape}"
                )
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.seed = seed
        self.reference = reference
        self.value_range = value_range
        self.noise = None

    def on_train_begin(self, logs=None):
        rng = np.random.default_rng(self.seed)
        shape = (self.num_samples, self.model.latent_dim)
        self.noise = rng.standard_normal(shape).astype("float32")

    def on_epoch_end(self, epoch, logs=None):
        # On JAX, Keras copies the trained state back into the model's
        # variables before `on_epoch_end` callbacks run, so `predict` here
        # sees this epoch's weights.
        if (epoch + 1) % self.every_n_epochs == 0:
            self.write(epoch)

    def write(self, epoch):
        """Writes the picture for (0-based) `epoch` and returns its path."""
        if self.noise is None:
            self.on_train_begin()
        samples = self.model.generator.predict(self.noise, verbose=0)
        path = self.path.format(epoch=epoch + 1)
        if samples.ndim == 4:
            return save_image_grid(samples, path, value_range=self.value_range)
        if samples.ndim == 2 and samples.shape[1] == 2:
            return save_scatter(samples, path, reference=self.reference)
        raise ValueError(
            "SampleGrid draws images (N, H, W, C) or 2-D points (N, 2); the "
            f"generator made samples of shape {samples.shape}."
        )
