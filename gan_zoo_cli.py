"""The `gan-zoo` command's launcher: parses the command line, then sets the
Keras backend and the log level before Keras or TensorFlow is imported.

It lives outside the `gan_zoo` package on purpose: importing any module of
`gan_zoo` imports Keras (and TensorFlow, Keras's default backend), which
takes seconds, prints TensorFlow's start-up logs and fixes the backend. So
`gan-zoo --help` imports nothing heavy, and `gan_zoo.cli`, which runs the
commands, is imported only once the arguments are known. The names offered
as choices (methods, datasets, metrics, classifiers) are therefore plain
strings here; tests/cli_launcher_test.py checks them against the registries
of `gan_zoo`.

`python -m gan_zoo` runs the same command, but Python imports the package,
and so Keras, first: `gan-zoo` is the fast path, and the only one where
`--backend` can choose any backend.
"""

import argparse
import contextlib
import os
import pathlib
import re
import sys

BACKENDS = ("jax", "tensorflow", "torch")
# Names of gan_zoo's registries (gan_zoo.cli.METHODS, gan_zoo.datasets.DATASETS,
# gan_zoo.metrics.evaluate.METRICS, gan_zoo.metrics.features.available_classifiers()).
METHODS = (
    "dcgan",
    "fogan",
    "gan",
    "improved_gan",
    "lsgan",
    "pgan",
    "pwgan",
    "semi_supervised",
    "softmax_gan",
    "wgan",
    "wgan_gp",
)
IMAGE_DATASETS = ("celeba", "cifar10", "digits", "fashion_mnist", "folder", "mnist", "svhn")
POINT_DATASETS = ("ring", "rotated_gaussians")
METRICS = ("class_statistics", "fid", "inception_score", "kid", "precision_recall")
CLASSIFIERS = ("digits", "fashion_mnist", "mnist")
TOY_LATENT_DIM = 8  # gan_zoo.recipes.TOY_LATENT_DIM
# Defaults of the command, shown in its help and used by gan_zoo.cli.
IMAGE_SIZE = 28
# The digits set has 1,797 images (28 batches of 64): 60 epochs are ~1,700
# steps, which the demo needs for digits its classifier recognises (README).
DIGITS_EPOCHS = 60
BASE_FILTERS = 32
REFERENCE_SIZE = 64  # reference rows of virtual batch norm in G
NUM_EVALUATION_SAMPLES = 10_000

BACKEND_HELP = (
    "The Keras backend is --backend, else the environment variable "
    "KERAS_BACKEND, else the one of Keras's keras.json (tensorflow unless "
    "changed): e.g. `gan-zoo --backend jax train dcgan` or "
    "`KERAS_BACKEND=torch gan-zoo train dcgan`. TensorFlow's C++ logs are "
    "hidden unless --verbose is given or TF_CPP_MIN_LOG_LEVEL is set."
)
# A line of TensorFlow's C++ logging (absl or its older format), or absl's
# notice that logging is not initialised yet.
_NATIVE_LOG_LINE = re.compile(
    r"([IWE]\d{4} [\d:.]+ +\d+ [^\]]+\] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called)"
)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _nonnegative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _add_global_options(parser, command=False):
    """--backend and --verbose, before or after the command; a command's copies
    default to SUPPRESS, so as not to override the values given before it."""
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=argparse.SUPPRESS if command else None,
        help="Keras backend; sets KERAS_BACKEND before Keras is imported "
        "(default: $KERAS_BACKEND, else Keras's configured one)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if command else False,
        help="show TensorFlow's C++ and absl logs (hidden by default)",
    )


def parser():
    """The `gan-zoo` argument parser; imports nothing of Keras or gan_zoo."""
    command_line = argparse.ArgumentParser(
        prog="gan-zoo",
        description="Train, evaluate and sample GANs of the gan_zoo model zoo.",
        epilog=BACKEND_HELP,
    )
    _add_global_options(command_line)
    commands = command_line.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_train_parser(commands)
    _add_evaluate_parser(commands)
    _add_presets_parser(commands)
    _add_sample_parser(commands)
    return command_line


