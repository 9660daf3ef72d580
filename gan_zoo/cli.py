"""The `gan-zoo` command: train a method of the zoo on a built-in dataset,
and score a trained generator.

```
gan-zoo train dcgan                       # DCGAN on the 8x8 digits at 28x28
gan-zoo train wgan_gp --dataset ring      # WGAN-GP on the ring of Gaussians
gan-zoo --backend jax train dcgan         # or KERAS_BACKEND=jax gan-zoo ...
gan-zoo train improved_gan --feature-matching --minibatch-discrimination
gan-zoo train semi_supervised --dataset mnist --labels-per-class 10
gan-zoo train dcgan --dataset cifar10 --data-dir ~/data/cifar10
python -m gan_zoo train lsgan --epochs 20 --out runs/lsgan
gan-zoo evaluate --preset runs/dcgan-fashion_mnist \
    --dataset fashion_mnist --metric fid --metric kid
gan-zoo evaluate --weights runs/dcgan-digits/model.keras --dataset digits
```

A run writes, under `--out` (default `runs/METHOD-DATASET`), one PNG of
samples from fixed noise per epoch (`samples/epoch_001.png`, ...), the
per-epoch losses (`log.csv`, plotted in `loss_curves.png`), the model as a
preset (`config.json`, `model.weights.h5`, `metadata.json`:
`GAN.from_preset(out)` and `gan-zoo evaluate --preset out` load it) and as
one file (`model.keras`, for `keras.saving.load_model`). The samples of 2-D
data are scatter plots of real and generated points, titled with their
coverage (`mode_coverage` on the ring, `arm_coverage` on the rotated
Gaussians). `--tensorboard` also logs the losses and samples
for TensorBoard. A plot that fails to draw is a one-line warning, never a
failed run.

The command line is parsed by the launcher `gan_zoo_cli` (outside this
package, the `gan-zoo` entry point): it answers `--help` without importing
Keras, sets the backend (`--backend`, else `KERAS_BACKEND`) and hides
TensorFlow's C++ logs (unless `--verbose`) before importing this module,
which runs the command (`run`). `main(argv)` parses and runs in this
process, where Keras is already imported.
"""

import math
import pathlib
import sys

import keras
from gan_zoo_cli import BASE_FILTERS
from gan_zoo_cli import DIGITS_EPOCHS
from gan_zoo_cli import IMAGE_SIZE
from gan_zoo_cli import REFERENCE_SIZE
from gan_zoo_cli import parse_args

from gan_zoo import datasets
from gan_zoo import plots
from gan_zoo.callbacks import SampleGrid
from gan_zoo.callbacks import TensorBoardLogger
from gan_zoo.datasets import ring
from gan_zoo.datasets import ring_centers
from gan_zoo.datasets import rotated_gaussians
from gan_zoo.datasets import sample_ring
from gan_zoo.datasets import sample_rotated_gaussians
from gan_zoo.images import save_image_grid
from gan_zoo.metrics.evaluate import METRICS
from gan_zoo.metrics.evaluate import evaluate
from gan_zoo.metrics.evaluate import format_results
from gan_zoo.metrics.features import FeatureStatistics
from gan_zoo.metrics.features import WeightsUnavailableError
from gan_zoo.metrics.features import available_classifiers
from gan_zoo.metrics.features import extract
from gan_zoo.metrics.features import get_extractor
from gan_zoo.metrics.mixtures import arm_coverage
from gan_zoo.metrics.mixtures import mode_coverage
from gan_zoo.models import DCGAN
from gan_zoo.models import FOGAN
from gan_zoo.models import GAN
from gan_zoo.models import ImprovedGAN
from gan_zoo.models import LSGAN
from gan_zoo.models import PGAN
from gan_zoo.models import PWGAN
from gan_zoo.models import SemiSupervisedGAN
from gan_zoo.models import SoftmaxGAN
from gan_zoo.models import WGAN
from gan_zoo.models import WGANGP
from gan_zoo.models.architectures import dcgan_discriminator
from gan_zoo.models.architectures import dcgan_generator
from gan_zoo.models.architectures import gmm_discriminator
from gan_zoo.models.architectures import pgan_encoder
from gan_zoo.models.architectures import pgan_generator
from gan_zoo.presets import list_presets
from gan_zoo.recipes import TOY_LATENT_DIM
from gan_zoo.recipes import toy_players
from gan_zoo.recipes import toy_recipe

