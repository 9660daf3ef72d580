"""Callbacks for `GAN.fit`: pictures of the generator's progress (as PNGs
and in TensorBoard), and metrics."""

import math
import pathlib

import keras
import numpy as np
from PIL import Image

from gan_zoo import plots
from gan_zoo.arguments import check_positive_int
from gan_zoo.images import save_image_grid
from gan_zoo.metrics.evaluate import METRICS
from gan_zoo.metrics.evaluate import evaluate
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.metrics.features import extract
from gan_zoo.metrics.features import get_extractor


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
    - 2-D points `(N, 2)`: a scatter plot titled "epoch N", with the
      `reference` points (e.g. real data) behind them
      (`gan_zoo.plots.scatter_2d`).

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
        caption: optional function of the 2-D samples returning text for
            the scatter's title after the epoch, e.g. their mode coverage.
            Defaults to `None`.
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
        caption=None,
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
        self.caption = caption
        self.noise = None
        self.last_written = None  # (epoch, path) of the latest picture

    def on_train_begin(self, logs=None):
        self.last_written = None
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
            save_image_grid(samples, path, value_range=self.value_range)
        elif samples.ndim == 2 and samples.shape[1] == 2:
            title = f"epoch {epoch + 1}"
            if self.caption is not None:
                title += f": {self.caption(samples)}"
            plots.scatter_2d(self.reference, samples, path, title=title)
        else:
            raise ValueError(
                "SampleGrid draws images (N, H, W, C) or 2-D points (N, 2); the "
                f"generator made samples of shape {samples.shape}."
            )
        self.last_written = (epoch, pathlib.Path(path))
        return self.last_written[1]


class TensorBoardLogger(keras.callbacks.Callback):
    """Writes the losses of each epoch, and the pictures of a `SampleGrid`,
    for TensorBoard in `log_dir` during `fit`.

    At the end of each epoch, every value of the epoch's logs (`d_loss`,
    `g_loss`, ...) is a scalar and, when `grid` wrote a picture that epoch,
    its PNG is an image named "samples", all at step `epoch` (counted from
    0). Put it after `grid` (and after any `MetricEvaluator` it should log)
    in `callbacks=[...]`.

    It writes with TensorFlow's core `tf.summary.write`, on every backend,
    where `keras.callbacks.TensorBoard` needs the `tensorboard` package even
    to write (TensorFlow 2.21). Viewing the logs needs it:
    `pip install tensorboard`, then `tensorboard --logdir LOG_DIR`.

    Example:

    ```python
    grid = SampleGrid("samples/epoch_{epoch:03d}.png")
    model.fit(data, epochs=10, callbacks=[grid, TensorBoardLogger("logs", grid)])
    ```
    """

    def __init__(self, log_dir, grid=None):
        super().__init__()
        self.log_dir = str(log_dir)
        self.grid = grid
        self.writer = None

    def on_train_begin(self, logs=None):
        import tensorflow as tf

        self.writer = tf.summary.create_file_writer(self.log_dir)

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        with self.writer.as_default(step=epoch):
            for name, value in (logs or {}).items():
                tf.summary.write(name, float(value), metadata=_plugin("scalars"))
            picture = self.grid.last_written if self.grid is not None else None
            if picture is not None and picture[0] == epoch:
                with Image.open(picture[1]) as image:
                    width, height = image.size
                # TensorBoard's image format: [width, height, PNG bytes].
                data = [str(width).encode(), str(height).encode(), picture[1].read_bytes()]
                tf.summary.write("samples", tf.constant(data), metadata=_plugin("images"))
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()


def _plugin(name):
    """Summary metadata naming the TensorBoard plugin that shows a value."""
    import tensorflow as tf

    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = name
    return metadata


