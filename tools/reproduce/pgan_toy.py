"""PGAN's discriminator landscape and its on/off generator gradient, beside
LSGAN's, on the paper's rotated-Gaussians toy (Eghbal-zadeh & Widmer 2017).

The paper's claims: the likelihood D learns is a probability landscape
shaped like the data (its toy figure, against LSGAN's discriminator
output); and against a generator held fixed, the encoder learns to
separate its samples so that G's gradient fades ("switches off"), and it
comes back when G trains again.

Each method trains on `gan_zoo.datasets.rotated_gaussians` with the toy
recipe of `gan_zoo.recipes` (PGAN: MLP encoder, 2-D bottleneck, 5 encoder
steps per generator step; LSGAN: Adam 1e-3) for `--steps` generator steps:
`PGAN` with the mixture's variances floored at 0.1 (gan_zoo's default),
`PGAN floor 1e-6` with the paper's unfloored fit, and `LSGAN`.
First G is frozen at its initialisation (its optimizer's learning rate
set to 0) for `--frozen-steps` steps while D trains, then released; every
`--chunk` steps the tool records the mean norm over 2,000 generated points
of G's per-sample loss gradient with respect to the point, `||d 0.5 (D(x) -
1)^2 / dx||` (both methods' generator loss; D as it stands, inference mode).
Printed per method and seed: the gradient norm at the start, when the
freeze ends and at the end, and the arms covered (`arm_coverage`) at the
end. Written to `--out`: `runs.csv`, `gradients.csv`,
`table.md`, `landscape.png` (D over the plane at the end, first seed, with
real and generated points) and `gradient.png`.

    KERAS_BACKEND=jax python tools/reproduce/pgan_toy.py
"""

import argparse
import pathlib

import keras
import numpy as np

from gan_zoo import backend
from gan_zoo import datasets
from gan_zoo import plots
from gan_zoo.metrics import arm_coverage
from gan_zoo.models import LSGAN, PGAN
from gan_zoo.recipes import toy_players, toy_recipe

from common import spread, table_lines, write_outputs  # tools/reproduce/common.py

# name -> (class, the mixture's variance floor: None for gan_zoo's default,
# 0.1, or the paper's unfloored fit, 1e-6; None for LSGAN).
METHODS = {"PGAN": (PGAN, None), "PGAN floor 1e-6": (PGAN, 1e-6), "LSGAN": (LSGAN, None)}
EXTENT = (-3.0, 3.0, -3.0, 3.0)
RUN_COLUMNS = ("method", "seed", "arms", "on_arm_fraction", "outside_core_fraction",
               "gradient_start", "gradient_frozen_end", "gradient_end")


def gradient_norm(model, points):
    """Mean over points of `||d 0.5 (D(x) - 1)^2 / dx||`."""
    def loss(x):
        return 0.5 * keras.ops.square(model.discriminator(x, training=False) - 1.0)

    _, gradient = backend.outputs_and_input_gradient(loss, keras.ops.convert_to_tensor(points))
    return float(np.mean(np.linalg.norm(keras.ops.convert_to_numpy(gradient), axis=1)))


def landscape(model, size=121):
    """D over a `size` x `size` grid of `EXTENT`: rows along y."""
    x = np.linspace(EXTENT[0], EXTENT[1], size)
    y = np.linspace(EXTENT[2], EXTENT[3], size)
    grid = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2).astype("float32")
    values = keras.ops.convert_to_numpy(model.discriminator(grid, training=False))
    return values.reshape(size, size)


def train(name, seed, args):
    cls, variance_floor = METHODS[name]
    optimizers, kwargs = toy_recipe(cls)
    keras.utils.set_random_seed(seed)
    options = {} if variance_floor is None else {"variance_floor": variance_floor}
    model = cls(*toy_players(cls, discriminator_options=options), seed=seed, **kwargs)
    model.compile(**optimizers)
    batch = 256 * model.n_critic
    points = datasets.sample_rotated_gaussians(
        batch * (args.frozen_steps + args.steps), seed=seed).astype("float32")
    done, curve = 0, []

    def fit_and_record(steps, phase):
        nonlocal done
        model.fit(points[done * batch:(done + steps) * batch], batch_size=256,
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
    coverage = arm_coverage(fake)
    row = {
        "method": name, "seed": seed, "arms": coverage["arms_covered"],
        "on_arm_fraction": coverage["on_arm_fraction"],
        "outside_core_fraction": coverage["outside_core_fraction"],
        "gradient_start": curve[0][2],
        "gradient_frozen_end": curve[args.frozen_steps // args.chunk][2],
        "gradient_end": curve[-1][2],
    }
    return row, curve, (landscape(model), fake)


def table(rows, args):
    caption = (
        f"Rotated Gaussians (5 arms): G frozen at its initialisation for "
        f"{args.frozen_steps} steps (D alone trains), then {args.steps} generator steps; "
        f"seeds {args.seeds}, mean (min-max). Gradient: mean ||d L_G / d x|| over 2,000 "
        "generated points. Real samples: 5 arms, on-arm 0.996, 35% outside the core.")
    columns = ("method", "gradient at the start", "at the freeze's end", "end / start",
               "at the end", "arms", "on-arm", "outside the core")
    body = []
    for name in METHODS:
        runs = [r for r in rows if r["method"] == name]
        if runs:
            ratio = [r["gradient_frozen_end"] / max(r["gradient_start"], 1e-30) for r in runs]
            body.append([name, spread([r["gradient_start"] for r in runs], ".3g"),
                         spread([r["gradient_frozen_end"] for r in runs], ".3g"),
                         spread(ratio, ".3g")] + [spread([r[k] for r in runs], spec) for k, spec in (
                ("gradient_end", ".3g"), ("arms", ".1f"), ("on_arm_fraction", ".3f"),
                ("outside_core_fraction", ".2f"))])
    return table_lines(caption, columns, body)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    rows, curves, pictures = [], {}, {}
    for name in args.methods:
        for seed in args.seeds:
            row, curves[name, seed], picture = train(name, seed, args)
            pictures.setdefault(name, picture)
            rows.append(row)
            print(f"  {name:15s} seed {seed}: gradient {row['gradient_start']:.3g} -> "
                  f"{row['gradient_frozen_end']:.3g} (frozen) -> {row['gradient_end']:.3g}; "
                  f"{row['arms']} arms, on-arm {row['on_arm_fraction']:.3f}", flush=True)
    lines = table(rows, args)
    print("\n".join(lines))
    write_outputs(args.out, lines, runs=(RUN_COLUMNS, rows), gradients=(
        ("method", "seed", "step", "phase", "gradient_norm"),
        [(name, seed, *point) for (name, seed), curve in curves.items() for point in curve],
    ))
    real = datasets.sample_rotated_gaussians(2000, seed=1)
    backend_name = keras.backend.backend()
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
    print(f"wrote {args.out}/runs.csv, gradients.csv, table.md, landscape.png, gradient.png")
    return rows


if __name__ == "__main__":
    main()
