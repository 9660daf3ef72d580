"""Semi-supervised MNIST with 100 labels (Salimans et al. 2016, section 5.1).

The paper's claim (Table 1): a GAN whose discriminator is a K+1-class
classifier, its generator trained by feature matching, reaches 0.93% test
error on MNIST with 100 labelled digits, far below the same classifier
trained on the labels alone.

Each variant trains the paper's permutation-invariant networks (D
784-1000-500-250-250-250-10 with Gaussian noise, 0.3 on the input and 0.5
after each hidden layer; G 100-500-500-784 with batch norm and softplus; no
weight normalisation, which Keras lacks; pixels in [-1, 1]) on the same
batches, optimizer and steps:

- `GAN`: `SemiSupervisedGAN` (feature matching), the paper's MNIST setting;
- `GAN+MBD`: the same with minibatch discrimination (100 kernels of 5)
  before D's output;
- `GAN without FM`, `GAN+MBD without FM`: G trained by the GAN's
  non-saturating loss instead of feature matching (`feature_matching=False`);
- `labels only`: the same D trained on the labelled digits alone
  (`unsupervised_weight=0`).

Offline only MNIST's test split is at hand: `--split test` (the default)
trains on its first 8,000 digits (10 labels per class) and scores the last
2,000; `--split train` trains on the 60,000 training digits and scores the
test split. Printed every `--eval-every` epochs: each variant's held-out
error; then the table. Written to `--out`: `curves.csv`, `table.md`,
`error.png` and each trained model as a preset folder (`--out/GAN`, ...;
`GAN.from_preset` loads it, `classify` gives the class probabilities).
`--preset NAME` trains nothing: it prints the held-out error of a saved
model (a registered name such as `semi_supervised_mnist` or a folder).

    KERAS_BACKEND=jax python tools/reproduce/semi_supervised_mnist.py --data-dir ../shared/data/mnist
"""

import argparse
import pathlib
import time

import keras

from gan_zoo import datasets
from gan_zoo import plots
from gan_zoo.datasets.mnist import load_arrays
from gan_zoo.models import GAN, SemiSupervisedGAN
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

from common import curve_rows, recipe, write_outputs  # tools/reproduce/common.py

# Variant -> (unsupervised weight, minibatch discrimination kernels, feature matching).
VARIANTS = {
    "GAN": (1.0, 0, True),
    "GAN+MBD": (1.0, 100, True),
    "GAN without FM": (1.0, 0, False),
    "GAN+MBD without FM": (1.0, 100, False),
    "labels only": (0.0, 0, True),
}
COLUMNS = ("variant", "epoch", "seconds", "error")


def flat_digits(split, data_dir):
    images, labels = load_arrays("mnist", split, data_dir=data_dir)
    return images.reshape(len(images), -1).astype("float32") / 127.5 - 1.0, labels


def build(variant, hidden_units, seed):
    unsupervised_weight, minibatch_kernels, feature_matching = VARIANTS[variant]
    keras.utils.set_random_seed(seed)
    model = SemiSupervisedGAN(
        mlp_generator(
            784, 100, (500, 500), "softplus", batch_norm=True, output_activation="tanh"
        ),
        mlp_discriminator(
            784, hidden_units, "relu", output_units=10, minibatch_kernels=minibatch_kernels,
            input_noise=0.3, hidden_noise=0.5,
        ),
        unsupervised_weight=unsupervised_weight,
        feature_matching=feature_matching,
        seed=seed,
    )
    model.compile()
    return model


def train(variant, data, held_out, args):
    """`[(epoch, seconds, error)]` every `args.eval_every` epochs; the model
    is saved as a preset in `args.out / variant`."""
    model = build(variant, args.hidden_units, args.seed)
    curve, elapsed = [], 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0)
        elapsed += time.perf_counter() - start
        if epoch % args.eval_every == 0 or epoch == args.epochs:
            accuracy = model.evaluate(*held_out, batch_size=500, verbose=0,
                                      return_dict=True)["accuracy"]
            curve.append((epoch, elapsed, 1.0 - accuracy))
            print(f"  {variant:12s} epoch {epoch:4d}: held-out error {1.0 - accuracy:.4f} "
                  f"({elapsed:.0f} s)", flush=True)
    model.save_to_preset(args.out / variant.replace(" ", "_"), metadata={
        "dataset": "mnist",
        "recipe": {**recipe("semi_supervised_mnist.py", args), "variant": variant},
        "generator_steps": int(model.g_optimizer.iterations),
        "metrics": {"held_out_error": curve[-1][2], "held_out_digits": len(held_out[1])},
    })
    return curve


def plot(out, curves):
    plots.curves(
        [{"xlabel": "epochs", "ylabel": "held-out error",
          "series": {n: ([p[0] for p in c], [p[2] for p in c]) for n, c in curves.items()}}],
        out / "error.png",
        title=f"Semi-supervised MNIST, 100 labels ({keras.backend.backend()})",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder of MNIST's IDX gzip files")
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--labels-per-class", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--eval-every", type=int, default=5, help="epochs between scores")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--hidden-units", default="1000,500,250,250,250")
    parser.add_argument("--max-digits", type=int, help="train on at most this many digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--out", type=pathlib.Path,
                        default=pathlib.Path("runs/reproduce/semi_supervised_mnist"),
                        help="folder for curves.csv, table.md, error.png and the presets")
    parser.add_argument("--preset", help="score this preset instead of training")
    args = parser.parse_args(argv)
    args.hidden_units = tuple(int(u) for u in args.hidden_units.split(","))

    x, y = flat_digits(args.split, args.data_dir)
    if args.split == "test":
        (x, y), held_out = (x[:8000], y[:8000]), (x[8000:], y[8000:])
    else:
        held_out = flat_digits("test", args.data_dir)
    x, y = x[: args.max_digits], y[: args.max_digits]
    if args.preset:
        model = GAN.from_preset(args.preset)
        model.compile()
        accuracy = model.evaluate(*held_out, batch_size=500, verbose=0,
                                  return_dict=True)["accuracy"]
        print(f"{args.preset}: held-out error {1.0 - accuracy:.4f} on {len(held_out[1])} digits")
        return 1.0 - accuracy
    print(f"{len(x)} training digits ({args.labels_per_class} labels per class), "
          f"{len(held_out[1])} held out; {args.epochs} epochs of batch {args.batch_size}; "
          f"{keras.backend.backend()} backend")
    data = datasets.semi_supervised(
        (x, y), labels_per_class=args.labels_per_class, batch_size=args.batch_size,
        seed=args.seed,
    )
    curves = {variant: train(variant, data, held_out, args) for variant in args.variants}
    table = [
        "| variant | held-out error | seconds |",
        "|---|---|---|",
        *(f"| {name} | {c[-1][2]:.4f} | {c[-1][1]:.0f} |" for name, c in curves.items()),
        "",
        f"After {args.epochs} epochs on {len(x)} digits with {10 * args.labels_per_class} "
        f"labels; {len(held_out[1])} held-out digits. The paper: 0.93% with 100 labels.",
    ]
    print("\n".join(table))
    write_outputs(args.out, table, curves=(COLUMNS, curve_rows(curves)))
    plot(args.out, curves)
    print(f"wrote {args.out}/curves.csv, table.md, error.png and the presets")
    return curves


if __name__ == "__main__":
    main()