def _add_train_parser(commands):
    train = commands.add_parser(
        "train",
        help="train a method on a built-in dataset",
        description=(
            "Train METHOD with its paper's optimizers; write sample PNGs "
            "(scatter plots for 2-D data), log.csv and its plot loss_curves.png, "
            "the model as a preset (config.json, model.weights.h5, "
            "metadata.json) and model.keras under --out."
        ),
        epilog=BACKEND_HELP,
    )
    train.set_defaults(command_parser=train)
    train.add_argument(
        "method", metavar="METHOD", choices=METHODS, help="one of: " + ", ".join(METHODS)
    )
    train.add_argument(
        "--dataset",
        default="digits",
        choices=sorted([*IMAGE_DATASETS, *POINT_DATASETS]),
        help="training data (default: digits)",
    )
    train.add_argument(
        "--no-download",
        action="store_true",
        help="use local files only, never download the dataset",
    )
    train.add_argument(
        "--split", default="train", help="split of an image dataset (default: train)"
    )
    train.add_argument(
        "--data-dir",
        type=pathlib.Path,
        help="folder with the dataset's files (default: $GAN_ZOO_DATA, the "
        "Keras cache, then a download)",
    )
    flags = {
        "--epochs": f"epochs (default: {DIGITS_EPOCHS} for digits, 10 for other images, "
        "15 for 2-D times n_critic)",
        "--batch-size": "batch size (default: 64 for images, 256 for 2-D)",
        "--steps-per-epoch": "batches per epoch (default: one pass over the data)",
        "--image-size": f"image height and width (default: the dataset's; "
        f"{IMAGE_SIZE} for digits)",
        "--base-filters": f"DCGAN width (default: {BASE_FILTERS})",
        "--latent-dim": f"noise size (default: 100 for images, {TOY_LATENT_DIM} for 2-D)",
    }
    for flag, help_text in flags.items():
        train.add_argument(flag, type=_positive_int, help=help_text)
    _add_improved_gan_flags(train)
    train.add_argument(
        "--out", type=pathlib.Path, help="output folder (default: runs/METHOD-DATASET)"
    )
    train.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the weights, noise and data order (default: 0)",
    )
    train.add_argument(
        "--tensorboard",
        action="store_true",
        help="also log the losses and each epoch's samples for TensorBoard "
        "in OUT/tensorboard; view them with `pip install tensorboard` and "
        "`tensorboard --logdir OUT/tensorboard`",
    )
    _add_global_options(train, command=True)


def _add_improved_gan_flags(train):
    group = train.add_argument_group(
        "Improved-GAN techniques (improved_gan; those marked * also semi_supervised)"
    )
    group.add_argument(
        "--feature-matching",
        action="store_true",
        help="train G to match the mean features of D's last hidden layer",
    )
    group.add_argument(
        "--label-smoothing",
        type=_nonnegative_float,
        help="one-sided label smoothing s: D's real target is 1 - s (paper: 0.1)",
    )
    group.add_argument(
        "--minibatch-discrimination",
        action="store_true",
        help="* MinibatchDiscrimination (100 kernels of 5) before D's output",
    )
    group.add_argument(
        "--virtual-batch-norm",
        action="store_true",
        help=f"* virtual batch norm in G ({REFERENCE_SIZE} reference samples)",
    )
    group.add_argument(
        "--historical-averaging",
        type=_nonnegative_float,
        metavar="WEIGHT",
        help="* weight of both players' historical averaging term",
    )
    group.add_argument(
        "--labels-per-class",
        type=_positive_int,
        help="semi_supervised: labelled examples per class, the rest "
        "unlabelled (default: 10, the paper's 100 MNIST labels)",
    )


