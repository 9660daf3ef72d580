"""Benchmark: steps/s of gan_zoo's `DCGAN` against a Keras-examples reference.

This is a benchmark, not a test: it prints numbers and asserts nothing.

For one backend (`--backend jax|tensorflow|torch`, one backend per process,
because Keras reads `KERAS_BACKEND` when it is first imported) it trains, on
28x28 digits (`gan_zoo.datasets.digits`), two DCGANs made of the same
generator and discriminator (`dcgan_generator` / `dcgan_discriminator`, built
with the same seed, so with the same initial weights), the same batch size,
optimisers (Adam(2e-4, beta_1=0.5) for each player) and sigmoid cross-entropy
losses on logits:

- "ours": `gan_zoo.models.DCGAN`, trained with `fit`;
- "ref": a `keras.Model` subclass written the way the Keras examples write a
  DCGAN (keras-io "DCGAN overriding `train_step`"): `compile(d_optimizer,
  g_optimizer, loss_fn)` and a `train_step` that generates fakes, trains D on
  the concatenated real + fake batch with labels 1/0, then trains G through D
  with labels 1. Per backend, the step is written as Keras's guides write it:
    * tensorflow: `tf.GradientTape` + `optimizer.apply_gradients`, run by `fit`;
    * torch: `zero_grad()` / `loss.backward()` / `optimizer.apply`, run by `fit`;
    * jax: `stateless_call` + `jax.value_and_grad` + `optimizer.stateless_apply`
      in a pure step function threading both optimizers' variables. Keras's JAX
      `fit` threads only `self.optimizer.variables` through the step, so a
      two-optimizer model cannot keep its second optimizer's state there; the
      JAX reference is therefore an explicit training loop over the same
      batches (the Keras guide "Writing a training loop from scratch in JAX"),
      `jax.jit`-compiled when the jit mode is on, which writes the final state
      back into the Keras variables at the end, as `fit` does.

Differences of the reference from the keras-io example, all made so that the
two sides do the same work: models are called with `training=True` (our
builders use batch norm; the keras-io models have none), the label-noise
trick is left out (our DCGAN has none), and in torch the fakes of the
discriminator's step are generated under `torch.no_grad()` (the guide
back-propagates D's loss into G's weights too and discards the gradient). The
concatenated real + fake batch (one D call of 2B samples instead of two of B)
is the example's and is kept; note that it changes what batch norm sees.

For each jit mode (`on`: XLA on tensorflow and jax, `torch.compile` on torch;
`off`: a `tf.function` graph on tensorflow, eager on jax and torch), each
model first runs `--warmup` steps (compilation happens there and is reported
separately), then `--steps` steps are timed, `--repeats` times (fewer once a
row's timed runs pass `--max-row-seconds`), alternating which of ours and ref
goes first. The best repeat counts; the ratio of the median repeats and the
spread (slowest / fastest repeat) are printed too, since on a shared machine
single runs vary by 2x and more. The timed part is one
`fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)` call (or, for the JAX
reference, the explicit loop over `steps` batches of the same dataset), ended
by reading the weights back to the host.

`--model fogan` times the First Order GAN's step instead (one critic update
and one generator update, the paper's setting; DCGAN players, the critic
without batch norm as FOGAN's recipes build it; the paper's Adam
optimisers) in two forms that differ only in the critic's loss:

- "shared" (`gan_zoo.models.FOGAN` as it is): the critic's outputs on the
  perturbed points come out of the pass that takes its input gradient,
  `backend.outputs_and_input_gradient`;
- "two-pass" (the form before): the same loss with those outputs from a call
  of their own, `critic(perturbed)`, next to the input-gradient pass, so the
  critic runs forward (and back, for the weights' gradient) once more on the
  perturbed batch.

It prints seconds per step of both and their ratio. torch runs the FOGAN step
eagerly whatever `--jit` says (torch.compile cannot differentiate twice), so
only its `off` row is run.

Usage:
    python tools/bench_step.py --backend jax
    python tools/bench_step.py --all            # one subprocess per backend
    python tools/bench_step.py --all --model fogan
"""

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
JIT_MODES = ("off", "on")
ROW_TAG = "BENCH_ROW "
INFO_TAG = "BENCH_INFO "
JIT_MEANING = {
    "tensorflow": {"on": "XLA", "off": "tf.function graph"},
    "jax": {"on": "jax.jit (XLA)", "off": "eager"},
    "torch": {"on": "torch.compile", "off": "eager"},
}
REF_STYLE = {
    "tensorflow": "fit + tf.GradientTape",
    "torch": "fit + zero_grad/backward/apply",
    "jax": "explicit loop: stateless_call + value_and_grad + stateless_apply",
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--backend", choices=BACKENDS, help="run one backend here")
    which.add_argument(
        "--all", action="store_true", help="run every backend, one subprocess each"
    )
    p.add_argument(
        "--model",
        choices=("dcgan", "fogan"),
        default="dcgan",
        help="dcgan: ours against the Keras-examples reference (default); "
        "fogan: FOGAN's step, shared critic pass against two passes",
    )
    p.add_argument("--steps", type=int, default=30, help="timed steps (default 30)")
    p.add_argument(
        "--warmup", type=int, default=3, help="untimed steps first (default 3)"
    )
    p.add_argument(
        "--repeats", type=int, default=3, help="timed repeats, best kept (default 3)"
    )
    p.add_argument("--batch-size", type=int, default=64, help="default 64")
    p.add_argument(
        "--base-filters", type=int, default=32, help="DCGAN width (default 32)"
    )
    p.add_argument("--latent-dim", type=int, default=100, help="default 100")
    p.add_argument(
        "--jit", choices=("both",) + JIT_MODES, default="both", help="default both"
    )
    p.add_argument("--seed", type=int, default=1337, help="default 1337")
    p.add_argument(
        "--max-row-seconds",
        type=float,
        default=60.0,
        help="start no further repeat once a row's timed runs took this long "
        "(default 60)",
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=600,
        help="--all: seconds allowed per backend subprocess (default 600)",
    )
    p.add_argument(
        "--machine-readable",
        action="store_true",
        help=argparse.SUPPRESS,  # used by --all to collect the children's rows
    )
    args = p.parse_args(argv)
    for name in ("steps", "warmup", "repeats", "batch_size", "base_filters"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    return args


# Machine information.


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def _versions(backend_name):
    """Versions of keras and the backend (imports keras: call after choosing)."""
    import keras
    import numpy as np

    versions = {"keras": keras.__version__, "numpy": np.__version__}
    import tensorflow as tf  # tf.data feeds fit on every backend

    versions["tensorflow"] = tf.__version__
    if backend_name == "jax":
        import jax
        import jaxlib

        versions["jax"] = jax.__version__
        versions["jaxlib"] = jaxlib.__version__
        versions["jax devices"] = ",".join(str(d) for d in jax.devices())
    if backend_name == "torch":
        import torch

        versions["torch"] = torch.__version__
        versions["torch threads"] = torch.get_num_threads()
    return versions


def _loadavg():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _installed_versions():
    from importlib import metadata

    found = []
    for name in ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def machine_lines():
    return [
        f"python {platform.python_version()} on {platform.platform()}",
        f"installed: {_installed_versions()}",
        f"CPU: {_cpu_model()}; os.cpu_count()={os.cpu_count()}, "
        f"usable (affinity)={_usable_cpus()}; load average now {_loadavg()} "
        "(other processes share these cores when it exceeds 0)",
    ] + _busy_warning()


def _busy_warning():
    try:
        load = os.getloadavg()[0]
    except OSError:
        return []
    cpus = _usable_cpus() or 1
    if load < 0.5 * cpus:
        return []
    return [
        f"WARNING: the machine is busy (1-min load {load:.1f} on {cpus} CPUs): "
        "expect noisy ratios; torch's OpenMP threads slow down by up to 10-50x "
        "when other processes take their cores."
    ]


def command_line():
    return shlex.join([sys.executable] + sys.argv)


# The reference DCGAN, one class per backend, written as the Keras guides do.


def reference_class(backend_name):
    import keras
    from keras import ops

    class ReferenceDCGAN(keras.Model):
        """keras-io's "DCGAN overriding train_step", on our architecture."""

        def __init__(self, discriminator, generator, latent_dim, seed):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed = seed
            self.seed_generator = keras.random.SeedGenerator(seed)
            # Both players are built; nothing is left for fit to build.
            self.built = True

        def compile(self, d_optimizer, g_optimizer, loss_fn, jit_compile=False):
            super().compile(jit_compile=jit_compile)
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")
            # Built here rather than on the first apply, so that no variable
            # is created inside a compiled function (XLA, torch.compile).
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def _labels(self, batch_size):
            # Real 1, fake 0 (keras-io swaps them; the loss is the same).
            fake = ops.zeros((batch_size, 1))
            real = ops.ones((batch_size, 1))
            return ops.concatenate([fake, real], axis=0), real

    if backend_name == "tensorflow":
        import tensorflow as tf

        class TFReferenceDCGAN(ReferenceDCGAN):
            def train_step(self, real_images):
                batch_size = ops.shape(real_images)[0]
                z = keras.random.normal(
                    (batch_size, self.latent_dim), seed=self.seed_generator
                )
                generated = self.generator(z, training=True)
                combined = ops.concatenate([generated, real_images], axis=0)
                labels, misleading_labels = self._labels(batch_size)

                with tf.GradientTape() as tape:
                    predictions = self.discriminator(combined, training=True)
                    d_loss = self.loss_fn(labels, predictions)
                grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
                self.d_optimizer.apply_gradients(
                    zip(grads, self.discriminator.trainable_weights)
                )

                z = keras.random.normal(
                    (batch_size, self.latent_dim), seed=self.seed_generator
                )
                with tf.GradientTape() as tape:
                    predictions = self.discriminator(
                        self.generator(z, training=True), training=True
                    )
                    g_loss = self.loss_fn(misleading_labels, predictions)
                grads = tape.gradient(g_loss, self.generator.trainable_weights)
                self.g_optimizer.apply_gradients(
                    zip(grads, self.generator.trainable_weights)
                )

                self.d_loss_metric.update_state(d_loss)
                self.g_loss_metric.update_state(g_loss)
                return {m.name: m.result() for m in self.metrics}

        return TFReferenceDCGAN

    if backend_name == "torch":
        import torch

        class TorchReferenceDCGAN(ReferenceDCGAN):
            def train_step(self, real_images):
                batch_size = real_images.shape[0]
                z = keras.random.normal(
                    (batch_size, self.latent_dim), seed=self.seed_generator
                )
                with torch.no_grad():  # D's step needs no gradient through G
                    generated = self.generator(z, training=True)
                combined = torch.cat([generated, real_images], dim=0)
                labels, misleading_labels = self._labels(batch_size)

                self.zero_grad()
                predictions = self.discriminator(combined, training=True)
                d_loss = self.loss_fn(labels, predictions)
                d_loss.backward()
                grads = [v.value.grad for v in self.discriminator.trainable_weights]
                with torch.no_grad():
                    self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

                z = keras.random.normal(
                    (batch_size, self.latent_dim), seed=self.seed_generator
                )
                self.zero_grad()
                predictions = self.discriminator(
                    self.generator(z, training=True), training=True
                )
                g_loss = self.loss_fn(misleading_labels, predictions)
                g_loss.backward()
                grads = [v.value.grad for v in self.generator.trainable_weights]
                with torch.no_grad():
                    self.g_optimizer.apply(grads, self.generator.trainable_weights)

                self.d_loss_metric.update_state(d_loss.detach())
                self.g_loss_metric.update_state(g_loss.detach())
                return {m.name: m.result() for m in self.metrics}

        return TorchReferenceDCGAN

    import jax
    import numpy as np

    class JaxReferenceDCGAN(ReferenceDCGAN):
        """Pure step + explicit loop (Keras's JAX fit threads one optimizer)."""

        def compile(self, d_optimizer, g_optimizer, loss_fn, jit_compile=False):
            super().compile(d_optimizer, g_optimizer, loss_fn, jit_compile)
            self._use_jit = bool(jit_compile)
            self._step = jax.jit(self.train_step) if jit_compile else self.train_step

        def train_step(self, state, real_images):
            (g_tv, g_ntv, d_tv, d_ntv, d_opt, g_opt, metric_vars, key) = state
            d_metric_vars, g_metric_vars = metric_vars
            key, d_key, g_key = jax.random.split(key, 3)
            batch_size = real_images.shape[0]

            z = jax.random.normal(d_key, (batch_size, self.latent_dim))
            generated, g_ntv = self.generator.stateless_call(
                g_tv, g_ntv, z, training=True
            )
            combined = ops.concatenate([generated, real_images], axis=0)
            labels, misleading_labels = self._labels(batch_size)

            def d_loss_fn(d_tv, d_ntv):
                predictions, d_ntv = self.discriminator.stateless_call(
                    d_tv, d_ntv, combined, training=True
                )
                return self.loss_fn(labels, predictions), d_ntv

            (d_loss, d_ntv), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
                d_tv, d_ntv
            )
            d_tv, d_opt = self.d_optimizer.stateless_apply(d_opt, grads, d_tv)

            z = jax.random.normal(g_key, (batch_size, self.latent_dim))

            def g_loss_fn(g_tv, g_ntv, d_ntv):
                generated, g_ntv = self.generator.stateless_call(
                    g_tv, g_ntv, z, training=True
                )
                predictions, d_ntv = self.discriminator.stateless_call(
                    d_tv, d_ntv, generated, training=True
                )
                return self.loss_fn(misleading_labels, predictions), (g_ntv, d_ntv)

            (g_loss, (g_ntv, d_ntv)), grads = jax.value_and_grad(
                g_loss_fn, has_aux=True
            )(g_tv, g_ntv, d_ntv)
            g_tv, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, g_tv)

            d_metric_vars = self.d_loss_metric.stateless_update_state(
                d_metric_vars, d_loss
            )
            g_metric_vars = self.g_loss_metric.stateless_update_state(
                g_metric_vars, g_loss
            )
            logs = {
                "d_loss": self.d_loss_metric.stateless_result(d_metric_vars),
                "g_loss": self.g_loss_metric.stateless_result(g_metric_vars),
            }
            state = (
                g_tv,
                g_ntv,
                d_tv,
                d_ntv,
                d_opt,
                g_opt,
                (d_metric_vars, g_metric_vars),
                key,
            )
            return logs, state

        def _state_variables(self):
            return (
                self.generator.trainable_variables,
                self.generator.non_trainable_variables,
                self.discriminator.trainable_variables,
                self.discriminator.non_trainable_variables,
                self.d_optimizer.variables,
                self.g_optimizer.variables,
                (self.d_loss_metric.variables, self.g_loss_metric.variables),
            )

        def train_loop(self, dataset, steps):
            """`steps` steps over `dataset`; the new state goes back at the end."""
            for metric in self.metrics:  # as fit does at each epoch
                metric.reset_state()
            variables = self._state_variables()
            if not hasattr(self, "_key"):
                self._key = jax.random.key(self.seed)
            state = jax.tree.map(
                lambda v: v.value, variables, is_leaf=lambda v: hasattr(v, "assign")
            ) + (self._key,)
            logs = {}
            for _, real_images in zip(range(steps), dataset.as_numpy_iterator()):
                logs, state = self._step(state, real_images)
            self._key = state[-1]
            jax.tree.map(
                lambda v, value: v.assign(value),
                variables,
                state[:-1],
                is_leaf=lambda v: hasattr(v, "assign"),
            )
            return {k: float(np.asarray(v)) for k, v in logs.items()}

    return JaxReferenceDCGAN


