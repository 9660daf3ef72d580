"""FOGAN vs WGAN-GP on character-level text (Seward et al. 2018, section 6).

The paper's claim: on the One Billion Word benchmark the First Order GAN
reaches a lower n-gram Jensen-Shannon divergence than WGAN-GP ("a new state
of the art"), with one critic step per generator step against WGAN-GP's ten.

Both train the same `CharCNNGenerator` / `CharCNNCritic` pair on lines of a
text corpus (default: the One Billion Word held-out shard under
`$GAN_ZOO_TEST_DATA/lm1b`), each with its paper's settings (WGAN-GP: 10
critic steps, Adam(1e-4, 0.5, 0.9); FOGAN: 1 critic step, Adam 3e-4 / 1e-4,
batch norm in G). A "step" is one generator update with its critic updates.
Every `--eval-every` steps: the 4- and 6-gram JSD of argmax-decoded samples
against the corpus lines, and the training seconds so far. Printed: the
curves, the real-vs-real floor (two halves of the corpus), both methods at
equal steps and at equal wall time, and the seconds per step. Written to
`--out`: `curves.csv`, `table.md` and `jsd.png` (JSD against steps and
against seconds), and each trained model as a preset folder
(`--out/FOGAN`, `--out/WGANGP`: `GAN.from_preset` loads it).

    KERAS_BACKEND=jax python tools/reproduce/fogan_text.py --steps 1000 --eval-every 250 --width 64 --blocks 2

`--methods FOGAN --show 5` trains one method and prints five samples at each
evaluation: how long training takes to give readable lines. `--preset NAME`
trains nothing: it scores a saved model (a registered name such as
`fogan_lm1b` or a preset folder) as the curves score theirs.
"""

import argparse
import os
import pathlib
import time

import keras

from gan_zoo import plots
from gan_zoo.datasets.text import Charmap, read_lines, text_dataset
from gan_zoo.metrics import ngram_jsd
from gan_zoo.models import FOGAN, GAN, WGANGP
from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator

from common import curve_rows, recipe, write_outputs  # tools/reproduce/common.py

METHODS = {"WGANGP": WGANGP, "FOGAN": FOGAN}
COLUMNS = ("method", "step", "seconds", "jsd4", "jsd6")


def build(cls, charmap, args):
    generator = CharCNNGenerator(
        charmap,
        sequence_length=args.sequence_length,
        width=args.width,
        num_blocks=args.blocks,
        batch_norm=cls is FOGAN,
    )
    critic = CharCNNCritic(
        len(charmap), sequence_length=args.sequence_length, width=args.width,
        num_blocks=args.blocks,
    )
    # The text settings of the papers: WGAN-GP 10 critic steps, FOGAN 1.
    n_critic = 10 if cls is WGANGP else 1
    model = cls(generator, critic, n_critic=n_critic, seed=args.seed)
    model.compile()
    return model


def jsd(model, reference, args):
    lines = model.generate_text(args.samples, seed=1)
    for line in lines[: args.show]:
        print(f"    | {line}")
    return ngram_jsd(lines, reference, 4), ngram_jsd(lines, reference, 6)


def train(cls, lines, charmap, reference, args):
    """`[(step, seconds, jsd4, jsd6)]` from step 0 to `args.steps`; the
    trained model is saved as a preset in `args.out / cls.__name__`."""
    keras.utils.set_random_seed(args.seed)
    model = build(cls, charmap, args)
    data = text_dataset(lines, charmap, args.batch_size, args.sequence_length,
                        seed=args.seed).repeat()
    model.fit(data, steps_per_epoch=1, epochs=1, verbose=0)  # compile, untimed
    curve, elapsed = [(0, 0.0, *jsd(model, reference, args))], 0.0
    for step in range(args.eval_every, args.steps + 1, args.eval_every):
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=args.eval_every, epochs=1, verbose=0)
        elapsed += time.perf_counter() - start
        curve.append((step, elapsed, *jsd(model, reference, args)))
        print(f"  {cls.__name__} step {step}: {elapsed:.0f} s, 4-gram JSD "
              f"{curve[-1][2]:.3f}", flush=True)
    model.save_to_preset(args.out / cls.__name__, metadata={
        "dataset": "lm1b",
        "recipe": recipe("fogan_text.py", args),
        "generator_steps": args.steps - args.steps % args.eval_every,
        "metrics": {"ngram_jsd_4": curve[-1][2], "ngram_jsd_6": curve[-1][3]},
    })
    return curve


