"""PGAN's discriminator landscape and its on/off generator gradient, beside
LSGAN's, on the paper's rotated-Gaussians toy and on digits (Eghbal-zadeh &
Widmer 2017).

The paper's claims: the likelihood D learns is a probability landscape
shaped like the data (its toy figure, against LSGAN's discriminator
output); and against a generator held fixed, the encoder learns to
separate its samples so that G's gradient fades ("switches off"), and it
comes back when G trains again.

With `--data rotated_gaussians` (the default) each method trains on
`gan_zoo.datasets.rotated_gaussians` with the toy recipe of
`gan_zoo.recipes` (PGAN: MLP encoder, 2-D bottleneck, 5 encoder steps per
generator step; LSGAN: Adam 1e-3). With `--data digits` they train on the
8x8 digits at 16x16 with PGAN's MNIST networks (`pgan_generator`,
`pgan_encoder` with the paper's 1-D bottleneck, `--dense-units` wide) and
the paper's Adam(1e-4), one encoder step per generator step; LSGAN's D is
the same encoder with a linear output instead of the mixture. The methods:
`PGAN` with the mixture's variances floored at 0.1 (gan_zoo's default),
`PGAN floor 1e-6` with the paper's unfloored fit, and `LSGAN`.
First G is frozen at its initialisation (its optimizer's learning rate
set to 0) for `--frozen-steps` steps while D trains, then released; every
`--chunk` steps the tool records the mean norm over 2,000 generated points
of G's per-sample loss gradient with respect to the point, `||d 0.5 (D(x) -
1)^2 / dx||` (both methods' generator loss; D as it stands, inference mode).
Printed per method and seed: the gradient norm at the start, when the
freeze ends and at the end, and the quality of 2,000 samples at the end:
the arms covered (`arm_coverage`) on the toy; on digits the classes drawn
and the share the shipped digits classifier recognises with p > 0.9.
Written to `--out`: `runs.csv`, `gradients.csv`, `table.md`,
`gradient.png`, and on the toy `landscape.png` (D over the plane at the
end, first seed, with real and generated points).

    KERAS_BACKEND=jax python tools/reproduce/pgan_toy.py
    KERAS_BACKEND=jax python tools/reproduce/pgan_toy.py --data digits --out runs/reproduce/pgan_digits
"""

import argparse
import pathlib

import keras
import numpy as np

from gan_zoo import backend
from gan_zoo import datasets
from gan_zoo import plots
from gan_zoo.metrics import arm_coverage, evaluate
from gan_zoo.models import LSGAN, PGAN
from gan_zoo.models.architectures import gmm_discriminator, pgan_encoder, pgan_generator
from gan_zoo.recipes import toy_players, toy_recipe

from common import spread, table_lines, write_outputs  # tools/reproduce/common.py

# name -> (class, the mixture's variance floor: None for gan_zoo's default,
# 0.1, or the paper's unfloored fit, 1e-6; None for LSGAN).
METHODS = {"PGAN": (PGAN, None), "PGAN floor 1e-6": (PGAN, 1e-6), "LSGAN": (LSGAN, None)}
EXTENT = (-3.0, 3.0, -3.0, 3.0)
GRADIENT_COLUMNS = ("gradient_start", "gradient_frozen_end", "gradient_end")


class RotatedGaussians:
    """The paper's toy with the toy recipes; scored by `arm_coverage`."""

    batch_size = 256
    # Score -> (table header, format).
    scores = {"arms": ("arms", ".1f"), "on_arm_fraction": ("on-arm", ".3f"),
              "outside_core_fraction": ("outside the core", ".2f")}
    caption = "Rotated Gaussians (5 arms). Real samples: 5 arms, on-arm 0.996, 35% outside the core."

    def __init__(self, args):
        pass

    def model(self, cls, discriminator_options, seed):
        optimizers, kwargs = toy_recipe(cls)
        model = cls(*toy_players(cls, discriminator_options=discriminator_options),
                    seed=seed, **kwargs)
        model.compile(**optimizers)
        return model

    def sample(self, n, seed):
        return datasets.sample_rotated_gaussians(n, seed=seed).astype("float32")

    def score(self, fake):
        coverage = arm_coverage(fake)
        return {"arms": coverage["arms_covered"], **{
            k: coverage[k] for k in ("on_arm_fraction", "outside_core_fraction")}}