# One backend.


def _build_players(args, batch_norm=True):
    import keras

    from gan_zoo.models.architectures import dcgan_discriminator
    from gan_zoo.models.architectures import dcgan_generator

    keras.utils.set_random_seed(args.seed)
    generator = dcgan_generator(
        image_size=28,
        channels=1,
        latent_dim=args.latent_dim,
        base_filters=args.base_filters,
    )
    discriminator = dcgan_discriminator(
        image_size=28,
        channels=1,
        base_filters=args.base_filters,
        batch_norm=batch_norm,
    )
    return generator, discriminator


def two_pass_fogan_class():
    """FOGAN with the critic's outputs on the perturbed points from a call of
    their own, next to the input-gradient pass (the form before the shared
    pass): the benchmark's baseline."""
    from gan_zoo import backend
    from gan_zoo.models import FOGAN

    shared = backend.outputs_and_input_gradient

    def two_pass(fn, x):
        outputs = fn(x)
        _, gradient = shared(fn, x)
        return outputs, gradient

    class TwoPassFOGAN(FOGAN):
        def compute_discriminator_loss(self, real, fake, labels=None, training=True):
            # `losses.first_order_critic_loss` looks the function up at call
            # time; the swap lasts for this loss only.
            backend.outputs_and_input_gradient = two_pass
            try:
                return super().compute_discriminator_loss(real, fake, labels, training)
            finally:
                backend.outputs_and_input_gradient = shared

    return TwoPassFOGAN


