"""PyTorch: autograd; variables are updated in place.

`torch.autograd.grad` returns gradients for the requested player only and
never accumulates into `.grad`, so one player's step cannot leak into the
other's.
"""

import torch


def train_step(model, step_fn, data):
    return step_fn(data)


test_step = train_step


def update(loss_fn, variables, optimizer, when=None):
    loss, logs = loss_fn()
    # A weight the loss does not use (an auxiliary head) gets a zero
    # gradient, as on the other backends.
    grads = torch.autograd.grad(
        optimizer.scale_loss(loss),
        [v.value for v in variables],
        allow_unused=True,
        materialize_grads=True,
    )
    if when is None or bool(when):
        optimizer.apply(grads, variables)
    return loss.detach(), {name: value.detach() for name, value in logs.items()}


def outputs_and_input_gradient(fn, x):
    # Keras evaluates under `torch.no_grad()`; a penalty in `evaluate` still
    # needs the gradient with respect to the input.
    with torch.enable_grad():
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        outputs = fn(x)
        # `create_graph` keeps the graph of the call and records the
        # gradient's, so both stay differentiable with respect to the
        # critic's weights.
        (grad,) = torch.autograd.grad(outputs.sum(), x, create_graph=True)
    return outputs, grad


def replicas(model=None):
    """1: Keras's torch trainer runs on one device."""
    return 1


def replica_rows(draw, shape):
    return draw(shape)


def without_gradient(fn):
    # No autograd graph for what no gradient will flow through (the
    # generator's forward pass in the critic's step).
    with torch.no_grad():
        return fn()
