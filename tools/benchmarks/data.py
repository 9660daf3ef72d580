"""`bench.py data`: images/s of each `gan_zoo.datasets` pipeline vs the training step.

This is a benchmark, not a test: it prints numbers and asserts nothing.

For one backend per process (`--backend`, or `KERAS_BACKEND`; Keras reads it
when first imported), for each dataset it builds `gan_zoo.datasets.load(name,
batch_size=B)` at the size a DCGAN would train on, and measures:

- `pipeline`: images/s of iterating the dataset alone (after `--warmup`
  batches, `--batches` batches timed);
- `train`: images/s of `fit` (`--steps` steps, or fewer when they take
  over `--max-seconds`) of a DCGAN (base filters `--base-filters`,
  built for the dataset's image size and channels; for the 2-D sets, the
  toy MLP pair of `gan_zoo.recipes`) on one cached batch repeated, so that
  input costs nothing (after a warm-up `fit` that compiles the step);
- `fit on pipeline`: images/s of the same `fit` fed by the pipeline itself;
- `pipeline / train`: headroom of the input (>1: input outruns training)
  and `input cost`: `1 - (fit on pipeline) / train`, the share of the step
  rate lost to input when both share the CPU.

Data: MNIST's test set from `--data` (default `$GAN_ZOO_TEST_DATA`, else
`../shared/data`), Fashion-MNIST's training set from its usual places
(Debian's `/usr/share/datasets/fashion-mnist`), CIFAR-10 and SVHN as
10,000 random images written in their canonical formats into a temporary
folder, CelebA and `folder` as 1,024 links to the 32 shared aligned JPEGs
(each decoded afresh, as with the full dataset; the files stay in the page
cache), digits and the 2-D sets made in code. A dataset whose files are
missing prints `n/a` and why. `lm1b` (text) is not benchmarked here.

Usage:
    python tools/bench.py data --backend jax
    python tools/bench.py data --backend tensorflow --datasets mnist celeba
"""

import os
import pathlib
import pickle
import sys
import tempfile
import time

from benchmarks import common

BACKENDS = ("jax", "tensorflow", "torch")
# name -> (image_size a DCGAN trains at, split, kind of local data)
PIPELINES = {
    "mnist": (28, "test"),
    "fashion_mnist": (28, "train"),
    "cifar10": (32, "test"),
    "svhn": (32, "test"),
    "celeba": (64, "train"),
    "folder": (64, "train"),
    "digits": (28, "train"),
    "ring": (None, "train"),
    "rotated_gaussians": (None, "train"),
}
NUM_SYNTHETIC = 10_000
NUM_LINKS = 1_024


def add_arguments(p):
    p.add_argument("--backend", choices=BACKENDS, help="default: $KERAS_BACKEND or jax")
    p.add_argument("--datasets", nargs="+", choices=sorted(PIPELINES), default=list(PIPELINES))
    p.add_argument("--batch-size", type=int, default=64, help="default 64")
    p.add_argument("--batches", type=int, default=50, help="timed pipeline batches (default 50)")
    p.add_argument("--steps", type=int, default=20, help="timed training steps (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed batches/steps (default 3)")
    p.add_argument(
        "--max-seconds", type=float, default=10.0,
        help="stop a timed fit after this long (default 10)",
    )
    p.add_argument("--base-filters", type=int, default=32, help="DCGAN width (default 32)")
    p.add_argument("--data", type=pathlib.Path, help="the shared sample data folder")


def _shared_data(args):
    if args.data is not None:
        return args.data
    env = os.environ.get("GAN_ZOO_TEST_DATA")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"


def _write_synthetic(root):
    """10,000 random images as CIFAR-10 `test_batch` and SVHN `test_32x32.mat`."""
    import numpy as np
    from scipy import io

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (NUM_SYNTHETIC, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, NUM_SYNTHETIC)
    cifar = root / "cifar10" / "cifar-10-batches-py"
    cifar.mkdir(parents=True)
    batch = {
        b"labels": labels.tolist(),
        b"data": images.transpose(0, 3, 1, 2).reshape(NUM_SYNTHETIC, 3072),
    }
    with open(cifar / "test_batch", "wb") as stream:
        pickle.dump(batch, stream, protocol=2)
    svhn = root / "svhn"
    svhn.mkdir()
    io.savemat(
        svhn / "test_32x32.mat",
        {"X": images.transpose(1, 2, 3, 0), "y": (labels + 1)[:, None].astype("uint8")},
    )