def _add_evaluate_parser(commands):
    evaluate = commands.add_parser(
        "evaluate",
        help="score a trained generator against a dataset (FID, KID, IS, ...)",
        description=(
            "Draw samples from a saved model and score them against real images "
            "of --dataset in a feature space: the FID Inception network of the "
            "reference FID code (downloaded once; numbers comparable with "
            "papers), Keras's ImageNet InceptionV3, or a small classifier "
            "shipped for the dataset (offline; its scores are named after it, "
            "e.g. 'FID (fashion_mnist classifier features)', and are not "
            "comparable with Inception FID)."
        ),
        epilog=BACKEND_HELP,
    )
    evaluate.set_defaults(command_parser=evaluate)
    _add_model_options(evaluate)
    evaluate.add_argument(
        "--dataset", required=True, choices=IMAGE_DATASETS, help="the real images to compare with"
    )
    evaluate.add_argument(
        "--split",
        help="split of the real images (default: test, or train for a "
        "dataset without one, such as digits)",
    )
    evaluate.add_argument(
        "--metric",
        action="append",
        choices=METRICS,
        help="metric to compute; repeat for several (default: fid)",
    )
    evaluate.add_argument(
        "--extractor",
        default="auto",
        choices=["auto", "fid_inception", "inception", *CLASSIFIERS],
        help="feature space: 'fid_inception' (the network of the reference "
        "FID and Inception-score code, whose numbers papers report; a 91 MB "
        "download), 'inception' (Keras's ImageNet InceptionV3, not comparable "
        f"with papers), or the classifier of a dataset ({', '.join(CLASSIFIERS)}, "
        "offline); 'auto' (default) takes the dataset's classifier when one is "
        "shipped, else fid_inception",
    )
    evaluate.add_argument(
        "--reference-statistics",
        type=pathlib.Path,
        metavar="NPZ",
        help="reuse the real images' feature mean and covariance from NPZ, "
        "or compute and save them there when it does not exist (for FID; "
        "the file names the data and feature space it holds)",
    )
    evaluate.add_argument(
        "--num-samples",
        type=_positive_int,
        default=NUM_EVALUATION_SAMPLES,
        help=f"generated samples (default: {NUM_EVALUATION_SAMPLES})",
    )
    evaluate.add_argument(
        "--num-reference", type=_positive_int, help="real images used (default: the whole split)"
    )
    evaluate.add_argument(
        "--batch-size", type=_positive_int, default=256, help="batch size (default: 256)"
    )
    evaluate.add_argument(
        "--data-dir",
        type=pathlib.Path,
        help="folder with the dataset's files (default: $GAN_ZOO_DATA, the "
        "Keras cache, then a download)",
    )
    evaluate.add_argument(
        "--no-download",
        action="store_true",
        help="use local files only, never download the dataset",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the noise (default: 0)")
    _add_global_options(evaluate, command=True)


def _add_model_options(parser, text=False):
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument(
        "--preset",
        metavar="PRESET",
        help="a preset: a registered name (`gan-zoo presets` lists them), a "
        "directory (such as the --out folder of `gan-zoo train`) or a URL",
    )
    model.add_argument(
        "--weights",
        "--model",
        dest="weights",
        type=pathlib.Path,
        metavar="PATH",
        help="a .keras file, e.g. model.keras written by `gan-zoo train`",
    )


def _add_presets_parser(commands):
    presets = commands.add_parser(
        "presets",
        help="list the pretrained presets shipped with gan_zoo",
        description="List the registered presets: name, method, training "
        "data and the metric measured on them (docs/presets/ has a card for "
        "each). Load one with `gan-zoo sample --preset NAME` or "
        "`Method.from_preset(NAME)`.",
        epilog=BACKEND_HELP,
    )
    presets.set_defaults(command_parser=presets)
    _add_global_options(presets, command=True)


def _add_sample_parser(commands):
    sample = commands.add_parser(
        "sample",
        help="draw samples from a preset or a .keras file",
        description="Draw samples from a trained generator: a PNG grid of "
        "images, or lines of text for a text GAN (printed).",
        epilog=BACKEND_HELP,
    )
    sample.set_defaults(command_parser=sample)
    _add_model_options(sample)
    sample.add_argument("--n", type=_positive_int, default=64, help="samples (default: 64)")
    sample.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("samples.png"),
        help="the PNG grid of image samples (default: samples.png)",
    )
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise (default: 0)")
    _add_global_options(sample, command=True)


def use_backend(name):
    """Sets KERAS_BACKEND to `name` (None leaves it); a `ValueError` when
    Keras is already imported with another backend."""
    if name is None:
        return
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != name:
        raise ValueError(
            f"--backend {name}: Keras is already imported with the "
            f"{keras.backend.backend()} backend, which cannot change in this "
            f"process. Set KERAS_BACKEND={name} before Python starts, or use "
            "the `gan-zoo` command."
        )
    os.environ["KERAS_BACKEND"] = name


def quiet_logs():
    """TensorFlow's C++ logs off (TF_CPP_MIN_LOG_LEVEL=3, unless already
    set) and TensorFlow's and absl's Python loggers to errors only."""
    import logging

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)


def parse_args(argv=None):
    """Parses `argv` (default `sys.argv[1:]`) and applies --backend and
    --verbose; exits with status 2 and a message on a bad argument."""
    command_line = parser()
    args = command_line.parse_args(argv)
    try:
        use_backend(args.backend)
    except ValueError as error:
        command_line.error(str(error))
    if not args.verbose:
        quiet_logs()
    return args


@contextlib.contextmanager
def _without_native_logs():
    """Leaves out the log lines that TensorFlow's C++ code writes to stderr
    while it loads, which TF_CPP_MIN_LOG_LEVEL does not reach; everything
    else written to stderr meanwhile is passed on (all of it on an error)."""
    import tempfile

    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to filter
        yield
        return
    failed = True
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            if not failed:
                lines = [line for line in lines if not _NATIVE_LOG_LINE.match(line)]
            sys.stderr.write("".join(lines))
            sys.stderr.flush()


def main(argv=None):
    """Runs the `gan-zoo` command.

    Args:
        argv: list of str, the arguments without the program name.
            Defaults to `sys.argv[1:]`.

    Returns:
        `0` on success. Invalid arguments exit through `argparse` with
        status 2 and a message naming the problem.
    """
    args = parse_args(argv)
    quiet = not args.verbose and os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "3"
    with _without_native_logs() if quiet else contextlib.nullcontext():
        from gan_zoo import cli
    return cli.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