def _model_factories(args, backend_name):
    """`{side: make(jit)}`: a compiled model of each side, fresh players each."""
    import keras

    from gan_zoo.models import DCGAN, FOGAN

    if args.model == "fogan":

        def make_fogan(cls_fn):
            def make(jit):
                cls = cls_fn()
                generator, discriminator = _build_players(args, batch_norm=False)
                model = cls(generator, discriminator, seed=args.seed)
                model.compile(jit_compile=jit)  # the paper's optimisers
                return model

            return make

        return {
            "ours": make_fogan(lambda: FOGAN),
            "ref": make_fogan(two_pass_fogan_class),
        }

    Reference = reference_class(backend_name)

    def make_ours(jit):
        generator, discriminator = _build_players(args)
        model = DCGAN(generator, discriminator, seed=args.seed)
        model.compile(d_optimizer=_adam(), g_optimizer=_adam(), jit_compile=jit)
        return model

    def make_ref(jit):
        generator, discriminator = _build_players(args)
        model = Reference(discriminator, generator, args.latent_dim, args.seed)
        model.compile(
            d_optimizer=_adam(),
            g_optimizer=_adam(),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
            jit_compile=jit,
        )
        return model

    return {"ours": make_ours, "ref": make_ref}


def _adam():
    import keras

    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def _sync(model):
    """Reads one weight of each player back to the host (ends async work)."""
    import keras

    for player in (model.generator, model.discriminator):
        keras.ops.convert_to_numpy(player.trainable_variables[-1])


