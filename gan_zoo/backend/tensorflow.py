"""TensorFlow: gradient tapes; variables are updated in place."""

import tensorflow as tf


def train_step(model, step_fn, data):
    return step_fn(data)


test_step = train_step


def update(loss_fn, variables, optimizer, when=None):
    with tf.GradientTape() as tape:
        loss, logs = loss_fn()
        scaled_loss = optimizer.scale_loss(loss)
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
