"""JAX: pure functions over the model state.

Keras's JAX trainer calls `train_step(state, data)` with the values of
`model.trainable_variables`, `model.non_trainable_variables`,
`model.optimizer.variables` and `model.metrics_variables`, and expects the new
values back. We map every one of those variables to its value in a
`keras.StatelessScope`, so that method code reads and assigns variables as
usual (`self.discriminator(x)`, `tracker.update_state(...)`,
`v.assign(...)`): reads come from the scope and assignments are recorded in
it. `update` differentiates with respect to one player's variables, found by
identity, and writes the optimizer's results back into the scope. Batch-norm
statistics and seed-generator states changed during a loss (the generator's
too, during the critic's step) come out of the gradient as auxiliary values
and go back into the scope as well.
"""

import contextlib

import jax
import jax.numpy as jnp
from keras import StatelessScope

# The scopes opened here, innermost last (Keras has no public getter).
_scopes = []


@contextlib.contextmanager
def _entered(scope):
    _scopes.append(scope)
    try:
        with scope:
            yield scope
    finally:
        _scopes.pop()


def _current_scope():
    return _scopes[-1] if _scopes else None


def _state_groups(model, with_optimizer):
    optimizer = (model.optimizer.variables,) if with_optimizer else ()
    return (
        model.trainable_variables,
        model.non_trainable_variables,
        *optimizer,
        model.metrics_variables,
    )


def _run_stateless(groups, step_fn, state, data):
    mapping = [
        (variable, value)
        for variables, values in zip(groups, state)
        for variable, value in zip(variables, values)
    ]
    with _entered(StatelessScope(state_mapping=mapping)) as scope:
        logs = step_fn(data)
    new_state = tuple(
        [scope.get_current_value(v) for v in variables] for variables in groups
    )
    return logs, new_state


def train_step(model, step_fn, state, data):
    return _run_stateless(_state_groups(model, True), step_fn, state, data)


def test_step(model, step_fn, state, data):
    # Keras's evaluation state has no optimizer variables.
    return _run_stateless(_state_groups(model, False), step_fn, state, data)


def _child_scope(parent):
    """A scope that starts from `parent`'s values and records separately."""
    scope = StatelessScope()
    if parent is not None:
        scope.state_mapping.update(parent.state_mapping)
    return scope


def update(loss_fn, variables, optimizer, when=None):
    outer = _current_scope()
    if outer is None:
        raise RuntimeError(
            "gan_zoo's JAX `update` runs inside `train_step`, which maps the "
            "model state into a `keras.StatelessScope`."
        )
    player_ids = [id(v) for v in variables]
    values = [outer.state_mapping[i] for i in player_ids]

    def loss_and_changes(player_values):
        scope = _child_scope(outer)
        scope.state_mapping.update(zip(player_ids, player_values))
        with _entered(scope):
            loss, logs = loss_fn()
            scaled_loss = optimizer.scale_loss(loss)
        changed = {
            key: value
            for key, value in scope.state_mapping.items()
            if key not in player_ids and value is not outer.state_mapping.get(key)
        }
        return scaled_loss, (loss, logs, changed)

    (_, (loss, logs, changed)), grads = jax.value_and_grad(
        loss_and_changes, has_aux=True
    )(values)
    outer.state_mapping.update(changed)
    optimizer_ids = [id(v) for v in optimizer.variables]
    optimizer_values = [outer.state_mapping[i] for i in optimizer_ids]
    new_values, new_optimizer_values = optimizer.stateless_apply(
        optimizer_values, grads, values
    )
    if when is not None:
        keep = lambda new, old: [jnp.where(when, n, o) for n, o in zip(new, old)]  # noqa: E731
        new_values = keep(new_values, values)
        new_optimizer_values = keep(new_optimizer_values, optimizer_values)
    outer.state_mapping.update(zip(player_ids, new_values))
    outer.state_mapping.update(zip(optimizer_ids, new_optimizer_values))
    return loss, logs


def outputs_and_input_gradient(fn, x):
    outer = _current_scope()

    def outputs_and_changes(x):
        scope = _child_scope(outer)
        with _entered(scope):
            outputs = fn(x)
        changed = {}
        if outer is not None:
            changed = {
                key: value
                for key, value in scope.state_mapping.items()
                if value is not outer.state_mapping.get(key)
            }
        return outputs, changed

    # The outputs are primal outputs of the VJP, and the state updates of the
    # call (batch-norm statistics, seed states) its auxiliary outputs: both
    # leave the inner transformation as values, so they carry no tracer of
    # it, and stay differentiable by an enclosing `update` with respect to
    # the weights. Outside `train_step` there is no scope to keep the updates
    # in, and they are dropped.
    outputs, vjp, changed = jax.vjp(outputs_and_changes, x, has_aux=True)
    (gradient,) = vjp(jnp.ones_like(outputs))
    if outer is not None:
        outer.state_mapping.update(changed)
    return outputs, gradient


def replicas(model=None):
    """1: under `keras.distribution`, XLA partitions one global step over the
    devices (GSPMD), so means and noise are already over the global batch."""
    return 1


def replica_rows(draw, shape):
    return draw(shape)


def without_gradient(fn):
    return jax.lax.stop_gradient(fn())