METHODS = {
    "gan": GAN,
    "dcgan": DCGAN,
    "lsgan": LSGAN,
    "softmax_gan": SoftmaxGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "fogan": FOGAN,
    "pwgan": PWGAN,
    "improved_gan": ImprovedGAN,
    "semi_supervised": SemiSupervisedGAN,
    "pgan": PGAN,
}
# The Improved-GAN techniques (Salimans et al. 2016): flag -> the methods
# that take it.
IMPROVED_GAN_FLAGS = {
    "feature_matching": ("improved_gan",),
    "label_smoothing": ("improved_gan",),
    "minibatch_discrimination": ("improved_gan", "semi_supervised"),
    "virtual_batch_norm": ("improved_gan", "semi_supervised"),
    "historical_averaging": ("improved_gan", "semi_supervised"),
    "labels_per_class": ("semi_supervised",),
}
# Image datasets: `load(batch_size, image_size, seed)`.
# Image datasets of `gan_zoo.datasets.load`; files found as it finds them.
IMAGE_DATASETS = sorted(
    name for name, about in datasets.DATASETS.items() if about.kind == "image"
)
# 2-D datasets: `(load(batch_size, seed), sample(n, seed))`; the ring's
# defaults (8 modes, radius 2, std 0.05) are those of `ring_centers` below.
POINT_DATASETS = {
    "ring": (
        lambda batch_size, seed: ring(batch_size=batch_size, seed=seed),
        lambda n, seed: sample_ring(n, seed=seed),
    ),
    "rotated_gaussians": (
        lambda batch_size, seed: rotated_gaussians(batch_size=batch_size, seed=seed),
        lambda n, seed: sample_rotated_gaussians(n, seed=seed),
    ),
}
DEFAULTS = {
    "image": {"batch_size": 64, "latent_dim": 100, "epochs": 10},
    # 15 epochs of the 2-D loaders (195 batches each) ~ the recipes' 3,000 steps.
    "points": {"batch_size": 256, "latent_dim": TOY_LATENT_DIM, "epochs": 15},
}
RING_STD = 0.05
NUM_COVERAGE_SAMPLES = 2_000
NUM_REFERENCE_POINTS = 1_000


def _improved_gan_options(args):
    """`(generator builder kwargs, discriminator builder kwargs, method
    kwargs)` from the Improved-GAN flags; an error for a flag the method
    does not take."""
    for flag, methods in IMPROVED_GAN_FLAGS.items():
        if getattr(args, flag) not in (None, False) and args.method not in methods:
            raise ValueError(
                f"--{flag.replace('_', '-')} applies to {' and '.join(methods)} "
                f"only, not {args.method}."
            )
    generator = (
        {"batch_norm": "virtual", "reference_size": REFERENCE_SIZE, "seed": args.seed}
        if args.virtual_batch_norm
        else {}
    )
    discriminator = {"minibatch_kernels": 100} if args.minibatch_discrimination else {}
    method = {}
    if args.feature_matching:
        method["feature_matching"] = True
    if args.label_smoothing is not None:
        method["label_smoothing"] = args.label_smoothing
    if args.historical_averaging:
        method["d_historical_averaging"] = args.historical_averaging
        method["g_historical_averaging"] = args.historical_averaging
    return generator, discriminator, method


def _image_setup(args, generator_options, discriminator_options):
    if args.dataset == "folder" and args.data_dir is None:
        raise ValueError("--dataset folder needs --data-dir DIR, the folder of images.")
    about = datasets.info(args.dataset)
    native_size, _, channels = about["shape"]
    # A folder's images keep their own size when they share one.
    default_size = {"digits": IMAGE_SIZE, "folder": None}.get(args.dataset, native_size)
    size = args.image_size or default_size
    filters = args.base_filters or BASE_FILTERS
    files = dict(
        split=args.split,
        image_size=size,
        data_dir=args.data_dir,
        download=not args.no_download,
    )
    if args.method == "semi_supervised":
        data = datasets.semi_supervised(
            args.dataset,
            labels_per_class=args.labels_per_class or 10,
            batch_size=args.batch_size,
            seed=args.seed,
            **files,
        )
        discriminator_options = {**discriminator_options, "output_units": about["classes"]}
    else:
        data = datasets.load(args.dataset, batch_size=args.batch_size, seed=args.seed, **files)
    if size is None:
        size = int(data.element_spec.shape[1])
    if args.method == "pgan":
        return data, *_pgan_networks(args, size, channels), None, ({}, {})
    generator = dcgan_generator(
        size, channels, args.latent_dim, base_filters=filters, **generator_options
    )
    batch_norm = not METHODS[args.method].per_sample_critic
    discriminator = dcgan_discriminator(
        size, channels, base_filters=filters, batch_norm=batch_norm, **discriminator_options
    )
    return data, generator, discriminator, None, ({}, {})


