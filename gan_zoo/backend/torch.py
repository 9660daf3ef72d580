"""PyTorch: autograd; variables are updated in place.

`torch.autograd.grad` returns gradients for the requested player only and
never accumulates into `.grad`, so one player's step cannot leak into the
other's.
"""

import torch


def train_step(model, step_fn, data):
    return step_fn(data)


def update(loss_fn, variables, optimizer):
    loss, logs = loss_fn()
    grads = torch.autograd.grad(loss, [v.value for v in variables])
    optimizer.apply(grads, variables)
    return loss.detach(), {name: value.detach() for name, value in logs.items()}


def outputs_and_input_gradient(fn, x):
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    outputs = fn(x)
    # `create_graph` keeps the graph of the call and records the gradient's,
    # so both stay differentiable with respect to the critic's weights.
    (grad,) = torch.autograd.grad(outputs.sum(), x, create_graph=True)
    return outputs, grad