def _runner(model, dataset):
    if hasattr(model, "train_loop"):  # the JAX reference's explicit loop

        def run(steps):
            model.train_loop(dataset, steps)
            _sync(model)

    else:

        def run(steps):
            model.fit(
                dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False
            )
            _sync(model)

    return run


class _DynamoDiagnostics:
    """Counts torch.compile's graphs, graph breaks and recompile-limit hits."""

    def __init__(self):
        import logging

        from torch._dynamo.utils import counters

        self._counters = counters
        self._limit_hits = 0
        diagnostics = self

        class _Handler(logging.Handler):
            def emit(self, record):
                if "recompile_limit" in record.getMessage():
                    diagnostics._limit_hits += 1

        logging.getLogger("torch._dynamo").addHandler(_Handler())
        self.reset()

    def _snapshot(self):
        c = self._counters
        return (
            c["stats"]["unique_graphs"],
            sum(c["graph_break"].values()),
            self._limit_hits,
        )

    def reset(self):
        self._start = self._snapshot()

    def summary(self):
        now = self._snapshot()
        graphs, breaks, hits = (a - b for a, b in zip(now, self._start))
        text = f"dynamo: {graphs} graphs, {breaks} graph breaks"
        if hits:
            text += f", recompile limit hit {hits}x (those frames run eagerly)"
        return text


