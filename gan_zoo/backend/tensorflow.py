"""TensorFlow: gradient tapes; variables are updated in place."""

import tensorflow as tf


def train_step(model, step_fn, data):
    return step_fn(data)


def update(loss_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        loss, logs = loss_fn()
    grads = tape.gradient(loss, variables)
    optimizer.apply(grads, variables)
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
