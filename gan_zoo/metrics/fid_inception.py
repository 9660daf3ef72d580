"""The FID Inception network: the 2015 TensorFlow Inception graph as Keras.

Published FIDs (Heusel et al. 2017, https://arxiv.org/abs/1706.08500, and
every leaderboard since) and Inception scores (Salimans et al. 2016,
https://arxiv.org/abs/1606.03498) come from one network: the graph of
`inception-2015-12-05.tgz`, which TTUR's and OpenAI's reference code load
and pytorch-fid, torch-fidelity and clean-fid port. It is not
`keras.applications.InceptionV3`: its Inception-A, -C and first -E blocks
average-pool without counting the zero padding, the last -E block
max-pools, and it has 1008 logits.

Features are the 2048-d `pool_3` output; the Inception-score logits are
`pool_3 @ W` without the bias, as the reference IS code computes them
(torch-fidelity's "logits_unbiased").

Inputs, as the reference code feeds the graph: images quantised to uint8
(`round`, as writing a PNG does), resized to 299x299 with TensorFlow 1's
bilinear resize (`align_corners=False`, no half-pixel centres; not
antialiased), scaled by `(x - 128) / 128` inside the network. clean-fid
(Parmar et al. 2022, https://arxiv.org/abs/2104.11222) shows the resize
moves FID; this one matches TTUR's numbers, which torch-fidelity also
reproduces; pytorch-fid resizes with half-pixel centres, a small shift.

Weights: pytorch-fid's port of the graph (`pt_inception-2015-12-05-
6726825d.pth`, the digits in the name are the start of its SHA-256),
downloaded once into `$KERAS_HOME/models/`, checked against its SHA-256,
read without torch by `gan_zoo.metrics.torch_checkpoint` and converted to
`fid_inception_2015_12_05.weights.h5` beside it.
"""

import hashlib
import http.client
import os
import pathlib
import tempfile

import keras
import numpy as np

from gan_zoo.metrics.features import INCEPTION_SIZE
from gan_zoo.metrics.features import FeatureExtractor
from gan_zoo.metrics.features import WeightsUnavailableError
from gan_zoo.metrics.features import offline_extractors
from gan_zoo.metrics.torch_checkpoint import read_state_dict

NUM_LOGITS = 1008
WEIGHTS_URL = (
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
    "pt_inception-2015-12-05-6726825d.pth"
)
WEIGHTS_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
CONVERTED_NAME = "fid_inception_2015_12_05.weights.h5"


def _conv(x, name, filters, kernel, strides=1, padding="same"):
    """torchvision's `BasicConv2d`: convolution, batch norm (eps 1e-3), ReLU."""
    x = keras.layers.Conv2D(
        filters, kernel, strides=strides, padding=padding, use_bias=False, name=f"{name}-conv"
    )(x)
    x = keras.layers.BatchNormalization(epsilon=1e-3, name=f"{name}-bn")(x)
    return keras.layers.ReLU(name=f"{name}-relu")(x)


def _average_pool(x, name):
    # Keras's "same" average pooling divides by the in-image count, as
    # TensorFlow does (torch: count_include_pad=False).
    return keras.layers.AveragePooling2D(3, strides=1, padding="same", name=f"{name}-pool")(x)


def _concat(name, branches):
    return keras.layers.Concatenate(name=name)(branches)


def _block_a(x, name, pool_features):
    return _concat(name, [
        _conv(x, f"{name}-branch1x1", 64, 1),
        _conv(_conv(x, f"{name}-branch5x5_1", 48, 1), f"{name}-branch5x5_2", 64, 5),
        _conv(
            _conv(_conv(x, f"{name}-branch3x3dbl_1", 64, 1), f"{name}-branch3x3dbl_2", 96, 3),
            f"{name}-branch3x3dbl_3", 96, 3,
        ),
        _conv(_average_pool(x, name), f"{name}-branch_pool", pool_features, 1),
    ])


