"""`bench.py step`: our training step against a hand-written reference.

For each method on its standard architecture, one backend per process
(`--backend`, or `--all`: one subprocess each), and each jit mode (`on`:
XLA on TensorFlow and JAX, `torch.compile` on torch; `off`: a `tf.function`
graph on TensorFlow, eager on JAX and torch), it times "ours" (the gan_zoo
model, trained with `fit`) and "ref" (`benchmarks.references`: the same
nets, built with the same seed, the same batch, optimizers and objective,
stepped as the keras-io examples step). Each side first runs `--warmup`
runs of one step (compilation included, reported apart; torch.compile
may compile again at the second), then `--repeats` runs of
`--steps` steps, alternating which side goes first; the best run counts.
A run is one `fit(steps_per_epoch=steps)` (the JAX reference: its loop over
the same batches), ended by reading the weights back to the host. Inputs are
fixed random batches, so the pipeline costs nearly nothing.

FLOPs per step come from XLA's cost analysis of the JAX reference step
(`jax.jit(step).lower(...).compile().cost_analysis()["flops"]`): measured
on JAX, and with `--all` reused for the other backends' rows (the maths is
the same); `n/a` on a lone TensorFlow or torch run. Achieved FLOP/s =
FLOPs per step x our steps/s.
"""

import collections
import os
import time

from benchmarks import common

JIT_MEANING = {
    "tensorflow": {"on": "XLA", "off": "tf.function"},
    "jax": {"on": "jax.jit (XLA)", "off": "eager"},
    "torch": {"on": "torch.compile", "off": "eager"},
}
# model: gan_zoo class; objective: of benchmarks.references; players:
# (kind, image size, channels, base filters, critic batch norm); steps:
# default timed steps (heavier methods fewer, so that `--all` stays short).
Method = collections.namedtuple("Method", "model objective players steps")
METHODS = {
    "dcgan28": Method("DCGAN", "dcgan", ("dcgan", 28, 1, 32, True), 20),
    "dcgan64": Method("DCGAN", "dcgan", ("dcgan", 64, 3, 64, True), 2),
    "wgan_gp": Method("WGANGP", "wgan_gp", ("dcgan", 28, 1, 32, False), 4),
    "softmax_gan": Method("SoftmaxGAN", "softmax", ("dcgan", 28, 1, 32, True), 20),
    "fogan": Method("FOGAN", "fogan", ("dcgan", 28, 1, 32, False), 10),
    "fogan_text": Method("FOGAN", "fogan", ("char_cnn", 32, None, 64, False), 10),
}
TEXT = "the quick brown fox jumps over the lazy dog, 0123456789!"


def add_arguments(p):
    p.add_argument("--methods", nargs="+", choices=sorted(METHODS), default=list(METHODS),
                   help="default: all")
    p.add_argument("--steps", type=int, help="timed steps per run (default: per method)")
    p.add_argument("--warmup", type=int, default=2,
                   help="untimed runs of one step first (default 2)")
    # 5, not fewer: on 2 CPU cores a run takes either its usual time or about
    # twice it (both sides, TensorFlow and torch), so best-of-2 ratios swung
    # from 0.5 to 2 between runs of one row.
    p.add_argument("--repeats", type=int, default=5, help="timed runs, best kept (default 5)")
    p.add_argument("--batch-size", type=int, default=64, help="per critic update (default 64)")
    p.add_argument("--jit", choices=("both", "off", "on"), default="both")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--max-row-seconds", type=float, default=45.0,
                   help="no further repeat once a row's timed runs took this long")
    p.add_argument("--peak-gflops", type=float,
                   help="the hardware's peak GFLOP/s: adds a '%% of peak' column")


def _players(method, args):
    import keras

    from gan_zoo.charmap import Charmap
    from gan_zoo.models import architectures as arch

    kind, size, channels, filters, critic_bn = method.players
    keras.utils.set_random_seed(args.seed)
    if kind == "char_cnn":
        charmap = Charmap.from_lines([TEXT], sequence_length=size)
        sizes = dict(sequence_length=size, width=filters, num_blocks=2)
        generator = arch.CharCNNGenerator(charmap, batch_norm=True, **sizes)
        return generator, arch.CharCNNCritic(len(charmap), **sizes)
    generator = arch.dcgan_generator(size, channels, base_filters=filters)
    critic = arch.dcgan_discriminator(size, channels, base_filters=filters,
                                      batch_norm=critic_bn)
    return generator, critic