def _pgan_networks(args, size, channels):
    """The paper's generator and encoder (fixed widths) and the mixture head."""
    if args.base_filters is not None:
        raise ValueError("--base-filters sets DCGAN's width; pgan uses the paper's networks.")
    generator = pgan_generator(size, channels, args.latent_dim)
    return generator, gmm_discriminator(pgan_encoder(size, channels))


def _points_setup(args, generator_options, discriminator_options):
    for flag in ("image_size", "base_filters"):
        if getattr(args, flag) is not None:
            raise ValueError(
                f"--{flag.replace('_', '-')} applies to image datasets only; "
                f"{args.dataset!r} is 2-D."
            )
    load, sample = POINT_DATASETS[args.dataset]
    if args.method == "semi_supervised":
        raise ValueError(
            f"semi_supervised needs a dataset with classes; {args.dataset!r} "
            "has none. Choose one of: "
            + ", ".join(n for n in IMAGE_DATASETS if datasets.info(n)["classes"])
        )
    data = load(args.batch_size, args.seed)
    method = METHODS[args.method]
    generator, discriminator = toy_players(
        method, args.latent_dim, generator_options, discriminator_options
    )
    reference = sample(NUM_REFERENCE_POINTS, args.seed + 1)
    # The papers' optimisers suit images; 2-D data takes the measured recipe.
    return data, generator, discriminator, reference, toy_recipe(method)


def _train(args):
    kind = "image" if args.dataset in IMAGE_DATASETS else "points"
    epochs_given = args.epochs is not None
    if args.dataset == "digits" and not epochs_given:
        args.epochs = DIGITS_EPOCHS
    for key, value in DEFAULTS[kind].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    out = args.out or pathlib.Path("runs") / f"{args.method}-{args.dataset}"
    keras.utils.set_random_seed(args.seed)
    setup = _image_setup if kind == "image" else _points_setup
    try:
        generator_options, discriminator_options, improved_args = _improved_gan_options(args)
        data, generator, discriminator, reference, recipe = setup(
            args, generator_options, discriminator_options
        )
        compile_args, method_args = recipe
        model = METHODS[args.method](
            generator, discriminator, seed=args.seed, **method_args, **improved_args
        )
    except ValueError as error:
        args.command_parser.error(str(error))
    except (datasets.MissingDataError, datasets.CorruptDataError) as error:
        raise SystemExit(f"gan-zoo: {error}") from None
    if kind == "points" and not epochs_given:
        # A step takes n_critic batches: keep the recipes' generator steps.
        args.epochs *= model.n_critic
    if args.steps_per_epoch is not None:
        data = data.repeat()
    model.compile(**compile_args)

    out.mkdir(parents=True, exist_ok=True)
    samples = out / "samples"
    grid = _SampleGrid(
        samples / "epoch_{epoch:03d}.png",
        seed=args.seed,
        reference=reference,
        # 2-D scatters: as many points as the final coverage.
        num_samples=64 if kind == "image" else NUM_COVERAGE_SAMPLES,
        caption=(lambda x: _coverage(args.dataset, x)[1]) if kind == "points" else None,
    )
    callbacks = [grid, keras.callbacks.CSVLogger(str(out / "log.csv"))]
    if args.tensorboard:
        log_dir = out / "tensorboard"
        callbacks.append(TensorBoardLogger(log_dir, grid))
    print(
        f"Training {type(model).__name__} on {args.dataset} "
        f"({keras.backend.backend()} backend), writing to {out}"
    )
    model.fit(
        data,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        callbacks=callbacks,
        shuffle=False,  # the loaders shuffle
    )
    metadata = {
        "dataset": args.dataset,
        "recipe": {
            "command": "gan-zoo train",
            **{key: _jsonable(value) for key, value in sorted(vars(args).items())
               if key not in ("command_parser", "command", "out", "backend", "verbose",
                              "tensorboard")},
            "d_optimizer": _optimizer_summary(model.d_optimizer),
            "g_optimizer": _optimizer_summary(model.g_optimizer),
        },
        "generator_steps": int(model.g_optimizer.iterations),
    }
    if kind == "points":
        generated = model.generate(NUM_COVERAGE_SAMPLES, seed=args.seed)
        coverage_metrics, coverage = _coverage(args.dataset, generated)
        metadata["metrics"] = {**coverage_metrics, "num_samples": NUM_COVERAGE_SAMPLES}
    if args.method == "semi_supervised":
        split, error = _classification_error(model, args)
        metadata["metrics"] = {f"classification_error_{split}": error}
    model.save_to_preset(out, metadata=metadata)
    model.save(out / "model.keras")
    title = f"{type(model).__name__} on {args.dataset} ({keras.backend.backend()} backend)"
    plotted = _warn_if_fails(
        "loss_curves.png", plots.loss_curves, out / "log.csv", out / "loss_curves.png", title
    )

    print(f"Samples: {samples}/epoch_*.png")
    print(f"Losses:  {out / 'log.csv'}" + (", plotted in loss_curves.png" if plotted else ""))
    print(f"Preset:  {out} (config.json, model.weights.h5, metadata.json)")
    print(f"Model:   {out / 'model.keras'}")
    if args.tensorboard:
        print(f"TensorBoard: tensorboard --logdir {log_dir} (pip install tensorboard)")
    if args.method == "semi_supervised":
        print(f"Classification error on {args.dataset} ({split}): {error:.4f}")
    if kind == "points":
        print(f"Coverage ({NUM_COVERAGE_SAMPLES} samples): {coverage}")