def _short_error(exc):
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def bench_backend(args):
    import keras

    from gan_zoo.datasets import digits

    backend_name = keras.backend.backend()
    if backend_name != args.backend:
        raise RuntimeError(
            f"Keras loaded the {backend_name!r} backend, not {args.backend!r}: "
            "set KERAS_BACKEND before anything imports keras."
        )
    factories = _model_factories(args, backend_name)
    # One dataset object; every fit (and the JAX loop) opens a new iterator.
    dataset = digits(
        batch_size=args.batch_size, image_size=28, shuffle=True, seed=0
    ).repeat()
    modes = JIT_MODES if args.jit == "both" else (args.jit,)
    if args.model == "fogan" and backend_name == "torch":
        modes = ("off",)  # FOGAN's step runs eagerly on torch either way
    rows = []
    for mode in modes:
        jit = mode == "on"
        row = {
            "backend": backend_name,
            "jit": mode,
            "jit_meaning": JIT_MEANING[backend_name][mode],
            "ref_style": REF_STYLE[backend_name],
            "model": args.model,
        }
        runners = {}
        dynamo = None
        if jit and backend_name == "torch":
            try:
                dynamo = _DynamoDiagnostics()
            except Exception:  # private API: diagnostics are optional
                dynamo = None
        for side in ("ours", "ref"):
            if dynamo is not None:
                dynamo.reset()
            try:
                model = factories[side](jit)
                run = _runner(model, dataset)
                t0 = time.perf_counter()
                run(args.warmup)
                row[f"{side}_warmup_s"] = time.perf_counter() - t0
                runners[side] = run
                if dynamo is not None:
                    row[f"{side}_compile_note"] = dynamo.summary()
            except Exception as exc:  # a benchmark reports, it does not stop
                row[f"{side}_error"] = _short_error(exc)
        times = {side: [] for side in runners}
        row_started = time.perf_counter()
        for repeat in range(args.repeats):
            # Alternate who goes first, so that drifting load favours neither.
            order = list(runners.items())
            for side, run in order if repeat % 2 == 0 else order[::-1]:
                if f"{side}_error" in row:
                    continue
                try:
                    t0 = time.perf_counter()
                    run(args.steps)
                    times[side].append(time.perf_counter() - t0)
                except Exception as exc:
                    row[f"{side}_error"] = _short_error(exc)
            if time.perf_counter() - row_started > args.max_row_seconds:
                break
        for side, elapsed in times.items():
            if elapsed and f"{side}_error" not in row:
                elapsed = sorted(elapsed)
                row[f"{side}_steps_per_s"] = args.steps / elapsed[0]
                row[f"{side}_median_steps_per_s"] = args.steps / statistics.median(
                    elapsed
                )
                row[f"{side}_spread"] = elapsed[-1] / elapsed[0]
                row[f"{side}_repeats"] = len(elapsed)
        row["loadavg_after"] = _loadavg()
        rows.append(row)
        if args.machine_readable:
            print(ROW_TAG + json.dumps(row), flush=True)
    return rows