def _datasets(generator, batch_size, n_critic):
    """Fixed random batches, as ours and the reference read them."""
    import numpy as np
    import tensorflow as tf

    shape = tuple(generator.output_shape[1:])
    rng = np.random.default_rng(0)
    count = 2 * n_critic * batch_size
    if generator.layers[-1].name == "softmax":  # one-hot characters
        x = np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], (count, shape[0]))]
    else:
        x = rng.uniform(-1, 1, (count,) + shape).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(x)
    ours = data.batch(batch_size, drop_remainder=True).repeat()
    ref = data.batch(n_critic * batch_size, drop_remainder=True).repeat()
    return ours, ref, x[: n_critic * batch_size]


def _factories(method, args, backend):
    """`{side: make(jit)}`: each a compiled model with fresh players."""
    from gan_zoo import models
    from benchmarks.references import reference_class

    cls = getattr(models, method.model)

    def ours(jit):
        model = cls(*_players(method, args), seed=args.seed)
        model.compile(*cls.default_optimizers(), jit_compile=jit)
        return model

    def ref(jit):
        generator, critic = _players(method, args)
        model = reference_class(backend)(
            generator, critic, method.objective, cls.default_n_critic,
            args.batch_size, args.seed,
        )
        model.compile(*cls.default_optimizers(), jit_compile=jit)
        return model

    return cls, {"ours": ours, "ref": ref}


def _runner(model, dataset):
    import keras

    def run(steps):
        if hasattr(model, "train_loop"):
            model.train_loop(dataset, steps)
        else:
            model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
        for player in (model.generator, model.discriminator):
            keras.ops.convert_to_numpy(player.trainable_variables[-1])

    return run


def bench_method(name, args, backend, emit):
    import keras

    method = METHODS[name]
    cls, factories = _factories(method, args, backend)
    ours_data, ref_data, first = _datasets(_players(method, args)[0], args.batch_size,
                                           cls.default_n_critic)
    flops = None
    if backend == "jax":
        try:
            flops = factories["ref"](False).flops(first)
        except Exception as exc:
            print(f"{name}: no FLOPs ({common.short_error(exc)})", flush=True)
    steps = args.steps or method.steps
    for mode in ("off", "on") if args.jit == "both" else (args.jit,):
        row = {"method": name, "backend": backend, "jit": mode,
               "jit_meaning": JIT_MEANING[backend][mode], "steps": steps,
               "images_per_step": cls.default_n_critic * args.batch_size,
               "flops": flops, "flops_from": "jax" if flops else None}
        if mode == "on" and backend == "torch" and cls.uses_input_gradients:
            row["skipped"] = "torch.compile cannot differentiate twice: eager, as the off row"
            emit(row)
            continue
        runners = {}
        # Both built before either runs: building seeds Keras's global RNG,
        # and on TensorFlow a new global seed makes `fit` trace again.
        for side, make in factories.items():
            try:
                data = ours_data if side == "ours" else ref_data
                runners[side] = _runner(make(mode == "on"), data)
            except Exception as exc:  # a benchmark reports, it does not stop
                row[f"{side}_error"] = common.short_error(exc)
        for side, run in list(runners.items()):
            try:
                t0 = time.perf_counter()
                for _ in range(args.warmup):
                    run(1)
                row[f"{side}_warmup_s"] = time.perf_counter() - t0
            except Exception as exc:
                row[f"{side}_error"] = common.short_error(exc)
                del runners[side]
        timed = common.time_runs(runners, steps, args.repeats, args.max_row_seconds)
        for side, result in timed.items():
            row.update({f"{side}_{k}": v for k, v in result.items()})
        row["loadavg_after"] = common.loadavg()
        emit(row)
    keras.backend.clear_session()  # the next method starts from an empty graph


def run_backend(args):
    import keras

    backend = keras.backend.backend()
    if backend != args.backend:
        raise RuntimeError(f"Keras loaded {backend!r}, not {args.backend!r}: set "
                           "KERAS_BACKEND before anything imports keras.")
    rows = []

    def emit(row):
        rows.append(row)
        if args.machine_readable:
            common.emit(row)
        else:
            print(f"  {row['method']} {row['backend']} jit {row['jit']} done", flush=True)

    for name in args.methods:
        bench_method(name, args, backend, emit)
    return rows