def _coverage(dataset, points):
    """`(metrics, text)` of 2-D samples: `mode_coverage` on the ring (e.g.
    "8/8 modes, high-quality fraction 0.900"), `arm_coverage` on the
    rotated Gaussians."""
    if dataset == "ring":
        result = mode_coverage(points, ring_centers(), RING_STD)
        modes, quality = result["modes_covered"], result["high_quality_fraction"]
        return (
            {f"modes_covered_of_{len(result['counts'])}": modes,
             "high_quality_fraction": quality},
            f"{modes}/{len(result['counts'])} modes, high-quality fraction {quality:.3f}",
        )
    result = arm_coverage(points)
    arms, on_arm = result["arms_covered"], result["on_arm_fraction"]
    outside = result["outside_core_fraction"]
    return (
        {f"arms_covered_of_{len(result['counts'])}": arms, "on_arm_fraction": on_arm,
         "outside_core_fraction": outside},
        f"{arms}/{len(result['counts'])} arms, on-arm fraction {on_arm:.3f}, "
        f"{outside:.0%} outside the core",
    )


def _warn_if_fails(what, draw, *args):
    """`draw(*args)`, or None after a one-line warning on stderr if it
    raises: a plot never fails a training run."""
    try:
        return draw(*args)
    except Exception as error:
        message = " ".join(str(error).split())
        print(
            f"gan-zoo: warning: could not draw {what}: {type(error).__name__}: {message}",
            file=sys.stderr,
        )
        return None


class _SampleGrid(SampleGrid):
    """`SampleGrid` whose pictures that fail to draw only warn."""

    def write(self, epoch):
        return _warn_if_fails(f"the samples of epoch {epoch + 1}", super().write, epoch)


def _classification_error(model, args):
    """`(split, error)` of the semi-supervised classifier: on the test split
    after training on train, else on the whole training split."""
    split = "test" if args.split == "train" and "test" in datasets.info(args.dataset)["size"] else args.split
    labelled = datasets.load(
        args.dataset,
        split=split,
        batch_size=256,
        image_size=model.generator.output_shape[1],
        with_labels=True,
        shuffle=False,
        drop_remainder=False,
        data_dir=args.data_dir,
        download=not args.no_download,
    )
    accuracy = model.evaluate(labelled, verbose=0, return_dict=True)["accuracy"]
    return split, 1.0 - float(accuracy)


def _jsonable(value):
    return str(value) if isinstance(value, pathlib.Path) else value


def _optimizer_summary(optimizer):
    """The optimizer's class and its set options, floats to float32 precision."""
    summary = {"class": type(optimizer).__name__}
    for key, value in optimizer.get_config().items():
        if key != "name" and value is not None and value is not False:
            summary[key] = float(f"{value:.7g}") if isinstance(value, float) else value
    return summary


def _load_model(args, images_only=True):
    """The GAN named by --preset or --weights; exits with a message otherwise."""
    if args.preset is not None:
        source = f"preset {args.preset}"
        try:
            model = GAN.from_preset(args.preset)
        except ValueError as error:
            args.command_parser.error(f"--preset: {error}")
        except (OSError, datasets.CorruptDataError) as error:
            raise SystemExit(f"gan-zoo: --preset {args.preset}: {error}") from None
    else:
        source = str(args.weights)
        if not args.weights.is_file():
            args.command_parser.error(f"--weights: no such file: {args.weights}")
        model = keras.saving.load_model(args.weights)
    if not hasattr(model, "generator"):
        args.command_parser.error(f"{source} is not a GAN.")
    if images_only and len(model.generator.output_shape) != 4:
        args.command_parser.error(f"{source} is not a GAN that generates images.")
    return model, source


