"""TensorFlow: gradient tapes; variables are updated in place.

Under a `tf.distribute` strategy (e.g. `MirroredStrategy`), Keras's trainer
runs the step once per replica on that replica's share of the batch, and the
optimizer sums the replicas' gradients. As Keras's own `train_step` does,
`update` divides each loss by the number of replicas before differentiating,
so that the sum is the gradient of the global batch's mean loss, and
`replica_rows` gives each replica its rows of the global batch's noise.
"""

import tensorflow as tf


def train_step(model, step_fn, data):
    return step_fn(data)


test_step = train_step


def replicas(model=None):
    """The number of replicas that run the step: those of the strategy the
    model was built under, or else of the current one (1 without any)."""
    strategy = tf.distribute.get_strategy() if model is None else model.distribute_strategy
    return strategy.num_replicas_in_sync


def replica_rows(draw, shape):
    if replicas() == 1:
        return draw(shape)
    # Every replica draws the global batch's values from the same (mirrored)
    # seed state and keeps its own rows: the noise one device would draw.
    n = shape[0]
    index = tf.distribute.get_replica_context().replica_id_in_sync_group
    values = draw((n * replicas(),) + tuple(shape[1:]))
    return values[index * n : (index + 1) * n]


def update(loss_fn, variables, optimizer, when=None):
    with tf.GradientTape() as tape:
        loss, logs = loss_fn()
        scaled_loss = optimizer.scale_loss(loss)
        if replicas() > 1:
            scaled_loss = scaled_loss / replicas()
    # A weight the loss does not use gets a zero gradient (not None).
    grads = tape.gradient(
        scaled_loss,
        [v.value for v in variables],
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    if when is None:
        optimizer.apply(grads, variables)
    else:

        def apply():
            optimizer.apply(grads, variables)
            return tf.constant(True)

        tf.cond(when, apply, lambda: tf.constant(False))
    return loss, logs


def outputs_and_input_gradient(fn, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = fn(x)
        total = tf.reduce_sum(outputs)
    # An enclosing tape records the call and this gradient, so both can be
    # differentiated again with respect to the critic's weights.
    return outputs, tape.gradient(total, x)


def without_gradient(fn):
    return tf.stop_gradient(fn())