def _link_faces(shared, root):
    faces = sorted((shared / "celeba").glob("*.jpg"))
    if not faces:
        return None
    folder = root / "faces"
    folder.mkdir()
    for i in range(NUM_LINKS):
        (folder / f"{i + 1:06d}.jpg").symlink_to(faces[i % len(faces)])
    return folder


def _load_kwargs(name, shared, scratch, faces):
    """`load` arguments besides name/batch/size, or a reason it cannot run."""
    if name == "mnist":
        return {"split": "test", "data_dir": shared / "mnist"}
    if name in ("cifar10", "svhn"):
        return {"split": "test", "data_dir": scratch / name}
    if name in ("celeba", "folder"):
        return {"data_dir": faces} if faces else f"no JPEGs in {shared / 'celeba'}"
    return {}


def _model(name, size, channels, base_filters):
    from gan_zoo.models import DCGAN
    from gan_zoo.models import GAN
    from gan_zoo.models.architectures import dcgan_discriminator
    from gan_zoo.models.architectures import dcgan_generator
    from gan_zoo.models.architectures import mlp_discriminator
    from gan_zoo.models.architectures import mlp_generator
    from gan_zoo.recipes import TOY_HIDDEN_UNITS
    from gan_zoo.recipes import TOY_LATENT_DIM

    if size is None:
        return GAN(
            mlp_generator(latent_dim=TOY_LATENT_DIM, hidden_units=TOY_HIDDEN_UNITS),
            mlp_discriminator(hidden_units=TOY_HIDDEN_UNITS),
            seed=0,
        )
    return DCGAN(
        dcgan_generator(size, channels, base_filters=base_filters),
        dcgan_discriminator(size, channels, base_filters=base_filters),
        seed=0,
    )


def _pipeline_rate(ds, batch_size, warmup, batches):
    iterator = iter(ds.repeat())
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - start)


def _fit_rate(model, ds, batch_size, steps, max_seconds):
    """images/s of `fit`, stopped after `steps` steps or `max_seconds`."""
    import keras

    class Budget(keras.callbacks.Callback):
        done = 0

        def on_train_batch_end(self, batch, logs=None):
            Budget.done += 1
            if time.perf_counter() - start > max_seconds:
                self.model.stop_training = True

    start = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[Budget()])
    # Read a weight back so asynchronous backends have finished the steps.
    keras.ops.convert_to_numpy(model.generator.trainable_variables[0])
    return Budget.done * batch_size / (time.perf_counter() - start)


def run(args):
    import keras

    from gan_zoo import datasets

    shared = _shared_data(args)
    print(f"backend {keras.backend.backend()}, batch {args.batch_size}, "
          f"{os.cpu_count()} CPUs, load average {common.loadavg()}")
    header = ("dataset", "sample", "pipeline img/s", "train img/s",
              "fit on pipeline img/s", "pipeline/train", "input cost")
    print(" | ".join(header))
    with tempfile.TemporaryDirectory(prefix="bench_data_") as scratch:
        scratch = pathlib.Path(scratch)
        if {"cifar10", "svhn"} & set(args.datasets):
            _write_synthetic(scratch)
        faces = _link_faces(shared, scratch) if {"celeba", "folder"} & set(args.datasets) else None
        for name in args.datasets:
            size, _ = PIPELINES[name]
            kwargs = _load_kwargs(name, shared, scratch, faces)
            if isinstance(kwargs, str):
                print(f"{name} | n/a: {kwargs}")
                continue
            if size is not None:
                kwargs["image_size"] = size
            try:
                ds = datasets.load(name, batch_size=args.batch_size, seed=0,
                                   download=False, **kwargs)
            except (datasets.MissingDataError, datasets.CorruptDataError) as error:
                print(f"{name} | n/a: {str(error).splitlines()[0]}")
                continue
            sample = tuple(ds.element_spec.shape[1:])
            pipeline = _pipeline_rate(ds, args.batch_size, args.warmup, args.batches)
            channels = sample[-1] if size is not None else None
            model = _model(name, size, channels, args.base_filters)
            model.compile()
            cached = ds.take(1).cache().repeat()
            model.fit(cached, steps_per_epoch=args.warmup, epochs=1, verbose=0)
            train = _fit_rate(model, cached, args.batch_size, args.steps, args.max_seconds)
            fed = _fit_rate(model, ds.repeat(), args.batch_size, args.steps, args.max_seconds)
            print(f"{name} | {sample} | {pipeline:,.0f} | {train:,.0f} | {fed:,.0f} | "
                  f"{pipeline / train:,.1f} | {1 - fed / train:+.0%}")
            sys.stdout.flush()
            keras.backend.clear_session()
    print(f"load average after: {common.loadavg()}")


def main(args, argv):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    run(args)