# Printing.


def _fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def _print_loads(rows):
    """The load average after each row: how busy the machine was."""
    loads = [
        f"{r['backend']}/{r['jit']} {r['loadavg_after']}"
        for r in rows
        if "loadavg_after" in r
    ]
    if loads:
        print("load average (1/5/15 min) after each row: " + "; ".join(loads))


def _repeat_counts(rows):
    """The distinct numbers of repeats the rows' timings took the best of."""
    return sorted(
        {r[f"{side}_repeats"] for r in rows for side in ("ours", "ref")
         if f"{side}_repeats" in r}
    )  # fmt: skip


def _pair(row, key, spec):
    return f"{_fmt(row.get('ours_' + key), spec)}|{_fmt(row.get('ref_' + key), spec)}"


def _ratio(a, b):
    return a / b if a and b else None


def print_table(rows, steps):
    best_ours = max((r.get("ours_steps_per_s") or 0 for r in rows), default=0)
    best_ref = max((r.get("ref_steps_per_s") or 0 for r in rows), default=0)
    header = (
        f"{'backend':<10} {'jit':<3} {'jit means':<17} {'ours st/s':>9} "
        f"{'ref st/s':>8} {'ours/ref':>8} {'(median)':>8} {'ours/best':>9} "
        f"{'ref/best':>8} {'spread ours|ref':>15} {'warm-up s ours|ref':>18}"
    )
    print(header)
    print("-" * len(header))
    notes = []
    for r in rows:
        ours, ref = r.get("ours_steps_per_s"), r.get("ref_steps_per_s")
        median = _ratio(
            r.get("ours_median_steps_per_s"), r.get("ref_median_steps_per_s")
        )
        spread = _pair(r, "spread", ".2f")
        warm = _pair(r, "warmup_s", ".1f")
        print(
            f"{r['backend']:<10} {r['jit']:<3} {r['jit_meaning']:<17} "
            f"{_fmt(ours, '9.2f')} {_fmt(ref, '8.2f')} "
            f"{_fmt(_ratio(ours, ref), '8.2f')} {_fmt(median, '8.2f')} "
            f"{_fmt(_ratio(ours, best_ours), '9.2f')} "
            f"{_fmt(_ratio(ref, best_ref), '8.2f')} {spread:>15} {warm:>18}"
        )
        for side in ("ours", "ref"):
            if f"{side}_compile_note" in r:
                notes.append(
                    f"{r['backend']} jit={r['jit']} {side}: {r[f'{side}_compile_note']}"
                )
            if f"{side}_error" in r:
                notes.append(
                    f"{r['backend']} jit={r['jit']} {side}: n/a, {r[f'{side}_error']}"
                )
    repeats = _repeat_counts(rows)
    print()
    print(
        f"st/s: training steps per second over {steps} timed steps (1 D update + "
        f"1 G update each), best of {'/'.join(map(str, repeats)) or '?'} "
        "alternating repeats. ours/ref > 1: ours is faster; (median): the same "
        "ratio from the median repeats."
    )
    print(
        "ours/best, ref/best: relative to the fastest row of the same column "
        "(backend vs backend, jit on vs off)."
    )
    print(
        "spread: slowest / fastest repeat; far above 1 means the machine was "
        "busy and the ratios are noisy."
    )
    print("warm-up s: wall time of the untimed warm-up steps, compilation included.")
    _print_loads(rows)
    styles = {r["backend"]: r["ref_style"] for r in rows}
    for backend_name, style in styles.items():
        print(f"ref on {backend_name}: {style}")
    if "jax" in styles:
        print(
            "  (jax: Keras's JAX fit threads only self.optimizer.variables, so the "
            "two-optimizer reference runs an explicit loop over the same batches; "
            "ours runs through fit)"
        )
    for note in notes:
        print("note: " + note)
    speedups = []
    for backend_name in styles:
        by_mode = {r["jit"]: r for r in rows if r["backend"] == backend_name}
        if "on" in by_mode and "off" in by_mode:
            parts = []
            for side in ("ours", "ref"):
                on = by_mode["on"].get(f"{side}_steps_per_s")
                off = by_mode["off"].get(f"{side}_steps_per_s")
                parts.append(f"{side} {_fmt(on / off if on and off else None, '.2f')}x")
            speedups.append(f"{backend_name}: " + ", ".join(parts))
    if speedups:
        print("jit on / jit off: " + "; ".join(speedups))


