"""Minibatch discrimination, one-sided label smoothing and historical
averaging against collapse and instability (Salimans et al. 2016, sections
3.2-3.4).

The paper's claims: minibatch discrimination lets D see a whole batch, so a
generator that collapses onto one point is caught (section 3.2, "generates
visually appealing samples very quickly"); one-sided label smoothing
(section 3.4) and historical averaging (section 3.3) stabilise the game
("able to find equilibria of low-dimensional, continuous non-convex games").

Each variant trains `ImprovedGAN` on the ring of 8 Gaussians in a
collapse-prone setting (G: MLP 8-128-128-2; D: one ReLU layer of 128; Adam
1e-3, beta_1 0.5 for both; batch 64), from the same seeds and data:
`baseline`, `minibatch` (5 kernels of dimension 3 before D's output),
`smoothing` (D's real target 0.9), `averaging` (both players' historical
averaging, weight `--averaging-weight`) and `all` three. Every `--chunk`
steps it records the mean losses of the chunk; every `--eval-every` steps
the modes covered by 2,000 samples (`gan_zoo.metrics.mode_coverage`: a mode
counts when 1% of a perfect generator's share lies within 3 standard
deviations of it). Stability: the standard deviation of
the chunk losses over the second half of training. Printed: one row per
variant, mean (min-max) over seeds. Written to `--out`: `runs.csv`,
`curves.csv`, `table.md` and `modes.png`.

    KERAS_BACKEND=jax python tools/reproduce/improved_gan_techniques.py
"""

import argparse
import pathlib
import time

import keras
import numpy as np

from gan_zoo import datasets
from gan_zoo import plots
from gan_zoo.metrics import mode_coverage
from gan_zoo.models import ImprovedGAN
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

from common import spread, table_lines, write_outputs  # tools/reproduce/common.py

STD = 0.05
VARIANTS = ("baseline", "minibatch", "smoothing", "averaging", "all")
RUN_COLUMNS = ("variant", "seed", "modes", "high_quality_fraction", "mean_modes",
               "d_loss_std", "g_loss_std", "seconds")


def build(variant, seed, args):
    on = lambda technique: variant in (technique, "all")  # noqa: E731
    averaging = args.averaging_weight if on("averaging") else 0.0
    keras.utils.set_random_seed(seed)
    model = ImprovedGAN(
        mlp_generator(latent_dim=8, hidden_units=(128, 128)),
        mlp_discriminator(hidden_units=(128,), activation="relu",
                          minibatch_kernels=5 if on("minibatch") else 0,
                          minibatch_kernel_dim=3),
        label_smoothing=0.1 if on("smoothing") else 0.0,
        d_historical_averaging=averaging,
        g_historical_averaging=averaging,
        seed=seed,
    )
    model.compile(keras.optimizers.Adam(1e-3, beta_1=0.5),
                  keras.optimizers.Adam(1e-3, beta_1=0.5))
    return model


def train(variant, seed, args):
    """One run: its row of `RUN_COLUMNS` and `[(step, modes)]`."""
    model = build(variant, seed, args)
    points = datasets.sample_ring(64 * args.steps, std=STD, seed=seed).astype("float32")
    losses, curve, seconds = [], [], 0.0
    for step in range(args.chunk, args.steps + 1, args.chunk):
        start = time.perf_counter()
        history = model.fit(points[(step - args.chunk) * 64: step * 64], batch_size=64,
                            epochs=1, shuffle=False, verbose=0).history
        seconds += time.perf_counter() - start
        losses.append((history["d_loss"][-1], history["g_loss"][-1]))
        if step % args.eval_every == 0:
            coverage = mode_coverage(model.generate(2000, seed=1), datasets.ring_centers(), STD)
            curve.append((step, int(coverage["modes_covered"])))
    late = np.asarray(losses[len(losses) // 2:], dtype="float64")
    row = {
        "variant": variant, "seed": seed, "modes": curve[-1][1],
        "high_quality_fraction": float(coverage["high_quality_fraction"]),
        "mean_modes": float(np.mean([m for _, m in curve])),
        "d_loss_std": float(late[:, 0].std()), "g_loss_std": float(late[:, 1].std()),
        "seconds": seconds,
    }
    return row, curve


def table(rows, args):
    caption = (
        f"Ring of 8 Gaussians, {args.steps} steps, seeds {args.seeds}; mean (min-max) over "
        f"seeds. Modes of 8 at the end and averaged over the {args.steps // args.eval_every} "
        f"evaluations; loss standard deviation over the second half (means of "
        f"{args.chunk}-step chunks).")
    columns = ("variant", "modes at the end", "modes, mean over training",
               "high-quality share", "std of D's loss", "std of G's loss")
    body = []
    for variant in VARIANTS:
        runs = [r for r in rows if r["variant"] == variant]
        if runs:
            body.append([variant] + [spread([r[k] for r in runs], spec) for k, spec in (
                ("modes", ".1f"), ("mean_modes", ".1f"), ("high_quality_fraction", ".2f"),
                ("d_loss_std", ".3f"), ("g_loss_std", ".3f"))])
    return table_lines(caption, columns, body)


def plot(out, curves):
    series = {}
    for variant in VARIANTS:
        runs = [curve for (v, _), curve in curves.items() if v == variant]
        if runs:
            series[variant] = ([s for s, _ in runs[0]],
                               list(np.mean([[m for _, m in c] for c in runs], axis=0)))
    plots.curves([{"xlabel": "steps", "ylabel": "modes covered (mean over seeds)",
                   "series": series}], out / "modes.png",
                 title=f"Improved-GAN techniques on the ring ({keras.backend.backend()})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=20, help="steps per loss record")
    parser.add_argument("--eval-every", type=int, default=200)
    parser.add_argument("--averaging-weight", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--out", type=pathlib.Path,
                        default=pathlib.Path("runs/reproduce/improved_gan_techniques"),
                        help="folder for runs.csv, curves.csv, table.md and modes.png")
    args = parser.parse_args(argv)
    if args.steps % args.eval_every or args.eval_every % args.chunk:
        parser.error("--steps must be a multiple of --eval-every, and that of --chunk")
    print(f"{keras.backend.backend()} backend; {vars(args)}")
    rows, curves = [], {}
    for variant in args.variants:
        for seed in args.seeds:
            row, curves[variant, seed] = train(variant, seed, args)
            rows.append(row)
            print(f"  {variant:10s} seed {seed}: {row['modes']} modes "
                  f"(mean {row['mean_modes']:.1f}), loss std D {row['d_loss_std']:.3f} "
                  f"G {row['g_loss_std']:.3f} ({row['seconds']:.0f} s)", flush=True)
    lines = table(rows, args)
    print("\n".join(lines))
    write_outputs(args.out, lines, runs=(RUN_COLUMNS, rows), curves=(
        ("variant", "seed", "step", "modes"),
        [(variant, seed, *point) for (variant, seed), curve in curves.items() for point in curve],
    ))
    plot(args.out, curves)
    print(f"wrote {args.out}/runs.csv, curves.csv, table.md, modes.png")
    return rows


if __name__ == "__main__":
    main()
