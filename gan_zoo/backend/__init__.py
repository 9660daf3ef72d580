"""The only place in gan_zoo with backend-specific code.

Each backend module provides the same three functions, and method code calls
them through this module:

- `train_step(model, step_fn, *args)`: runs `step_fn(data)` as one training
  step in the form Keras's trainer for that backend expects (in JAX it threads
  the whole model state through a `keras.StatelessScope`).
- `update(loss_fn, variables, optimizer)`: evaluates `loss, logs = loss_fn()`,
  takes the gradient of `loss` with respect to `variables` only and applies it
  with `optimizer`. Returns `(loss, logs)`.
- `outputs_and_input_gradient(fn, x)`: `(fn(x), gradient)` from one call of
  `fn`, where `gradient` is that of `sum(fn(x))` with respect to the INPUT
  `x`. Both stay differentiable with respect to the weights `fn` uses (for
  gradient penalties inside a loss); a loss that needs `fn(x)` too takes
  these outputs rather than calling `fn` on `x` a second time. State that the
  call updates (batch-norm statistics, seed states) is kept, as after `fn(x)`.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "jax":
    from gan_zoo.backend.jax import (
        outputs_and_input_gradient,
        train_step,
        update,
    )
elif _BACKEND == "tensorflow":
    from gan_zoo.backend.tensorflow import (
        outputs_and_input_gradient,
        train_step,
        update,
    )
elif _BACKEND == "torch":
    from gan_zoo.backend.torch import (
        outputs_and_input_gradient,
        train_step,
        update,
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
    "train_step",
    "update",
]
