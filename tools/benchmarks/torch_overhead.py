"""`bench.py torch-overhead`: the CharCNN residual blocks' `ScaledAdd`
against the former `Rescaling` + `Add`, per backend, side by side in one run.

This is a benchmark, not a test: it prints numbers (and whether both forms
end with identical weights) and asserts nothing.

`CharCNNGenerator` / `CharCNNCritic` end each residual block with
`ScaledAdd(0.3)(x, r)` = `x + 0.3 * r`. They used `Add()([x,
Rescaling(0.3)(r)])`, which computes the same, in two layer calls; on torch,
which runs the step eagerly (always for WGAN-GP and FOGAN: torch.compile
cannot differentiate twice), every layer call costs Keras's Python overhead at
every step, and `Rescaling` (a data layer) several times a plain layer's. On
JAX and TensorFlow the step is compiled with XLA, so the form should not
matter there.

For one backend (`--backend`, or `--all`: one subprocess each, since Keras
reads `KERAS_BACKEND` once) it builds, per method (FOGAN: 1 critic update,
batch norm in G; WGAN-GP: 10 critic updates; the settings of
`tools/reproduce/fogan_text.py`), the pair in both forms with the same weights,
trains each `--warmup` steps, then times `--repeats` runs of `--steps` steps
(one `fit` call each, ended by reading the weights back), alternating which
form goes first. Printed: median seconds per step of each form, their ratio
(former / current: > 1 means the current form is faster) and the spread
(slowest / fastest run, of both forms), and whether both forms' weights are
identical after the same training.

On torch, `--torch-threads N` sets `torch.set_num_threads(N)`. On a shared
machine, torch's OpenMP threads busy-wait for each other at every op: with 2
threads on 2 cores and one other busy process a step can take 10x longer, so
compare ratios from one run, and prefer `--torch-threads 1` there.

Usage:
    python tools/bench.py torch-overhead --all
    python tools/bench.py torch-overhead --backend torch --torch-threads 1
"""

import os
import statistics
import time

from benchmarks import common

METHODS = ("FOGAN", "WGANGP")
FORMS = ("rescaling+add", "scaled_add")


def add_arguments(p):
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--steps", type=int, default=5, help="steps per timed run (default 5)")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per form (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--sequence-length", type=int, default=32)
    p.add_argument("--torch-threads", type=int, default=None)


def _rescaling_then_add(scale, name):
    """The former ending of the blocks, in place of `char_cnn.ScaledAdd`."""
    import keras

    return lambda x, r: keras.layers.Add(name=name)(
        [x, keras.layers.Rescaling(scale, name=f"{name}_scale")(r)]
    )


def _build(method, form, charmap, args, weights=None):
    from gan_zoo.models import FOGAN, WGANGP
    from gan_zoo.models.architectures import CharCNNCritic, CharCNNGenerator, char_cnn

    cls = {"FOGAN": FOGAN, "WGANGP": WGANGP}[method]
    current = char_cnn.ScaledAdd
    if form == "rescaling+add":
        char_cnn.ScaledAdd = _rescaling_then_add
    try:
        sizes = dict(
            sequence_length=args.sequence_length, width=args.width,
            num_blocks=args.blocks,
        )
        generator = CharCNNGenerator(charmap, batch_norm=cls is FOGAN, **sizes)
        critic = CharCNNCritic(len(charmap), **sizes)
    finally:
        char_cnn.ScaledAdd = current
    if weights is not None:
        generator.set_weights(weights[0])
        critic.set_weights(weights[1])
    model = cls(generator, critic, n_critic=1 if cls is FOGAN else 10, seed=0)
    model.compile()
    return model


def bench_backend(args):
    os.environ["KERAS_BACKEND"] = args.backend
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_zoo.datasets.text import Charmap

    if args.backend == "torch" and args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    threads = ""
    if args.backend == "torch":
        import torch

        threads = f", torch threads {torch.get_num_threads()}"
    keras.utils.set_random_seed(0)
    charmap = Charmap.from_lines(
        ["the quick brown fox jumps over the lazy dog, 0123456789!"],
        sequence_length=args.sequence_length,
    )
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(charmap), (args.batch_size, args.sequence_length))
    real = np.eye(len(charmap), dtype="float32")[ids]
    data = tf.data.Dataset.from_tensors(real).repeat()
    print(f"{args.backend}: batch {args.batch_size}, width {args.width}, "
          f"{args.blocks} blocks, L {args.sequence_length}{threads}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)

    for method in args.methods:
        models = {}
        for form in FORMS:
            weights = None
            if models:
                first = next(iter(models.values()))
                weights = (first.generator.get_weights(),
                           first.discriminator.get_weights())
            models[form] = _build(method, form, charmap, args, weights)
        for model in models.values():
            model.fit(data, steps_per_epoch=args.warmup, epochs=1, verbose=0)
        times = {form: [] for form in FORMS}
        for r in range(args.repeats):
            order = FORMS if r % 2 == 0 else FORMS[::-1]
            for form in order:
                model = models[form]
                start = time.perf_counter()
                model.fit(data, steps_per_epoch=args.steps, epochs=1, verbose=0)
                model.generator.get_weights()
                times[form].append((time.perf_counter() - start) / args.steps)
        weights = [m.get_weights() for m in models.values()]
        identical = all(np.array_equal(a, b) for a, b in zip(*weights))
        old, new = (statistics.median(times[f]) for f in FORMS)
        all_times = times[FORMS[0]] + times[FORMS[1]]
        row = (f"{args.backend:10s} {method:7s} {old:9.4f} {new:9.4f} "
               f"{old / new:6.2f} {max(all_times) / min(all_times):6.1f}  {identical}")
        if args.machine_readable:
            common.emit(row)
        else:
            print(row, flush=True)


HEADER = ("backend    method  former s  current s  ratio spread  identical weights\n"
          "                   (median s/step)      (former/current)")


def main(args, argv):
    if not args.all:
        print(HEADER)
        bench_backend(args)
        return
    rows, failures = common.run_backends("torch-overhead", argv, common.BACKENDS, args.timeout)
    print(HEADER)
    print("\n".join(rows + [f"failed: {f}" for f in failures]))
