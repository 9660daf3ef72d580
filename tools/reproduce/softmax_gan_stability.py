"""Softmax GAN against GAN with DCGAN's training tricks removed (Lin 2017).

The paper's claim (section 4): Softmax GAN trains stably where the standard
GAN needs DCGAN's tricks, i.e. with (a) no batch normalisation and a
constant number of filters in the generator, (b) ReLU in the discriminator
and data in [0, 1], and (c) discriminator-to-generator update ratios of
5:1 and 1:5 instead of 1:1.

Each setting trains both methods with the same DCGAN pair (the tricks on
unless the setting removes one), each with its paper's optimisers, on the
8x8 digits upsampled to `--image-size`, over `--seeds`. Each run is scored by
the shipped digits classifier on 2,000 samples: FID in its features against
the 1,797 real digits, the number of distinct classes among the samples, and
the share it recognises with p > 0.9 (collapse shows as few classes and a
high FID). The ring of 8 Gaussians adds mode coverage with the MLP pair and
the measured toy recipes. Printed: one row per setting and method, the mean
(min-max) over seeds. Written to `--out`: `runs.csv`, `table.md`, and for the
first seed a sample grid per setting and method (`samples/`).

    KERAS_BACKEND=jax python tools/reproduce/softmax_gan_stability.py

Every setting makes the same number of generator updates: ratio 5:1 makes
five times as many discriminator updates as 1:1, ratio 1:5 a fifth as many.
"""

import argparse
import pathlib
import time

import keras

from gan_zoo import datasets
from gan_zoo.images import save_image_grid
from gan_zoo.metrics import evaluate, mode_coverage
from gan_zoo.models import GAN, SoftmaxGAN
from gan_zoo.models.architectures import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from gan_zoo.recipes import TOY_HIDDEN_UNITS, TOY_LATENT_DIM, toy_recipe

from common import spread, write_outputs  # tools/reproduce/common.py

METHODS = {"GAN": GAN, "SoftmaxGAN": SoftmaxGAN}
# Setting -> (generator options, discriminator options, (D, G) updates per
# step, value range).
SETTINGS = {
    "dcgan (tricks on)": ({}, {}, (1, 1), (-1, 1)),
    "(a) G without batch norm, constant filters": (
        {"batch_norm": False, "constant_filters": True}, {}, (1, 1), (-1, 1)),
    "(b) ReLU in D, data in [0, 1]": (
        {"output_activation": "sigmoid"}, {"activation": "relu"}, (1, 1), (0, 1)),
    "(c1) 5 D updates per G update": ({}, {}, (5, 1), (-1, 1)),
    "(c2) 5 G updates per D update": ({}, {}, (1, 5), (-1, 1)),
}
COLUMNS = ("setting", "method", "seed", "fid", "distinct_classes", "confident_fraction",
           "seconds")