def _presets(args):
    registered = list_presets()
    if not registered:
        print("No presets are registered.")
    for name, entry in registered.items():
        metadata = entry["metadata"]
        details = [f"{entry['class_name']} on {metadata.get('dataset', '?')}"]
        if metadata.get("summary"):
            details.append(metadata["summary"])
        details.append("shipped with gan_zoo" if entry["url"] is None else entry["url"])
        print(f"{name}: " + "; ".join(details))
    return registered


def _sample(args):
    model, source = _load_model(args, images_only=False)
    if getattr(model.generator, "charmap", None) is not None:
        lines = model.generate_text(args.n, seed=args.seed)
        print("\n".join(lines))
        return lines
    shape = model.generator.output_shape
    side = _square_side(shape[-1]) if len(shape) == 2 else None
    if len(shape) != 4 and side is None:
        args.command_parser.error(f"{source} generates neither images nor text.")
    images = keras.ops.convert_to_numpy(model.generate(args.n, seed=args.seed))
    if side is not None:  # flat vectors of a square grey image (MNIST MLPs)
        images = images.reshape((-1, side, side, 1))
    path = save_image_grid(images, args.out)
    print(f"Wrote {args.n} samples of {type(model).__name__} from {source} to {path}")
    return path


def _square_side(size, smallest=8):
    """`s` where a flat output of `size` values is an `s x s` image, else None."""
    side = math.isqrt(size) if size else 0
    return side if side >= smallest and side * side == size else None


def _evaluate(args):
    model, source = _load_model(args)
    if args.split is None:
        args.split = "test" if "test" in datasets.info(args.dataset)["size"] else "train"
    metrics = args.metric or ["fid"]
    size = model.generator.output_shape[1]
    extractor = args.extractor
    if extractor == "auto":
        extractor = args.dataset if args.dataset in available_classifiers() else "fid_inception"
    try:
        extractor = get_extractor(extractor)
    except WeightsUnavailableError as error:
        raise SystemExit(f"gan-zoo: {error}") from None
    real = f"{args.dataset} ({args.split}) at {size}x{size}"
    print(f"Evaluating {type(model).__name__} from {source} against {real} in {extractor.name}")
    reference = _reference(args, extractor, metrics, size, real)
    results = evaluate(
        model,
        reference,
        metrics=metrics,
        extractor=extractor,
        num_samples=args.num_samples,
        num_reference=args.num_reference,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    print(format_results(results))
    return results


def _reference(args, extractor, metrics, size, real):
    """The real images, or their statistics from --reference-statistics
    (computed and saved there when the file does not exist yet)."""
    path = args.reference_statistics
    if path is not None and path.is_file():
        per_image = [m for m in metrics if METRICS[m].needs_features]
        if per_image:
            args.command_parser.error(
                "--reference-statistics serve FID (a mean and a covariance); "
                f"--metric {', '.join(per_image)} needs the images: drop one of them"
            )
        statistics = FeatureStatistics.load(path)
        if (statistics.extractor, statistics.source) != (extractor.name, real):
            args.command_parser.error(
                f"--reference-statistics {path} hold {statistics.source} in "
                f"{statistics.extractor}, not {real} in {extractor.name}; "
                "give another file to compute them anew"
            )
        print(f"Reference statistics from {path} ({statistics.count} images)")
        return statistics
    try:
        reference = datasets.load(
            args.dataset,
            split=args.split,
            batch_size=args.batch_size,
            image_size=size,
            data_dir=args.data_dir,
            shuffle=False,
            drop_remainder=False,
            download=not args.no_download,
        )
    except ValueError as error:
        args.command_parser.error(str(error))
    except (datasets.MissingDataError, datasets.CorruptDataError) as error:
        raise SystemExit(f"gan-zoo: {error}") from None
    if path is None:
        return reference
    extraction = extract(
        reference,
        extractor,
        num_samples=args.num_reference,
        batch_size=args.batch_size,
        keep_features=any(METRICS[m].needs_features for m in metrics),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    extraction.statistics.save(path, extractor=extractor.name, source=real)
    print(f"Saved the reference statistics of {extraction.count} images to {path}")
    return extraction


def run(args):
    """Runs the command of `args`, as parsed by `gan_zoo_cli.parse_args`;
    returns `0`."""
    commands = {"train": _train, "evaluate": _evaluate, "presets": _presets, "sample": _sample}
    commands[args.command](args)
    return 0


def main(argv=None):
    """`gan_zoo_cli.main` in this process, where Keras is imported already
    (`--backend` must name its backend): parses `argv` and runs it."""
    return run(parse_args(argv))
