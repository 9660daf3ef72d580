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


def input_gradient(fn, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(fn(x))
    # An enclosing tape records this gradient, so it can be differentiated
    # again with respect to the critic's weights.
    return tape.gradient(total, x)
