"""Feature extractors for image metrics, and streaming feature statistics.

An extractor maps images to two things per image: a feature vector (for
FID, KID, precision/recall) and class probabilities (for the Inception
score and class statistics). Three kinds exist:

- `fid_inception_extractor()` (`gan_zoo.metrics.fid_inception`, the
  default): the 2015 TensorFlow Inception graph of the reference FID and
  Inception-score code, with pytorch-fid's weights (a download); the
  numbers papers report.
- `inception_extractor()`: InceptionV3 from `keras.applications`, the
  2048-d `avg_pool` features and the 1000 ImageNet logits, fed grey
  repeated to 3 channels, resized to 299x299 (bilinear), values in
  `[-1, 1]`. Not the reference network: its FIDs differ from published
  ones. `weights=None` runs the same code on random weights, which is
  only good for testing shapes and plumbing, and says so in its name.
- `classifier_extractor(dataset)`: a small CNN trained on `dataset` by
  `tools/train_classifier.py`, shipped in `gan_zoo/metrics/classifiers/`
  and loaded offline; its features are the penultimate layer. Its scores
  are reported under its own name ("FID (fashion_mnist classifier
  features)") and are not comparable with Inception FID.

`extract()` runs an extractor over images that arrive batch by batch (a
generator model, an array, a `tf.data.Dataset`), accumulating the feature
mean and covariance in float64 (`FeatureStatistics`), so 50,000 samples
never sit in memory as images.
"""

import json
import pathlib

import keras
import numpy as np

from gan_zoo.arguments import check_positive_int
from gan_zoo.arguments import check_value_range

CLASSIFIERS_DIR = pathlib.Path(__file__).parent / "classifiers"
INCEPTION_SIZE = 299


class FeatureStatistics:
    """Running count, mean and covariance of feature vectors, in float64.

    Batches are merged with the pairwise update of Chan, Golub and LeVeque
    (1979), which keeps the sum of squared deviations `M2` rather than a
    raw sum of outer products (the raw form loses digits when the mean is
    large next to the spread):

    ```
    n = n_a + n_b,   delta = mean_b - mean_a
    mean = mean_a + delta * n_b / n
    M2 = M2_a + M2_b + outer(delta, delta) * n_a * n_b / n
    covariance = M2 / (n - 1)
    ```

    Memory is `O(dim^2)` whatever the number of vectors.

    Args:
        dim: int >= 1, the feature dimension.

    Example:

    >>> stats = FeatureStatistics(2)
    >>> stats.update(np.array([[0.0, 0.0], [2.0, 2.0]]))
    >>> stats.update(np.array([[4.0, 4.0]]))
    >>> stats.count, stats.mean.tolist(), float(stats.covariance[0, 0])
    (3, [2.0, 2.0], 4.0)
    """

    def __init__(self, dim):
        check_positive_int("dim", dim)
        self.dim = int(dim)
        self.count = 0
        self.mean = np.zeros(self.dim, dtype="float64")
        self._m2 = np.zeros((self.dim, self.dim), dtype="float64")
        self.extractor = None
        self.source = None

    def update(self, features):
        """Adds a batch of feature vectors of shape `(n, dim)`."""
        features = np.asarray(features, dtype="float64")
        if features.ndim != 2 or features.shape[1] != self.dim:
            raise ValueError(
                f"`features` must have shape (n, {self.dim}). "
                f"Received: features.shape={features.shape}"
            )
        n_b = features.shape[0]
        if n_b == 0:
            return
        mean_b = features.mean(axis=0)
        centered = features - mean_b
        m2_b = centered.T @ centered
        n = self.count + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / n)
        self._m2 = self._m2 + m2_b + np.outer(delta, delta) * (self.count * n_b / n)
        self.count = n

    @property
    def covariance(self):
        """The unbiased covariance `(dim, dim)` (as `np.cov(x, rowvar=False)`)."""
        if self.count < 2:
            raise ValueError(
                "The covariance needs at least 2 feature vectors. "
                f"Received: count={self.count}"
            )
        return self._m2 / (self.count - 1)

    def save(self, path, extractor=None, source=None):
        """Writes the statistics to an `.npz` file, like the reference FID
        codes' statistics files.

        Args:
            path: the file.
            extractor: str or `None`, the name of the features (e.g.
                `FeatureExtractor.name`), checked when they are reused.
            source: str or `None`, what images they describe.
        """
        labels = {k: str(v) for k, v in (("extractor", extractor), ("source", source)) if v}
        np.savez(path, count=self.count, mean=self.mean, m2=self._m2, **labels)

    @classmethod
    def load(cls, path):
        """Reads statistics written by `save`; `extractor` and `source`
        are the strings saved with them (`None` when absent)."""
        with np.load(path) as data:
            stats = cls(data["mean"].shape[0])
            stats.count = int(data["count"])
            stats.mean = data["mean"].astype("float64")
            stats._m2 = data["m2"].astype("float64")
            stats.extractor, stats.source = (
                str(data[k]) if k in data else None for k in ("extractor", "source")
            )
        return stats