def _block_b(x, name):
    double = _conv(_conv(x, f"{name}-branch3x3dbl_1", 64, 1), f"{name}-branch3x3dbl_2", 96, 3)
    return _concat(name, [
        _conv(x, f"{name}-branch3x3", 384, 3, strides=2, padding="valid"),
        _conv(double, f"{name}-branch3x3dbl_3", 96, 3, strides=2, padding="valid"),
        keras.layers.MaxPooling2D(3, strides=2, name=f"{name}-pool")(x),
    ])


def _block_c(x, name, channels_7x7):
    c = channels_7x7
    seven = _conv(x, f"{name}-branch7x7_1", c, 1)
    seven = _conv(seven, f"{name}-branch7x7_2", c, (1, 7))
    seven = _conv(seven, f"{name}-branch7x7_3", 192, (7, 1))
    double = _conv(x, f"{name}-branch7x7dbl_1", c, 1)
    for i, (filters, kernel) in enumerate(
        [(c, (7, 1)), (c, (1, 7)), (c, (7, 1)), (192, (1, 7))], start=2
    ):
        double = _conv(double, f"{name}-branch7x7dbl_{i}", filters, kernel)
    return _concat(name, [
        _conv(x, f"{name}-branch1x1", 192, 1),
        seven,
        double,
        _conv(_average_pool(x, name), f"{name}-branch_pool", 192, 1),
    ])


def _block_d(x, name):
    three = _conv(x, f"{name}-branch3x3_1", 192, 1)
    seven = _conv(x, f"{name}-branch7x7x3_1", 192, 1)
    seven = _conv(seven, f"{name}-branch7x7x3_2", 192, (1, 7))
    seven = _conv(seven, f"{name}-branch7x7x3_3", 192, (7, 1))
    return _concat(name, [
        _conv(three, f"{name}-branch3x3_2", 320, 3, strides=2, padding="valid"),
        _conv(seven, f"{name}-branch7x7x3_4", 192, 3, strides=2, padding="valid"),
        keras.layers.MaxPooling2D(3, strides=2, name=f"{name}-pool")(x),
    ])


def _block_e(x, name, max_pool):
    def split(y, prefix):
        return _concat(f"{prefix}-concat", [
            _conv(y, f"{prefix}a", 384, (1, 3)),
            _conv(y, f"{prefix}b", 384, (3, 1)),
        ])

    double = _conv(_conv(x, f"{name}-branch3x3dbl_1", 448, 1), f"{name}-branch3x3dbl_2", 384, 3)
    if max_pool:  # the graph's last block (a slip in it, kept by every port)
        pooled = keras.layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}-pool")(x)
    else:
        pooled = _average_pool(x, name)
    return _concat(name, [
        _conv(x, f"{name}-branch1x1", 320, 1),
        split(_conv(x, f"{name}-branch3x3_1", 384, 1), f"{name}-branch3x3_2"),
        split(double, f"{name}-branch3x3dbl_3"),
        _conv(pooled, f"{name}-branch_pool", 192, 1),
    ])


def fid_inception_network():
    """The FID Inception network, random weights: `[pool_3, logits]`.

    Input: `(n, 299, 299, 3)` float images with values in `[0, 255]`
    (scaled to `(x - 128) / 128` inside). Built in float32 under any
    global dtype policy. Outputs: the 2048-d `pool_3`
    features and the 1008 Inception-score logits `pool_3 @ W` (no bias).
    Layer names are the keys of pytorch-fid's state dict with `-` for `.`
    (`Mixed_5b-branch1x1-conv`; torch's variable names cannot hold a dot).
    """
    # float32 whatever the global policy: mixed precision would move the scores.
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        return _network()
    finally:
        keras.config.set_dtype_policy(previous)