def print_fogan_table(rows, steps):
    header = (
        f"{'backend':<10} {'jit':<3} {'jit means':<17} {'shared s/step':>13} "
        f"{'(median)':>8} {'two-pass s/step':>15} {'(median)':>8} "
        f"{'two-pass/shared':>15} {'(median)':>8} {'spread shared|two-pass':>22}"
    )
    print(header)
    print("-" * len(header))
    notes = []

    def seconds(row, key):
        value = row.get(key)
        return 1.0 / value if value else None

    for r in rows:
        shared, two = seconds(r, "ours_steps_per_s"), seconds(r, "ref_steps_per_s")
        shared_median = seconds(r, "ours_median_steps_per_s")
        two_median = seconds(r, "ref_median_steps_per_s")
        print(
            f"{r['backend']:<10} {r['jit']:<3} {r['jit_meaning']:<17} "
            f"{_fmt(shared, '13.4f')} {_fmt(shared_median, '8.4f')} "
            f"{_fmt(two, '15.4f')} {_fmt(two_median, '8.4f')} "
            f"{_fmt(_ratio(two, shared), '15.2f')} "
            f"{_fmt(_ratio(two_median, shared_median), '8.2f')} "
            f"{_pair(r, 'spread', '.2f'):>22}"
        )
        for side, name in (("ours", "shared"), ("ref", "two-pass")):
            if f"{side}_error" in r:
                notes.append(
                    f"{r['backend']} jit={r['jit']} {name}: n/a, {r[f'{side}_error']}"
                )
    repeats = _repeat_counts(rows)
    print()
    print(
        f"s/step: seconds per FOGAN training step (1 critic update + 1 generator "
        f"update) over {steps} timed steps, best of "
        f"{'/'.join(map(str, repeats)) or '?'} alternating repeats; (median): of "
        "the median repeat. shared: the critic's outputs on the perturbed points "
        "come from its input-gradient pass; two-pass: from a call of their own "
        "(the form before). two-pass/shared > 1: sharing is faster."
    )
    print("spread: slowest / fastest repeat; far above 1 means a busy machine.")
    _print_loads(rows)
    for note in notes:
        print("note: " + note)


