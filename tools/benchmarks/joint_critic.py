"""`bench.py joint-critic`: the critic's gradient from one call on the
concatenated real + generated batch against two calls, side by side.

This is a benchmark, not a test: it prints numbers and asserts nothing.

The keras-io DCGAN example scores `concatenate([fake, real])` in one
discriminator call; gan_zoo's step makes two calls, `D(real)` and `D(fake)`.
For a critic without batch-dependent layers (WGAN-GP's, FOGAN's) both give
the same loss `mean D(fake) - mean D(real)`, so the one-call form would be a
free speed-up if it were faster. This measures whether it is: gradients of
that loss with respect to the critic's weights a second, per form, for the
DCGAN critic without batch norm at 28x28x1 (32 filters) and 64x64x3 (64
filters), on one backend (`--backend`) or each (`--all`), compiled as our
step is there (jax.jit and tf.function with XLA; torch eager, as torch runs
WGAN-GP's and FOGAN's step). Each form runs `--repeats` timed runs of
`--steps` gradients, alternating which goes first; the best run counts.

Usage:
    python tools/bench.py joint-critic --all
"""

from benchmarks import common

SIZES = {"28x28x1": (28, 1, 32), "64x64x3": (64, 3, 64)}
FORMS = ("two calls", "one call")


def add_arguments(p):
    p.add_argument("--batch-size", type=int, default=64, help="per batch (default 64)")
    p.add_argument("--steps", type=int, default=10, help="gradients per run (default 10)")
    p.add_argument("--repeats", type=int, default=7, help="timed runs (default 7)")


def _loss(critic, real, fake, form):
    from keras import ops

    if form == "two calls":
        return ops.mean(critic(fake)) - ops.mean(critic(real))
    n = real.shape[0]
    outputs = critic(ops.concatenate([real, fake], axis=0))
    return ops.mean(outputs[n:]) - ops.mean(outputs[:n])


def _gradient_fn(model, form):
    """`run()`: one gradient of the loss w.r.t. the weights, synced."""
    import keras

    backend = keras.backend.backend()
    weights = model.trainable_variables
    if backend == "jax":
        import jax

        def loss(values, real, fake):
            call = lambda x: model.stateless_call(values, [], x, training=True)[0]  # noqa: E731
            return _loss(call, real, fake, form)

        grad = jax.jit(jax.grad(loss))
        values = [v.value for v in weights]
        return lambda real, fake: jax.block_until_ready(grad(values, real, fake))
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(jit_compile=True)
        def grad(real, fake):
            with tf.GradientTape() as tape:
                value = _loss(lambda x: model(x, training=True), real, fake, form)
            return tape.gradient(value, [v.value for v in weights])

        return lambda real, fake: [g.numpy() for g in grad(real, fake)][-1]

    import torch

    def grad(real, fake):
        value = _loss(lambda x: model(x, training=True), real, fake, form)
        return torch.autograd.grad(value, [v.value for v in weights])[-1].cpu()

    return grad


def run_one(args):
    import keras
    import numpy as np

    from gan_zoo.models.architectures import dcgan_discriminator

    rows = []
    for name, (size, channels, filters) in SIZES.items():
        keras.utils.set_random_seed(0)
        critic = dcgan_discriminator(size, channels, base_filters=filters, batch_norm=False)
        rng = np.random.default_rng(0)
        real, fake = (
            keras.ops.convert_to_tensor(
                rng.uniform(-1, 1, (args.batch_size, size, size, channels)).astype("float32")
            )
            for _ in range(2)
        )
        runners = {}
        for form in FORMS:
            grad = _gradient_fn(critic, form)
            grad(real, fake)  # compiles

            def run(steps, grad=grad):
                for _ in range(steps):
                    grad(real, fake)

            runners[form] = run
        timed = common.time_runs(runners, args.steps, args.repeats, max_seconds=120)
        row = {"backend": args.backend, "critic": name}
        for form, result in timed.items():
            row[form] = result.get("steps_per_s")
            row[f"{form} spread"] = result.get("spread")
        rows.append(row)
    return rows


def main(args, argv):
    if args.backend:
        rows = run_one(args)
        if args.machine_readable:
            for row in rows:
                common.emit(row)
            return rows
        failures = []
    else:
        rows, failures = common.run_backends("joint-critic", argv, common.BACKENDS, args.timeout)
    print(f"critic gradients a second, batch {args.batch_size} real + "
          f"{args.batch_size} generated, best of {args.repeats} runs of {args.steps}")
    columns = [
        ("backend", 10, lambda r: r["backend"]),
        ("critic", 8, lambda r: r["critic"]),
        ("two calls", 9, lambda r: common.fmt(r["two calls"], ".1f")),
        ("one call", 9, lambda r: common.fmt(r["one call"], ".1f")),
        ("one/two", 7, lambda r: common.fmt(common.ratio(r["one call"], r["two calls"]), ".2f")),
        ("spread 2|1", 10, lambda r: common.fmt(r["two calls spread"], ".2f") + "|"
         + common.fmt(r["one call spread"], ".2f")),
    ]
    common.print_table(columns, rows, left=2)
    for failure in failures:
        print("failed: " + failure)
    return rows