def _network():
    images = keras.Input((INCEPTION_SIZE, INCEPTION_SIZE, 3), name="images")
    x = keras.layers.Rescaling(1 / 128, offset=-1.0, name="scale")(images)
    x = _conv(x, "Conv2d_1a_3x3", 32, 3, strides=2, padding="valid")
    x = _conv(x, "Conv2d_2a_3x3", 32, 3, padding="valid")
    x = _conv(x, "Conv2d_2b_3x3", 64, 3)
    x = keras.layers.MaxPooling2D(3, strides=2, name="maxpool1")(x)
    x = _conv(x, "Conv2d_3b_1x1", 80, 1)
    x = _conv(x, "Conv2d_4a_3x3", 192, 3, padding="valid")
    x = keras.layers.MaxPooling2D(3, strides=2, name="maxpool2")(x)
    for name, pool_features in [("Mixed_5b", 32), ("Mixed_5c", 64), ("Mixed_5d", 64)]:
        x = _block_a(x, name, pool_features)
    x = _block_b(x, "Mixed_6a")
    for name, channels in [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)]:
        x = _block_c(x, name, channels)
    x = _block_d(x, "Mixed_7a")
    x = _block_e(x, "Mixed_7b", max_pool=False)
    x = _block_e(x, "Mixed_7c", max_pool=True)
    pool3 = keras.layers.GlobalAveragePooling2D(name="pool_3")(x)
    logits = keras.layers.Dense(NUM_LOGITS, use_bias=False, name="fc")(pool3)
    return keras.Model(images, [pool3, logits], name="fid_inception")


def load_torch_state_dict(model, state_dict):
    """Sets `model`'s weights from pytorch-fid's state dict (NumPy arrays).

    Convolutions `(out, in, h, w)` -> `(h, w, in, out)`; batch norms take
    weight, bias, running mean and variance; `fc.weight` is transposed and
    `fc.bias` dropped (the Inception-score logits have none).

    Raises:
        ValueError: when a weight is missing or left over, or a shape differs.
    """
    unused = {k for k in state_dict if not k.endswith("num_batches_tracked")} - {"fc.bias"}

    def take(key):
        if key not in state_dict:
            raise ValueError(f"The checkpoint has no {key!r}: not the FID Inception weights.")
        unused.discard(key)
        return np.asarray(state_dict[key], dtype="float32")

    for layer in model.layers:
        name = layer.name.replace("-", ".")
        if isinstance(layer, keras.layers.Conv2D):
            values = [take(f"{name}.weight").transpose(2, 3, 1, 0)]
        elif isinstance(layer, keras.layers.BatchNormalization):
            values = [take(f"{name}.{k}") for k in ("weight", "bias", "running_mean", "running_var")]
        elif isinstance(layer, keras.layers.Dense):
            values = [take(f"{name}.weight").T]
        else:
            continue
        expected = [tuple(w.shape) for w in layer.weights]
        if [v.shape for v in values] != expected:
            raise ValueError(
                f"{name}: the checkpoint's shapes {[v.shape for v in values]} "
                f"are not the layer's {expected}."
            )
        layer.set_weights(values)
    if unused:
        raise ValueError(
            f"The checkpoint has weights the FID Inception network lacks: {sorted(unused)[:5]}"
        )


def fid_weights_path(checkpoint=None, download=True):
    """The converted Keras weights, converting (and downloading) once.

    Args:
        checkpoint: path of `pt_inception-2015-12-05-6726825d.pth` supplied
            by hand, or `None` to look in `$KERAS_HOME/models/` and download.
        download: bool, whether a missing checkpoint may be downloaded.

    Returns:
        The path of `fid_inception_2015_12_05.weights.h5` in `$KERAS_HOME/models/`.

    Raises:
        OSError or http.client.HTTPException: the download failed.
        sources.CorruptDataError: the checkpoint's SHA-256 is not the published one.
    """
    from gan_zoo.datasets import sources  # imports TensorFlow: only when needed

    folder = pathlib.Path(sources.keras_cache_dir("models"))
    converted = folder / CONVERTED_NAME
    if converted.is_file():
        return converted
    name = WEIGHTS_URL.rsplit("/", 1)[1]
    if checkpoint is None:
        checkpoint = folder / name
        if not checkpoint.is_file():
            if not download:
                raise FileNotFoundError(f"{checkpoint} is missing and download=False.")
            download = sources.Download(WEIGHTS_URL, WEIGHTS_SHA256)
            checkpoint = pathlib.Path(sources.fetch(
                download, folder, "fid_inception", subject="The FID Inception weights"
            ))
    digest = _sha256(checkpoint)
    if digest != WEIGHTS_SHA256:
        raise sources.CorruptDataError(
            f"{checkpoint} has SHA-256 {digest}, but the published FID "
            f"Inception checkpoint's is {WEIGHTS_SHA256}: refusing to convert "
            f"it. Download it again from {WEIGHTS_URL}."
        )
    model = fid_inception_network()
    load_torch_state_dict(model, read_state_dict(checkpoint))
    folder.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".fid_inception.", suffix=".weights.h5", dir=folder)
    os.close(handle)
    try:
        model.save_weights(partial, overwrite=True)
        os.replace(partial, converted)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return converted