class Digits:
    """The 8x8 digits at 16x16 with PGAN's MNIST networks; scored by the
    shipped digits classifier."""

    batch_size = 64
    image_size = 16
    scores = {"distinct_classes": ("classes", ".1f"),
              "confident_fraction": ("share p > 0.9", ".3f")}
    caption = "Digits at 16x16. Real digits: 10 classes, share p > 0.9 0.87."

    def __init__(self, args):
        self.dense_units = args.dense_units
        self.images, _ = datasets.load_digit_images(self.image_size)

    def model(self, cls, discriminator_options, seed):
        encoder = pgan_encoder(self.image_size, dense_units=self.dense_units)
        if cls is PGAN:
            discriminator = gmm_discriminator(encoder, **discriminator_options)
        else:  # the same encoder, a linear output
            x = keras.Input(encoder.input_shape[1:])
            discriminator = keras.Model(x, keras.layers.Dense(1)(encoder(x)))
        model = cls(pgan_generator(self.image_size, latent_dim=32, dense_units=self.dense_units),
                    discriminator, seed=seed)
        model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
        return model

    def sample(self, n, seed):
        """`n` digits: the 1,797 in a fresh order for each pass."""
        rng = np.random.default_rng(seed)
        passes = -(-n // len(self.images))
        order = np.concatenate([rng.permutation(len(self.images)) for _ in range(passes)])
        return self.images[order[:n]]

    def score(self, fake):
        scores = evaluate(fake, metrics=["class_statistics"], extractor="digits")
        return {k: float(scores[k]) for k in self.scores}


DATA = {"rotated_gaussians": RotatedGaussians, "digits": Digits}


def gradient_norm(model, points):
    """Mean over samples of `||d 0.5 (D(x) - 1)^2 / dx||`."""
    def loss(x):
        return 0.5 * keras.ops.square(model.discriminator(x, training=False) - 1.0)

    _, gradient = backend.outputs_and_input_gradient(loss, keras.ops.convert_to_tensor(points))
    gradient = keras.ops.convert_to_numpy(gradient).reshape(len(points), -1)
    return float(np.mean(np.linalg.norm(gradient, axis=1)))


def landscape(model, size=121):
    """D over a `size` x `size` grid of `EXTENT`: rows along y."""
    x = np.linspace(EXTENT[0], EXTENT[1], size)
    y = np.linspace(EXTENT[2], EXTENT[3], size)
    grid = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2).astype("float32")
    values = keras.ops.convert_to_numpy(model.discriminator(grid, training=False))
    return values.reshape(size, size)