def summary(curves, steps, floor):
    """The table's lines (markdown): last point, per-step cost and equal
    wall time for each method, and the floor."""
    lines = ["| | " + " | ".join(curves) + " |", "|---" * (len(curves) + 1) + "|"]
    row = lambda name, cells: lines.append(f"| {name} | " + " | ".join(cells) + " |")  # noqa: E731
    row(f"4-gram JSD after {steps} steps", [f"{c[-1][2]:.3f}" for c in curves.values()])
    row(f"6-gram JSD after {steps} steps", [f"{c[-1][3]:.3f}" for c in curves.values()])
    row("seconds per generator step", [f"{c[-1][1] / steps:.4f}" for c in curves.values()])
    budget = min(c[-1][1] for c in curves.values())
    at = {n: [p for p in c if p[1] <= budget + 1e-9][-1] for n, c in curves.items()}
    row(f"4-gram JSD at equal wall time ({budget:.0f} s)",
        [f"{p[2]:.3f} (step {p[0]})" for p in at.values()])
    lines.append("")
    lines.append(f"Real-vs-real floor (two halves of the corpus): 4-gram {floor[0]:.3f}, "
                 f"6-gram {floor[1]:.3f}.")
    return lines


def plot(out, curves, floor):
    series = lambda x: {n: ([p[x] for p in c], [p[2] for p in c]) for n, c in curves.items()}  # noqa: E731
    plots.curves(
        [
            {"xlabel": "generator steps", "ylabel": "4-gram JSD", "series": series(0), "floor": floor[0]},
            {"xlabel": "training seconds", "ylabel": "4-gram JSD", "series": series(1), "floor": floor[0]},
        ],
        out / "jsd.png",
        title=f"FOGAN vs WGAN-GP, character-level text ({keras.backend.backend()})",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = pathlib.Path(os.environ.get("GAN_ZOO_TEST_DATA", ".")) / "lm1b"
    parser.add_argument("--corpus", default=str(default_corpus))
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--sequence-length", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--samples", type=int, default=640)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--show", type=int, default=0,
                        help="samples printed at each evaluation")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/reproduce/fogan_text"),
                        help="folder for curves.csv, table.md and jsd.png")
    parser.add_argument("--preset", help="score this preset instead of training")
    args = parser.parse_args(argv)
    if args.steps < args.eval_every or args.eval_every < 1:
        parser.error("--eval-every must be >= 1 and at most --steps")

    lines = read_lines(args.corpus)
    charmap = Charmap.from_lines(lines, sequence_length=args.sequence_length)
    reference = [line[: args.sequence_length] for line in lines]
    half = len(reference) // 2
    floor = (ngram_jsd(reference[:half], reference[half:], 4),
             ngram_jsd(reference[:half], reference[half:], 6))
    print(f"{keras.backend.backend()} backend; {vars(args)}; {len(lines)} lines, "
          f"charmap of {len(charmap)}")
    print(f"floor (real vs real, two halves): 4-gram JSD {floor[0]:.3f}, 6-gram {floor[1]:.3f}")
    if args.preset:
        scores = jsd(GAN.from_preset(args.preset), reference, args)
        print(f"{args.preset}: 4-gram JSD {scores[0]:.4f}, 6-gram JSD {scores[1]:.4f} "
              f"({args.samples} samples, seed 1)")
        return scores

    curves = {name: train(METHODS[name], lines, charmap, reference, args)
              for name in METHODS if name in args.methods}
    for name, curve in curves.items():
        print(f"{name}: step, seconds, 4-gram JSD, 6-gram JSD")
        for step, seconds, j4, j6 in curve:
            print(f"  {step:6d} {seconds:8.1f} {j4:.3f} {j6:.3f}")
    steps = args.steps - args.steps % args.eval_every
    table = summary(curves, steps, floor)
    print("\n".join(table))
    write_outputs(args.out, table, curves=(COLUMNS, curve_rows(curves)))
    plot(args.out, curves, floor)
    print(f"wrote {args.out}/curves.csv, table.md, jsd.png")


if __name__ == "__main__":
    main()