class FeatureExtractor:
    """Images -> (features, class probabilities), batch by batch.

    Wraps a Keras model with two outputs, `[features, logits]`, and the
    input it expects. `__call__` maps the images' `value_range` to the
    model's (rounding to uint8 levels if `quantize`), repeats grey to RGB
    or averages RGB to grey as the model needs, resizes to the model's
    size (by default bilinear, antialiased, which changes only
    downscaling), and runs the model in inference mode in chunks of
    `batch_size`.

    Args:
        model: `keras.Model` taking `(n, image_size, image_size, channels)`
            images and returning `[features (n, d), logits (n, k)]`.
        name: str, what the features are, used in every report, e.g.
            `"fashion_mnist classifier features"`.
        short_name: str, the same as an identifier for log keys, e.g.
            `"fashion_mnist_classifier"`.
        image_size: int, the model's input height and width.
        channels: int, 1 or 3, the model's input channels.
        value_range: pair, the model's input range. Defaults to `(-1, 1)`.
        batch_size: int >= 1, images per forward pass. Defaults to `64`.
        quantize: bool, round images to the 256 levels of uint8 (in the
            model's range) before resizing, as saving them as PNGs would.
            Defaults to `False`.
        resize: `None` (bilinear, antialiased) or a function
            `(images, size) -> images` on NumPy arrays `(n, h, w, c)`.
    """

    def __init__(
        self,
        model,
        name,
        short_name,
        image_size,
        channels,
        value_range=(-1, 1),
        batch_size=64,
        quantize=False,
        resize=None,
    ):
        check_positive_int("image_size", image_size)
        check_positive_int("batch_size", batch_size)
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
        self.model = model
        self.name = name
        self.short_name = short_name
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.value_range = check_value_range(value_range)
        self.batch_size = int(batch_size)
        self.quantize = bool(quantize)
        self._resize_function = resize
        self.feature_dim = int(model.outputs[0].shape[-1])
        self.num_classes = int(model.outputs[1].shape[-1])
        self._resize = keras.layers.Resizing(
            self.image_size, self.image_size, interpolation="bilinear", antialias=True
        )

    def __repr__(self):
        return f"<FeatureExtractor {self.name!r}>"

    def preprocess(self, images, value_range=(-1, 1)):
        """Images `(n, h, w, c)` in `value_range` -> the model's float32 input."""
        images = np.asarray(images, dtype="float32")
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                "Images must have shape (n, height, width, channels) with 1 or 3 "
                f"channels. Received: shape={images.shape}"
            )
        low, high = check_value_range(value_range)
        to_low, to_high = self.value_range
        images = (images - low) * ((to_high - to_low) / (high - low)) + to_low
        if self.quantize:
            step = (to_high - to_low) / 255
            images = np.clip(np.round((images - to_low) / step), 0, 255) * step + to_low
        if images.shape[-1] == 1 and self.channels == 3:
            images = np.repeat(images, 3, axis=-1)
        elif images.shape[-1] == 3 and self.channels == 1:
            images = images.mean(axis=-1, keepdims=True)
        if images.shape[1:3] != (self.image_size, self.image_size):
            images = self.resize(images)
        return images

    def resize(self, images):
        """Images `(n, h, w, c)` -> the model's size, by `resize` if given."""
        if self._resize_function is not None:
            return np.asarray(self._resize_function(images, self.image_size), "float32")
        return keras.ops.convert_to_numpy(self._resize(images))

    def __call__(self, images, value_range=(-1, 1)):
        """Features `(n, d)` float32 and probabilities `(n, k)` float64."""
        features, probabilities = [], []
        for start in range(0, len(images), self.batch_size):
            batch = self.preprocess(images[start : start + self.batch_size], value_range)
            feats, logits = self.model.predict_on_batch(batch)
            features.append(np.asarray(feats, dtype="float32"))
            probabilities.append(_softmax(np.asarray(logits, dtype="float64")))
        if not features:
            return (
                np.zeros((0, self.feature_dim), "float32"),
                np.zeros((0, self.num_classes), "float64"),
            )
        return np.concatenate(features), np.concatenate(probabilities)


def _softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class WeightsUnavailableError(OSError):
    """The weights of a feature extractor cannot be had (e.g. offline)."""