def train(data, name, seed, args):
    cls, variance_floor = METHODS[name]
    keras.utils.set_random_seed(seed)
    options = {} if variance_floor is None else {"variance_floor": variance_floor}
    model = data.model(cls, options, seed)
    batch = data.batch_size * model.n_critic
    points = data.sample(batch * (args.frozen_steps + args.steps), seed)
    done, curve = 0, []

    def fit_and_record(steps, phase):
        nonlocal done
        model.fit(points[done * batch:(done + steps) * batch], batch_size=data.batch_size,
                  epochs=1, shuffle=False, verbose=0)
        done += steps
        curve.append((done, phase, gradient_norm(model, model.generate(2000, seed=1))))

    learning_rate = float(model.g_optimizer.learning_rate)
    model.g_optimizer.learning_rate.assign(0.0)  # G frozen: D alone learns
    curve.append((0, "frozen", gradient_norm(model, model.generate(2000, seed=1))))
    for _ in range(args.frozen_steps // args.chunk):
        fit_and_record(args.chunk, "frozen")
    model.g_optimizer.learning_rate.assign(learning_rate)
    for _ in range(args.steps // args.chunk):
        fit_and_record(args.chunk, "released")
    fake = keras.ops.convert_to_numpy(model.generate(2000, seed=1))
    row = {
        "method": name, "seed": seed, **data.score(fake),
        "gradient_start": curve[0][2],
        "gradient_frozen_end": curve[args.frozen_steps // args.chunk][2],
        "gradient_end": curve[-1][2],
    }
    picture = (landscape(model), fake) if isinstance(data, RotatedGaussians) else None
    return row, curve, picture


def table(data, rows, args):
    caption = (
        f"G frozen at its initialisation for {args.frozen_steps} steps (D alone trains), "
        f"then {args.steps} generator steps; seeds {args.seeds}, mean (min-max). Gradient: "
        f"mean ||d L_G / d x|| over 2,000 generated samples. {data.caption}")
    columns = ("method", "gradient at the start", "at the freeze's end", "end / start",
               "at the end", *(header for header, _ in data.scores.values()))
    body = []
    for name in METHODS:
        runs = [r for r in rows if r["method"] == name]
        if runs:
            ratio = [r["gradient_frozen_end"] / max(r["gradient_start"], 1e-30) for r in runs]
            body.append([name, spread([r["gradient_start"] for r in runs], ".3g"),
                         spread([r["gradient_frozen_end"] for r in runs], ".3g"),
                         spread(ratio, ".3g"), spread([r["gradient_end"] for r in runs], ".3g")]
                        + [spread([r[k] for r in runs], spec)
                           for k, (_, spec) in data.scores.items()])
    return table_lines(caption, columns, body)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=list(DATA), default="rotated_gaussians")
    parser.add_argument("--dense-units", type=int, default=1024,
                        help="digits: width of G's and E's dense layers (the paper's 1024)")
    parser.add_argument("--frozen-steps", type=int, default=300,
                        help="steps with G frozen at its initialisation")
    parser.add_argument("--steps", type=int, default=1500, help="generator steps after")
    parser.add_argument("--chunk", type=int, default=50, help="steps per gradient record")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS),
                        metavar="METHOD", help=f"of {list(METHODS)}")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/reproduce/pgan_toy"),
                        help="folder for runs.csv, gradients.csv, table.md and the PNGs")
    args = parser.parse_args(argv)
    if args.frozen_steps % args.chunk or args.steps % args.chunk:
        parser.error("--frozen-steps and --steps must be multiples of --chunk")
    print(f"{keras.backend.backend()} backend; {vars(args)}")
    data = DATA[args.data](args)
    rows, curves, pictures = [], {}, {}
    for name in args.methods:
        for seed in args.seeds:
            row, curves[name, seed], picture = train(data, name, seed, args)
            pictures.setdefault(name, picture)
            rows.append(row)
            print(f"  {name:15s} seed {seed}: gradient {row['gradient_start']:.3g} -> "
                  f"{row['gradient_frozen_end']:.3g} (frozen) -> {row['gradient_end']:.3g}; "
                  + ", ".join(f"{header} {row[k]:{spec}}"
                              for k, (header, spec) in data.scores.items()), flush=True)
    lines = table(data, rows, args)
    print("\n".join(lines))
    write_outputs(args.out, lines, runs=(
        ("method", "seed", *data.scores, *GRADIENT_COLUMNS), rows), gradients=(
        ("method", "seed", "step", "phase", "gradient_norm"),
        [(name, seed, *point) for (name, seed), curve in curves.items() for point in curve],
    ))
    backend_name = keras.backend.backend()
    if isinstance(data, RotatedGaussians):
        real = data.sample(2000, seed=1)
        plots.landscapes([
            {"title": f"{name}: " + ("D(x)" if name == "LSGAN" else "likelihood L(E(x))"),
             "values": values, "extent": EXTENT, "label": "D(x)",
             "points": {"real": real, "generated": fake}}
            for name, (values, fake) in pictures.items()
        ], args.out / "landscape.png",
            title=f"Discriminators on the rotated Gaussians at the end "
                  f"(seed {args.seeds[0]}, {backend_name})")
    series = {}
    for (name, seed), curve in curves.items():
        series[f"{name} seed {seed}"] = ([s for s, _, _ in curve], [g for _, _, g in curve])
    plots.curves([{"xlabel": f"steps (G frozen up to {args.frozen_steps})",
                   "ylabel": "mean ||d L_G / d x||", "series": series, "yscale": "log"}],
                 args.out / "gradient.png", title=f"G frozen, then trained ({backend_name})")
    print(f"wrote {args.out}/runs.csv, gradients.csv, table.md, gradient.png"
          + (", landscape.png" if isinstance(data, RotatedGaussians) else ""))
    return rows


if __name__ == "__main__":
    main()