def _print_rows(args, rows):
    if args.model == "fogan":
        print_fogan_table(rows, args.steps)
    else:
        print_table(rows, args.steps)


def run_one(args):
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not args.machine_readable:
        print("command: " + command_line())
        for line in machine_lines():
            print(line)
    versions = _versions(args.backend)
    info = {"backend": args.backend, "versions": versions}
    if args.machine_readable:
        print(INFO_TAG + json.dumps(info), flush=True)
    else:
        print(
            f"{args.backend}: "
            + ", ".join(f"{k} {v}" for k, v in versions.items())
        )
        _print_settings(args)
        print()
    rows = bench_backend(args)
    if not args.machine_readable:
        _print_rows(args, rows)


def _print_settings(args):
    if args.model == "fogan":
        print(
            f"settings: FOGAN 28x28x1 digits, DCGAN players (critic without batch "
            f"norm), batch {args.batch_size}, base_filters {args.base_filters}, "
            f"latent_dim {args.latent_dim}, Adam 3e-4 / 1e-4 (0.5, 0.9), "
            f"{args.warmup} warm-up + {args.steps} timed steps, best of "
            f"{args.repeats}, seed {args.seed}"
        )
        return
    print(
        f"settings: DCGAN 28x28x1 digits, batch {args.batch_size}, base_filters "
        f"{args.base_filters}, latent_dim {args.latent_dim}, Adam(2e-4, beta_1=0.5) "
        f"x2, {args.warmup} warm-up + {args.steps} timed steps, best of "
        f"{args.repeats}, seed {args.seed}"
    )


def run_all(args):
    started = time.perf_counter()
    print("command: " + command_line())
    for line in machine_lines():
        print(line)
    _print_settings(args)
    rows, failures = [], []
    child_common = [
        "--model", args.model,
        "--steps", str(args.steps),
        "--warmup", str(args.warmup),
        "--repeats", str(args.repeats),
        "--batch-size", str(args.batch_size),
        "--base-filters", str(args.base_filters),
        "--latent-dim", str(args.latent_dim),
        "--jit", args.jit,
        "--seed", str(args.seed),
        "--max-row-seconds", str(args.max_row_seconds),
        "--machine-readable",
    ]  # fmt: skip
    for backend_name in BACKENDS:
        cmd = [sys.executable, os.path.abspath(__file__), "--backend", backend_name]
        cmd += child_common
        env = dict(os.environ, KERAS_BACKEND=backend_name)
        print(f"KERAS_BACKEND={backend_name} {shlex.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=args.timeout
            )
            out, err, rc = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout
            err, rc = f"timed out after {args.timeout} s", None
        got = 0
        for line in (out or "").splitlines():
            if line.startswith(INFO_TAG):
                info = json.loads(line[len(INFO_TAG):])
                print(
                    f"  {backend_name}: "
                    + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
                )
            elif line.startswith(ROW_TAG):
                rows.append(json.loads(line[len(ROW_TAG):]))
                got += 1
        print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
        if rc != 0:
            tail = (err or "").strip().splitlines()[-3:]
            failures.append(
                f"{backend_name}: exit {rc}, {got} row(s) kept; " + " | ".join(tail)
            )
    print()
    _print_rows(args, rows)
    for failure in failures:
        print("failed: " + failure)
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


def main(argv=None):
    args = parse_args(argv)
    if args.all:
        run_all(args)
    else:
        run_one(args)


if __name__ == "__main__":
    main()