def train_digits(cls, setting, seed, args):
    """One run: the scores of `evaluate` and the model."""
    g_options, d_options, (n_critic, n_generator), value_range = SETTINGS[setting]
    keras.utils.set_random_seed(seed)
    model = cls(
        dcgan_generator(args.image_size, 1, latent_dim=args.latent_dim,
                        base_filters=args.base_filters, **g_options),
        dcgan_discriminator(args.image_size, 1, base_filters=args.base_filters, **d_options),
        n_critic=n_critic,
        n_generator=n_generator,
        seed=seed,
    )
    model.compile()
    data = datasets.digits(batch_size=64, image_size=args.image_size,
                           value_range=value_range, seed=seed).repeat()
    start = time.perf_counter()
    # Equal generator updates in every setting.
    steps = max(1, args.steps_per_epoch * args.epochs // n_generator)
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    real, _ = datasets.load_digit_images(args.image_size, value_range=value_range)
    scores = evaluate(model, real, metrics=["fid", "class_statistics"], extractor="digits",
                      num_samples=args.samples, seed=seed, value_range=value_range)
    return {**scores, "seconds": seconds}, model, value_range


def ring_coverage(cls, seed, steps):
    optimizers, kwargs = toy_recipe(cls)
    keras.utils.set_random_seed(seed)
    model = cls(mlp_generator(latent_dim=TOY_LATENT_DIM, hidden_units=TOY_HIDDEN_UNITS),
                mlp_discriminator(hidden_units=TOY_HIDDEN_UNITS), seed=seed, **kwargs)
    model.compile(**optimizers)
    model.fit(datasets.ring(batch_size=256, num_samples=256 * steps, seed=seed), verbose=0)
    coverage = mode_coverage(model.generate(2000, seed=1), datasets.ring_centers(), 0.05)
    return coverage["modes_covered"], coverage["high_quality_fraction"]


def table(rows, ring, args):
    lines = [
        f"Digits at {args.image_size}x{args.image_size}, "
        f"{args.epochs * args.steps_per_epoch} generator updates, seeds {args.seeds}; mean (min-max) over seeds, in the digits classifier's "
        f"features ({args.samples} samples; real digits: 10 classes).",
        "",
        "| setting | method | FID | distinct classes | share p > 0.9 |",
        "|---|---|---|---|---|",
    ]
    for setting in SETTINGS:
        for method in METHODS:
            runs = [r for r in rows if r["setting"] == setting and r["method"] == method]
            if runs:
                lines.append(
                    f"| {setting} | {method} | {spread([r['fid'] for r in runs], '.2f')} | "
                    f"{spread([r['distinct_classes'] for r in runs], '.0f')} | "
                    f"{spread([r['confident_fraction'] for r in runs], '.3f')} |"
                )
    if ring:
        lines += ["", f"Ring of 8 Gaussians, {args.ring_steps} steps of the toy recipes: "
                  "(modes covered, high-quality share) per seed.", ""]
        lines += [f"- {method}: " + ", ".join(f"({m}, {q:.2f})" for m, q in results)
                  for method, results in ring.items()]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--base-filters", type=int, default=16)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=30,
                        help="epochs per run (default 30: 840 generator steps)")
    parser.add_argument("--steps-per-epoch", type=int, default=1797 // 64,
                        help="generator steps per epoch (default 28: the 1,797 digits "
                        "in batches of 64)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--ring-steps", type=int, default=3000,
                        help="0 skips the ring (default 3000)")
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--out", type=pathlib.Path,
                        default=pathlib.Path("runs/reproduce/softmax_gan_stability"))
    args = parser.parse_args(argv)
    print(f"{keras.backend.backend()} backend; {vars(args)}")
    rows = []
    for setting in args.settings:
        for method, cls in METHODS.items():
            for seed in args.seeds:
                scores, model, value_range = train_digits(cls, setting, seed, args)
                rows.append({"setting": setting, "method": method, "seed": seed,
                             **{k: scores[k] for k in COLUMNS[3:]}})
                print(f"{setting} | {method} | seed {seed}: FID {scores['fid']:.2f}, "
                      f"{scores['distinct_classes']} classes, share "
                      f"{scores['confident_fraction']:.3f} ({scores['seconds']:.0f} s)",
                      flush=True)
                if seed == args.seeds[0]:
                    name = setting.split(" ")[0].strip("()")
                    save_image_grid(model.generate(64, seed=0),
                                    args.out / "samples" / f"{name}_{method}.png",
                                    value_range=value_range)
    ring = {}
    if args.ring_steps:
        ring = {method: [ring_coverage(cls, seed, args.ring_steps) for seed in args.seeds]
                for method, cls in METHODS.items()}
    lines = table(rows, ring, args)
    print("\n".join(lines))
    write_outputs(args.out, lines, runs=(COLUMNS, rows))
    print(f"wrote {args.out}/runs.csv, table.md, samples/")


if __name__ == "__main__":
    main()
