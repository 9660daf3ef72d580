"""The only place in gan_zoo with backend-specific code.

Each backend module provides the same four functions, and method code calls
them through this module:

- `train_step(model, step_fn, *args)` and `test_step(model, step_fn, *args)`:
  run `step_fn(data)` as one training (evaluation) step in the form Keras's
  trainer for that backend expects (in JAX they thread the model state through
  a `keras.StatelessScope`).
- `update(loss_fn, variables, optimizer, when=None)`: evaluates
  `loss, logs = loss_fn()`, takes the gradient of `optimizer.scale_loss(loss)`
  (the loss scaled under `mixed_float16`) with respect to `variables` only
  (zero for a variable the loss does not use) and applies it with `optimizer`;
  with `when` (a boolean scalar tensor) only where it is true, else nothing
  changes. Returns the unscaled `(loss, logs)`. Under a `tf.distribute`
  strategy the gradient is that of the global batch's mean loss.
- `outputs_and_input_gradient(fn, x)`: `(fn(x), gradient)` from one call of
  `fn`, where `gradient` is that of `sum(fn(x))` with respect to the INPUT
  `x`. Both stay differentiable with respect to the weights `fn` uses (for
  gradient penalties inside a loss); a loss that needs `fn(x)` too takes
  these outputs rather than calling `fn` on `x` a second time. State that the
  call updates (batch-norm statistics, seed states) is kept, as after `fn(x)`.
- `without_gradient(fn)`: `fn()` as a constant for every gradient of the
  step (torch builds no autograd graph for it).
- `replicas(model=None)`: how many replicas run the (model's) step, each on
  its share of the batch (>1 only under a multi-device `tf.distribute`
  strategy).
- `replica_rows(draw, shape)`: `draw(shape)`, a random tensor whose first
  axis is the batch; on several replicas, this replica's rows of the global
  batch's draw, so that the run sees the values one device would.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "jax":
    from gan_zoo.backend.jax import (
        outputs_and_input_gradient,
        replica_rows,
        replicas,
        test_step,
        train_step,
        update,
        without_gradient,
    )
elif _BACKEND == "tensorflow":
    from gan_zoo.backend.tensorflow import (
        outputs_and_input_gradient,
        replica_rows,
        replicas,
        test_step,
        train_step,
        update,
        without_gradient,
    )
elif _BACKEND == "torch":
    from gan_zoo.backend.torch import (
        outputs_and_input_gradient,
        replica_rows,
        replicas,
        test_step,
        train_step,
        update,
        without_gradient,
    )
else:
    raise ImportError(
        "gan_zoo supports the Keras backends 'jax', 'tensorflow' and 'torch'. "
        f"Received: KERAS_BACKEND={_BACKEND!r}"
    )

# JAX and TF compile the step with XLA (also on CPU, where Keras's "auto"
# would not for TF); torch.compile cannot differentiate twice.
COMPILES_WITH_XLA = _BACKEND in ("jax", "tensorflow")
SUPPORTS_COMPILED_INPUT_GRADIENTS = _BACKEND != "torch"

__all__ = [
    "COMPILES_WITH_XLA",
    "SUPPORTS_COMPILED_INPUT_GRADIENTS",
    "outputs_and_input_gradient",
    "replica_rows",
    "replicas",
    "test_step",
    "train_step",
    "update",
    "without_gradient",
]