class MetricEvaluator(keras.callbacks.Callback):
    """Adds an image metric of the generator to the epoch logs during `fit`.

    Every `every_n_epochs`-th epoch the callback scores `num_samples`
    samples of `model` against `reference` with
    `gan_zoo.metrics.evaluate.evaluate` and writes the values into the
    epoch's `logs` under `"<key>_<extractor>"`, e.g.
    `"fid_fashion_mnist_classifier"` or `"fid_inception_v3"`, so the log
    names the feature space. On the other epochs it writes NaN, so every
    epoch has the key and `History.history[key][i]` is epoch `i`.

    Order matters: Keras hands one `logs` dict to the callbacks in list
    order, and appends its `History` and progress bar after yours, so they
    always see the metric; a `CSVLogger` or `TensorBoard` sees it only if
    it comes *after* this callback in `callbacks=[...]`. (EarlyStopping
    on the metric also belongs after it, with `every_n_epochs=1`.)

    The reference features are extracted once, at the first evaluation, and
    reused; the generator noise is the same at every evaluation (`seed`).
    The extractor is built when the callback is (`"fid_inception"`
    downloads and converts its weights once).

    Args:
        reference: the real images (array, `tf.data.Dataset`, ...) or, for
            FID only, a `gan_zoo.metrics.FeatureStatistics`. Not needed for
            `"inception_score"` and `"class_statistics"`.
        metric: str, one of `gan_zoo.metrics.evaluate.METRICS`. Defaults to
            `"fid"`.
        extractor: a `FeatureExtractor`, `"fid_inception"` (the reference
            FID network), `"inception"` (Keras's ImageNet InceptionV3), or
            a shipped classifier name such as `"fashion_mnist"`. Defaults
            to `"fid_inception"`.
        every_n_epochs: int >= 1. Defaults to `1`.
        num_samples: int >= 1, generated samples per evaluation. Defaults
            to `1000`.
        num_reference: int or `None`, reference images used (all by
            default).
        seed: int, seed of the generator noise. Defaults to `0`.
        value_range: pair, the generator's output range. Defaults to
            `(-1, 1)`.
        **evaluate_kwargs: more arguments of `evaluate` (`batch_size`,
            `kid_subsets`, ...).

    Example:

    ```python
    model.fit(
        data,
        epochs=10,
        callbacks=[
            MetricEvaluator(test_images, "fid", extractor="fashion_mnist"),
            keras.callbacks.CSVLogger("log.csv"),  # after MetricEvaluator
        ],
    )
    ```
    """

    def __init__(
        self,
        reference=None,
        metric="fid",
        extractor="fid_inception",
        every_n_epochs=1,
        num_samples=1000,
        num_reference=None,
        seed=0,
        value_range=(-1, 1),
        **evaluate_kwargs,
    ):
        super().__init__()
        if metric not in METRICS:
            raise ValueError(
                f"`metric` must be one of {sorted(METRICS)}. Received: metric={metric!r}"
            )
        if METRICS[metric].needs_reference and reference is None:
            raise ValueError(f"`reference` is required for metric={metric!r}.")
        if METRICS[metric].needs_features and isinstance(reference, FeatureStatistics):
            raise ValueError(
                f"metric={metric!r} needs reference images; `FeatureStatistics` "
                "serve FID only."
            )
        check_positive_int("every_n_epochs", every_n_epochs)
        check_positive_int("num_samples", num_samples)
        self.reference = reference
        self.metric = metric
        self.extractor = get_extractor(extractor)
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.num_reference = num_reference
        self.seed = seed
        self.value_range = value_range
        self.evaluate_kwargs = evaluate_kwargs
        self.results = None
        self._reference_ready = False

    @property
    def log_keys(self):
        """Result name -> log key, e.g. `{"fid": "fid_inception_v3"}`."""
        names = METRICS[self.metric].keys
        return {name: f"{name}_{self.extractor.short_name}" for name in names}

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if (epoch + 1) % self.every_n_epochs != 0:
            for key in self.log_keys.values():
                logs[key] = math.nan
            return
        self.results = self.evaluate()
        for name, key in self.log_keys.items():
            logs[key] = float(self.results[name])

    def evaluate(self):
        """Scores the model now; returns `evaluate`'s dict."""
        kwargs = dict(self.evaluate_kwargs)
        reference_range = kwargs.pop("reference_value_range", None) or self.value_range
        spec = METRICS[self.metric]
        if (
            not self._reference_ready
            and spec.needs_reference
            and not isinstance(self.reference, FeatureStatistics)
        ):
            # Extracted once and reused at every evaluation.
            self.reference = extract(
                self.reference,
                self.extractor,
                num_samples=self.num_reference,
                batch_size=kwargs.get("batch_size", 256),
                value_range=reference_range,
                keep_features=spec.needs_features,
            )
        self._reference_ready = True
        return evaluate(
            self.model,
            self.reference,
            metrics=self.metric,
            extractor=self.extractor,
            num_samples=self.num_samples,
            seed=self.seed,
            value_range=self.value_range,
            **kwargs,
        )