def inception_extractor(weights="imagenet", batch_size=32):
    """InceptionV3 features (2048-d `avg_pool`) and ImageNet logits.

    The network of `keras.applications.InceptionV3`, fed as in the FID
    protocol (Heusel et al. 2017, https://arxiv.org/abs/1706.08500): grey
    images repeated to RGB, resized to 299x299 bilinear, values in
    `[-1, 1]`. This is not the 2015 TensorFlow graph of the reference FID
    and IS code (that is `fid_inception_extractor`, the default), so its
    scores cannot be compared with published ones; compare models under
    the same extractor.

    Args:
        weights: `"imagenet"` (downloaded once into the Keras cache; needed
            for meaningful numbers), `None` (random weights: shapes and
            plumbing only, named so in reports), or a path to a weights
            file. Defaults to `"imagenet"`.
        batch_size: int >= 1, images per forward pass. Defaults to `32`.

    Returns:
        A `FeatureExtractor`.

    Raises:
        WeightsUnavailableError: when the ImageNet weights cannot be
            downloaded; the message names the offline extractors.
    """
    try:
        base = keras.applications.InceptionV3(
            include_top=True, weights=weights, classifier_activation=None
        )
    except Exception as error:  # Keras's get_file raises a bare Exception.
        if weights != "imagenet":
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise WeightsUnavailableError(
            "The InceptionV3 ImageNet weights (about 92 MB, downloaded once "
            "into $KERAS_HOME/models) could not be fetched: "
            f"{reason}. Offline, score in the features of {offline_extractors()}."
        ) from error
    model = keras.Model(
        base.inputs, [base.get_layer("avg_pool").output, base.output]
    )
    if weights == "imagenet":
        name, short_name = "InceptionV3 ImageNet features", "inception_v3"
    elif weights is None:
        name = "InceptionV3 random-weight features, not comparable"
        short_name = "inception_v3_random"
    else:
        name = f"InceptionV3 features, weights {pathlib.Path(weights).name}"
        short_name = "inception_v3_custom"
    return FeatureExtractor(
        model,
        name=name,
        short_name=short_name,
        image_size=INCEPTION_SIZE,
        channels=3,
        value_range=(-1, 1),
        batch_size=batch_size,
    )


def offline_extractors():
    """What to use without network, for error messages."""
    return (
        f"a shipped classifier instead: {', '.join(available_classifiers()) or 'none shipped'} "
        "(extractor=<dataset>, or --extractor on the command line)"
    )


def available_classifiers():
    """Names of the dataset classifiers shipped with gan_zoo."""
    if not CLASSIFIERS_DIR.is_dir():
        return []
    return sorted(
        p.name for p in CLASSIFIERS_DIR.iterdir() if (p / "config.json").is_file()
    )


def classifier_extractor(dataset="fashion_mnist", batch_size=256):
    """Features of a small classifier trained on `dataset`, loaded offline.

    The classifier is a preset directory (`config.json`,
    `model.weights.h5`, `metadata.json`) written by
    `tools/train_classifier.py`; its features are the penultimate layer
    (named `"features"`), its probabilities the softmax of its logits.
    `extractor.metadata` holds the recipe and the measured test accuracy.

    Args:
        dataset: str, a name of `available_classifiers()`, or the path of a
            preset directory. Defaults to `"fashion_mnist"`.
        batch_size: int >= 1, images per forward pass. Defaults to `256`.

    Returns:
        A `FeatureExtractor` named `"<dataset> classifier features"`.
    """
    path = pathlib.Path(dataset)
    if not (path / "config.json").is_file():
        path = CLASSIFIERS_DIR / str(dataset)
        if not (path / "config.json").is_file():
            raise ValueError(
                f"No classifier for {dataset!r}. Shipped classifiers: "
                f"{available_classifiers()}; train one with "
                "`python tools/train_classifier.py --dataset NAME` or pass a "
                "preset directory."
            )
    config = json.loads((path / "config.json").read_text())
    metadata = json.loads((path / "metadata.json").read_text())
    classifier = keras.saving.deserialize_keras_object(config)
    classifier.load_weights(path / "model.weights.h5")
    # One input tensor, not a list of one: calls with a bare array then
    # match the model's input structure (no Keras warning).
    model = keras.Model(
        classifier.inputs[0], [classifier.get_layer("features").output, classifier.output]
    )
    height, width, channels = classifier.inputs[0].shape[1:]
    if height != width:
        raise ValueError(f"Classifier input must be square. Received: {height}x{width}")
    name = metadata["dataset"]
    extractor = FeatureExtractor(
        model,
        name=f"{name} classifier features",
        short_name=f"{name}_classifier",
        image_size=height,
        channels=channels,
        value_range=tuple(metadata["value_range"]),
        batch_size=batch_size,
    )
    extractor.metadata = metadata
    return extractor