def _share_flops(rows):
    """FLOPs measured on JAX, copied to the other backends' rows of a method."""
    measured = {r["method"]: r["flops"] for r in rows if r.get("flops")}
    for r in rows:
        if not r.get("flops") and r["method"] in measured:
            r["flops"], r["flops_from"] = measured[r["method"]], "jax (reused)"


def _ratio_of(key):
    return lambda r: common.ratio(r.get(f"ours_{key}"), r.get(f"ref_{key}"))


def _pair(key, spec):
    return lambda r: "|".join(common.fmt(r.get(f"{side}_{key}"), spec) for side in ("ours", "ref"))


def print_rows(rows, args):
    def gflops(r):
        if r.get("flops") and r.get("ours_steps_per_s"):
            return r["flops"] * r["ours_steps_per_s"] / 1e9
        return None

    cols = [
        ("method", 11, lambda r: r["method"]),
        ("backend", 10, lambda r: r["backend"]),
        ("jit", 18, lambda r: f"{r['jit']} ({r['jit_meaning']})"),
        ("ours st/s", 9, lambda r: r.get("ours_steps_per_s")),
        ("ref st/s", 8, lambda r: r.get("ref_steps_per_s")),
        ("ours/ref", 8, _ratio_of("steps_per_s")),
        ("(median)", 8, _ratio_of("median_steps_per_s")),
        ("ours img/s", 10, lambda r: (r.get("ours_steps_per_s") or 0) * r["images_per_step"]),
        ("GFLOP/step", 10, lambda r: r["flops"] / 1e9 if r.get("flops") else None),
        ("ours GFLOP/s", 12, gflops),
    ]
    if args.peak_gflops:
        cols.append(("% peak", 6, lambda r: gflops(r) and 100 * gflops(r) / args.peak_gflops))
    table = [(name, width, _cell(fn)) for name, width, fn in cols]
    table.append(("spread o|r", 10, _pair("spread", ".2f")))
    table.append(("warm-up s o|r", 13, _pair("warmup_s", ".1f")))
    common.print_table(table, rows, left=3)
    print()
    print("st/s: training steps per second (n_critic critic updates + 1 generator "
          "update each), best of the alternating repeats; ours/ref > 1: ours is "
          "faster; (median): the same ratio from the median repeats.")
    print("img/s: real images a second (n_critic x batch x st/s). GFLOP/step: XLA cost "
          "analysis of the JAX reference step (same nets, batch and maths as ours; "
          "reused for TensorFlow and torch rows when measured in the same --all run); "
          "ours GFLOP/s = GFLOP/step x ours st/s.")
    print("spread: slowest / fastest repeat (far above 1: a busy machine); warm-up s: "
          "the untimed first steps, compilation included.")
    for r in rows:
        where = f"{r['method']} {r['backend']} jit {r['jit']}"
        if "skipped" in r:
            print(f"note: {where}: n/a, {r['skipped']}")
        for side in ("ours", "ref"):
            if f"{side}_error" in r:
                print(f"note: {where} {side}: n/a, {r[f'{side}_error']}")
    loads = [f"{r['backend']}/{r['method']}/{r['jit']} {r['loadavg_after']}"
             for r in rows if "loadavg_after" in r]
    print("load average after each row: " + "; ".join(loads))


def _cell(fn):
    def cell(row):
        value = fn(row)
        if not value or isinstance(value, str):
            return value or "n/a"
        return f"{value:.3g}" if value < 100 else f"{value:,.0f}"

    return cell


def main(args, argv):
    for line in common.machine_lines() if not args.machine_readable else []:
        print(line)
    if not args.machine_readable:
        print(f"settings: batch {args.batch_size}, {args.warmup} warm-up runs, steps "
              f"{args.steps or 'per method'}, best of {args.repeats}, seed {args.seed}")
    started = time.perf_counter()
    if args.all:
        rows, failures = common.run_backends("step", argv, common.BACKENDS, args.timeout)
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        rows, failures = run_backend(args), []
    if args.machine_readable:
        return rows
    _share_flops(rows)
    print()
    print_rows(rows, args)
    for failure in failures:
        print("failed: " + failure)
    print(f"total wall time: {time.perf_counter() - started:.0f} s")
    return rows
