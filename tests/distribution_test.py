"""Data-parallel training: two devices give one device's result.

JAX splits one compiled step over a `keras.distribution.DataParallel` mesh;
TensorFlow runs the step on each replica of a `tf.distribute.MirroredStrategy`.
Both run here on two virtual CPU devices, which must be declared before the
backend starts, so each case runs in a fresh process. Keras's torch trainer
runs on one device: there is no data-parallel case for torch (README,
"Training on several devices").
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np

# Trains each method for a few steps on one device, then on two at the same
# global batch, from the same weights and seeds, and prints both runs' logs
# and generator weights as JSON.
SCRIPT = r"""
import json, os, sys
backend = os.environ["KERAS_BACKEND"]
if backend == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
else:
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    # One strategy for all runs: a second one in a process would reuse the
    # first one's collective keys.
    strategies = {1: tf.distribute.get_strategy(),
                  2: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])}
import contextlib
import keras
import numpy as np
from gan_zoo import models
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

# MLP players without batch norm: on tf.distribute each replica normalises
# its own share, so only batch-independent players can match one device.
def train(name, devices):
    keras.utils.set_random_seed(0)
    if backend == "jax":
        keras.distribution.set_distribution(
            keras.distribution.DataParallel() if devices == 2 else None
        )
        scope = contextlib.nullcontext()
    else:
        scope = strategies[devices].scope()
    with scope:
        model = getattr(models, name)(
            mlp_generator(2, latent_dim=4, hidden_units=(16,)),
            mlp_discriminator(2, hidden_units=(16,)),
            seed=1,
            # One critic batch per step on tf.distribute: there each replica
            # splits its own share into the critic batches, so a critic
            # update sees other real samples than on one device (as many,
            # drawn alike). JAX splits the global batch.
            n_critic=None if backend == "jax" else 1,
        )
        # SGD, whose step (unlike Adam's) scales with the gradient, so that a
        # sum of the replicas' gradients shows. tf.distribute runs the step
        # as a graph (no XLA, as in Keras), and TF's random ops draw other
        # values under XLA: one device too.
        model.compile(
            keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05),
            jit_compile=(backend == "jax") if devices == 1 else "auto",
        )
    data = np.random.default_rng(0).normal(size=(64 * 5 * 4, 2)).astype("float32")
    history = model.fit(data, batch_size=64, epochs=2, shuffle=False, verbose=0)
    if backend == "jax":
        placed = len(model.generator.weights[0].value.sharding.device_set)
    else:
        placed = model.distribute_strategy.num_replicas_in_sync
    weights = [np.asarray(w).tolist() for w in model.generator.get_weights()]
    return {"logs": history.history, "weights": weights, "devices": placed,
            "xla": bool(model.jit_compile)}

print(json.dumps({
    name: [train(name, 1), train(name, 2)] for name in sys.argv[1:]
}))
"""

# GAN: the plain step. WGANGP: a random interpolation per sample and an
# input gradient in the loss (on JAX also five critic batches per step).
# WGAN: weight clipping after each critic update. FOGAN (JAX only): its
# target slope couples all pairs of a batch, which on tf.distribute each
# replica estimates from its own share, as batch norm does.
METHODS = {"jax": ["GAN", "WGANGP", "WGAN", "FOGAN"], "tensorflow": ["GAN", "WGANGP", "WGAN"]}


def _train_on_one_and_two_devices(backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *METHODS[backend]],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


if keras.backend.backend() in ("jax", "tensorflow"):

    def test_two_devices_train_as_one_at_the_same_global_batch():
        """Protects the data-parallel claim of the README: the loss is the
        global batch's mean (tf.distribute: each replica's loss divided by the
        replica count, gradients summed) and each replica draws its rows of
        the global batch's noise, so two devices follow one device's run."""
        runs = _train_on_one_and_two_devices(keras.backend.backend())
        for name, (one, two) in runs.items():
            assert (one["devices"], two["devices"]) == (1, 2), name
            # "auto": XLA across JAX's devices; none across TF's replicas.
            assert two["xla"] == (keras.backend.backend() == "jax"), name
            for key in one["logs"]:
                np.testing.assert_allclose(
                    two["logs"][key], one["logs"][key], rtol=1e-4, atol=1e-5,
                    err_msg=f"{name} {key}",
                )
            for w1, w2 in zip(one["weights"], two["weights"]):
                np.testing.assert_allclose(
                    w2, w1, rtol=1e-4, atol=1e-5, err_msg=f"{name} weights"
                )