def _sha256(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def tf1_bilinear_matrix(in_size, out_size):
    """`(out_size, in_size)` weights of TensorFlow 1's bilinear resize.

    Output pixel `i` samples input coordinate `i * in_size / out_size`
    (`align_corners=False`, no half-pixel centres) between its two
    neighbours, the upper one clamped to the edge.
    """
    position = np.arange(out_size, dtype="float64") * (in_size / out_size)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, in_size - 1)
    fraction = position - low
    matrix = np.zeros((out_size, in_size), dtype="float64")
    np.add.at(matrix, (np.arange(out_size), low), 1 - fraction)
    np.add.at(matrix, (np.arange(out_size), high), fraction)
    return matrix.astype("float32")


def tf1_resize_bilinear(images, size):
    """Images `(n, h, w, c)` resized to `size x size` as TensorFlow 1 did."""
    rows = tf1_bilinear_matrix(images.shape[1], size)
    columns = tf1_bilinear_matrix(images.shape[2], size)
    return np.einsum("oh,nhwc,pw->nopc", rows, images, columns, optimize=True)


def fid_inception_extractor(weights="fid", batch_size=32):
    """The standard FID / Inception-score feature extractor.

    Args:
        weights: `"fid"` (pytorch-fid's port of the 2015 graph, downloaded
            and converted once; the numbers papers report), `None` (random
            weights: shapes and plumbing only, named so in reports), or the
            path of `pt_inception-2015-12-05-6726825d.pth` obtained by hand
            (checked against the published SHA-256). Defaults to `"fid"`.
        batch_size: int >= 1, images per forward pass. Defaults to `32`.

    Returns:
        A `FeatureExtractor` named "FID Inception features" (2048-d
        pool_3 features, 1008 logits) that quantises images to uint8 and
        resizes them as TensorFlow 1 did.

    Raises:
        WeightsUnavailableError: when the weights cannot be downloaded; the
            message says where to put the file and names offline extractors.
    """
    model = fid_inception_network()
    if weights is None:
        name, short_name = "FID Inception random-weight features, not comparable", "fid_inception_random"
    else:
        checkpoint = None if weights == "fid" else pathlib.Path(weights)
        try:
            path = fid_weights_path(checkpoint)
        except (OSError, http.client.HTTPException) as error:
            from gan_zoo.datasets.sources import keras_cache_dir

            folder = keras_cache_dir("models")
            raise WeightsUnavailableError(
                f"The FID Inception weights (about 91 MB) could not be fetched "
                f"({error}). Download {WEIGHTS_URL} by hand into {folder}/ "
                f"(or pass its path as weights=), or, offline, score in the "
                f"features of {offline_extractors()}."
            ) from error
        model.load_weights(path)
        name, short_name = "FID Inception features", "fid_inception"
    return FeatureExtractor(
        model,
        name=name,
        short_name=short_name,
        image_size=INCEPTION_SIZE,
        channels=3,
        value_range=(0, 255),
        batch_size=batch_size,
        quantize=True,
        resize=tf1_resize_bilinear,
    )
