"""WGAN-GP vs FOGAN on character-level text: n-gram JSD after equal steps and
after equal wall time, measured side by side in one run.

Both train the same `CharCNNGenerator` / `CharCNNCritic` pair on lines of a
text corpus (default: the One Billion Word held-out shard under
`$GAN_ZOO_TEST_DATA/lm1b`), each with its paper's settings (WGAN-GP: 10
critic steps, Adam(1e-4, 0.5, 0.9); FOGAN: 1 critic step, Adam 3e-4 / 1e-4,
batch norm in G). A "step" is one generator update (with its critic
updates). Printed: 4- and 6-gram JSD of argmax-decoded samples against the
corpus lines, and the real-vs-real floor (two halves of the corpus).

    KERAS_BACKEND=jax python tools/compare_text.py --steps 500 --width 128

`--methods FOGAN --show 5` trains one method and prints five samples at each
evaluation: how long training takes to give readable lines.
"""

import argparse
import os
import pathlib
import time

import keras

from gan_zoo.datasets.text import Charmap, read_lines, text_dataset
from gan_zoo.metrics import ngram_jsd
from gan_zoo.models import FOGAN, WGANGP
from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator


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


def main():
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
    parser.add_argument("--methods", nargs="+", choices=["WGANGP", "FOGAN"],
                        default=["WGANGP", "FOGAN"])
    parser.add_argument("--show", type=int, default=0,
                        help="samples printed at each evaluation")
    args = parser.parse_args()

    lines = read_lines(args.corpus)
    charmap = Charmap.from_lines(lines, sequence_length=args.sequence_length)
    reference = [line[: args.sequence_length] for line in lines]
    half = len(reference) // 2
    print(f"{keras.backend.backend()} backend; {vars(args)}; {len(lines)} lines, "
          f"charmap of {len(charmap)}")
    print(f"floor (real vs real, two halves): 4-gram JSD "
          f"{ngram_jsd(reference[:half], reference[half:], 4):.3f}, 6-gram "
          f"{ngram_jsd(reference[:half], reference[half:], 6):.3f}")

    curves = {}
    for cls in (WGANGP, FOGAN):
        if cls.__name__ not in args.methods:
            continue
        keras.utils.set_random_seed(args.seed)
        model = build(cls, charmap, args)
        # One epoch = `eval_every` generator steps; WGAN-GP's step takes
        # n_critic real batches' worth of critic updates on one batch.
        data = text_dataset(lines, charmap, args.batch_size, args.sequence_length,
                            seed=args.seed).repeat()
        model.fit(data, steps_per_epoch=1, epochs=1, verbose=0)  # compile
        curve, elapsed = [(0, 0.0, *jsd(model, reference, args))], 0.0
        for step in range(args.eval_every, args.steps + 1, args.eval_every):
            start = time.perf_counter()
            model.fit(data, steps_per_epoch=args.eval_every, epochs=1, verbose=0)
            elapsed += time.perf_counter() - start
            curve.append((step, elapsed, *jsd(model, reference, args)))
            print(f"  step {step}: {elapsed:.0f} s, 4-gram JSD {curve[-1][2]:.3f}", flush=True)
        curves[cls.__name__] = curve
        print(f"{cls.__name__}: step, seconds, 4-gram JSD, 6-gram JSD")
        for step, seconds, j4, j6 in curve:
            print(f"  {step:6d} {seconds:8.1f} {j4:.3f} {j6:.3f}")

    if len(curves) < 2:
        return
    wgan, fogan = curves["WGANGP"], curves["FOGAN"]
    print(f"equal steps ({args.steps}): 4-gram JSD WGAN-GP {wgan[-1][2]:.3f} | "
          f"FOGAN {fogan[-1][2]:.3f}; 6-gram {wgan[-1][3]:.3f} | {fogan[-1][3]:.3f}")
    print(f"seconds per step: WGAN-GP {wgan[-1][1] / args.steps:.4f} | FOGAN "
          f"{fogan[-1][1] / args.steps:.4f} (ratio {wgan[-1][1] / fogan[-1][1]:.2f})")
    budget = min(wgan[-1][1], fogan[-1][1])
    at = {n: [p for p in c if p[1] <= budget + 1e-9][-1] for n, c in curves.items()}
    print(f"equal wall time ({budget:.0f} s): 4-gram JSD WGAN-GP "
          f"{at['WGANGP'][2]:.3f} (step {at['WGANGP'][0]}) | FOGAN "
          f"{at['FOGAN'][2]:.3f} (step {at['FOGAN'][0]})")

if __name__ == "__main__":
    main()