def get_extractor(extractor):
    """A `FeatureExtractor` from itself, `"fid_inception"`, `"inception"` or
    a classifier name."""
    if isinstance(extractor, FeatureExtractor):
        return extractor
    if extractor == "fid_inception":
        from gan_zoo.metrics.fid_inception import fid_inception_extractor

        return fid_inception_extractor()
    if extractor == "inception":
        return inception_extractor()
    if isinstance(extractor, (str, pathlib.Path)):
        return classifier_extractor(extractor)
    raise ValueError(
        "`extractor` must be a FeatureExtractor, 'fid_inception', 'inception' or a classifier "
        f"name ({available_classifiers()}). Received: extractor={extractor!r}"
    )


def image_batches(source, num_samples=None, batch_size=256, seed=0):
    """NumPy image batches from a generator model, an array or an iterable.

    Args:
        source: a GAN (anything with `generator` and `latent_dim`, e.g.
            `gan_zoo.models.DCGAN`; noise drawn with NumPy from `seed`, so
            the same on every backend), an array `(n, h, w, c)`, or an
            iterable of batches (`tf.data.Dataset`, list), whose elements
            are images or `(images, labels)` pairs.
        num_samples: int or `None`, stop after this many images; required
            for a model, `None` takes a whole array or iterable.
        batch_size: int, images per batch for models and arrays.
        seed: int, seed of a model's noise.

    Yields:
        float32 NumPy arrays `(b, h, w, c)`, `num_samples` images in all.
    """
    if num_samples is not None:
        check_positive_int("num_samples", num_samples)
    check_positive_int("batch_size", batch_size)
    if hasattr(source, "generator") and hasattr(source, "latent_dim"):
        if num_samples is None:
            raise ValueError("`num_samples` is required to sample a generator model.")
        rng = np.random.default_rng(seed)
        for start in range(0, num_samples, batch_size):
            n = min(batch_size, num_samples - start)
            z = rng.standard_normal((n, source.latent_dim)).astype("float32")
            yield np.asarray(source.generator.predict_on_batch(z), dtype="float32")
        return
    if isinstance(source, np.ndarray):
        stop = len(source) if num_samples is None else min(num_samples, len(source))
        for start in range(0, stop, batch_size):
            yield np.asarray(source[start : min(start + batch_size, stop)], "float32")
        return
    if isinstance(source, (str, pathlib.Path)) or not hasattr(source, "__iter__"):
        raise ValueError(
            "Images must come from a generator model, an array or an iterable of "
            f"batches (e.g. a tf.data.Dataset). Received: {type(source).__name__}"
        )
    seen = 0
    for batch in source:
        if isinstance(batch, (tuple, list)):
            batch = batch[0]
        if isinstance(batch, dict):
            raise ValueError("Image batches must be arrays or (images, labels) pairs.")
        batch = np.asarray(keras.ops.convert_to_numpy(batch), dtype="float32")
        if num_samples is not None:
            batch = batch[: num_samples - seen]
        seen += len(batch)
        if len(batch):
            yield batch
        if num_samples is not None and seen >= num_samples:
            return


class Extraction:
    """What `extract` collected: statistics, probabilities, maybe features.

    Attributes:
        statistics: `FeatureStatistics` of the features.
        probabilities: float64 array `(n, num_classes)`.
        features: float32 array `(n, d)` if kept, else `None`.
        count: int, the number of images.
    """

    def __init__(self, statistics, probabilities, features):
        self.statistics = statistics
        self.probabilities = probabilities
        self.features = features
        self.count = statistics.count


def extract(
    source,
    extractor,
    num_samples=None,
    batch_size=256,
    seed=0,
    value_range=(-1, 1),
    keep_features=False,
):
    """Runs `extractor` over images batch by batch; streams the statistics.

    Only one batch of images is in memory at a time. The feature mean and
    covariance accumulate in float64; the probabilities (`n x k`, small)
    are kept; the features themselves (`n x d`, 400 MB for 50,000
    Inception vectors in float32) only when `keep_features` (KID and
    precision/recall need them).

    Args:
        source: images, see `image_batches`.
        extractor: a `FeatureExtractor`.
        num_samples: int or `None`, see `image_batches`.
        batch_size: int, images drawn per batch. Defaults to `256`.
        seed: int, seed of a generator model's noise. Defaults to `0`.
        value_range: pair, the range of the images' values. Defaults to
            `(-1, 1)`.
        keep_features: bool, keep every feature vector. Defaults to `False`.

    Returns:
        An `Extraction`.
    """
    statistics = FeatureStatistics(extractor.feature_dim)
    probabilities, features = [], []
    for images in image_batches(source, num_samples, batch_size, seed):
        feats, probs = extractor(images, value_range=value_range)
        statistics.update(feats)
        probabilities.append(probs)
        if keep_features:
            features.append(feats)
    if statistics.count == 0:
        raise ValueError("No images to evaluate: the source yielded none.")
    return Extraction(
        statistics,
        np.concatenate(probabilities),
        np.concatenate(features) if keep_features else None,
    )
