"""The Improved-GAN techniques (Salimans et al. 2016) and the semi-supervised
K+1 GAN built on them."""

import keras
import numpy as np
from keras import ops

from gan_zoo import losses
from gan_zoo.gan import GAN
from gan_zoo.layers import MinibatchDiscrimination

# Layers that the default feature layer skips at the end of D: they add
# noise, or compare a sample with its batch, rather than describe it.
_NOT_FEATURES = (MinibatchDiscrimination, keras.layers.GaussianNoise, keras.layers.Dropout)


@keras.saving.register_keras_serializable(package="gan_zoo")
class ImprovedGAN(GAN):
    """The GAN with the Improved-GAN techniques, each switched on its own.

    The objective is the GAN's (`gan_zoo.GAN`), with, as chosen:
    ```
    feature matching:      L_G = || mean_x f(x) - mean_z f(G(z)) ||^2
    historical averaging:  L += w * || theta - (1/t) sum_{i<=t} theta[i] ||^2
    label smoothing:       D's real target 1 - s (one-sided)
    ```
    `f` is an intermediate layer of D (by default the last hidden layer:
    the last layer before D's output that is not a
    `MinibatchDiscrimination`, `GaussianNoise` or `Dropout` layer).
    Historical averaging keeps, for each weight of the player, the running
    mean of its values at every update so far (the current one included) in
    non-trainable variables of the model (saved with it); the term holds the
    mean fixed, so its gradient is `2 w (theta - mean)`. Evaluation
    (`evaluate`) reports the term without recording.

    The two architectural techniques belong to the networks, so that any
    method can use them; the builders of `gan_zoo.models.architectures`
    switch them on:
    - minibatch discrimination in D: `dcgan_discriminator(...,
      minibatch_kernels=100)` (or `mlp_discriminator`) puts
      `MinibatchDiscrimination` before D's output layer; the engine always
      feeds real and generated samples to D in separate calls, so each
      sample is compared with its own kind only;
    - virtual batch norm in G: `dcgan_generator(..., batch_norm="virtual")`
      (or `mlp_generator`) wraps G in `ReferenceBatch`, whose reference
      noise is drawn once when G is built and saved with its weights.

    Example:
    ```python
    from gan_zoo.models import ImprovedGAN
    from gan_zoo.models.architectures import dcgan_discriminator, dcgan_generator
    model = ImprovedGAN(
        dcgan_generator(28, 1, batch_norm="virtual"),
        dcgan_discriminator(28, 1, minibatch_kernels=100),
        feature_matching=True, d_historical_averaging=1e-3, label_smoothing=0.1)
    model.compile()
    model.fit(gan_zoo.datasets.digits(image_size=28), epochs=5)
    ```

    Args:
        generator, discriminator, **kwargs: as `gan_zoo.GAN`
            (`label_smoothing=0.1` gives the paper's one-sided 0.9).
        feature_matching: train G by feature matching instead of the GAN
            generator loss.
        feature_layer: the layer `f` of D for feature matching: its name or
            its index in `discriminator.layers`; `None` for the last hidden
            layer. D must be a functional or Sequential model.
        d_historical_averaging: the weight `w` of D's historical averaging
            term; 0 switches it off.
        g_historical_averaging: the same for G.

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", 2016,
        https://arxiv.org/abs/1606.03498 (sections 3.1-3.5).
    """

    def __init__(
        self,
        generator,
        discriminator,
        feature_matching=False,
        feature_layer=None,
        d_historical_averaging=0.0,
        g_historical_averaging=0.0,
        **kwargs,
    ):
        super().__init__(generator, discriminator, **kwargs)
        if feature_matching and self.minimax:
            raise ValueError(
                "`minimax` chooses the GAN generator loss, which feature "
                "matching replaces: set one of `feature_matching` and "
                "`minimax`."
            )
        if feature_layer is not None and not feature_matching:
            raise ValueError(
                "`feature_layer` is the layer of D for feature matching; "
                "pass `feature_matching=True` too. Received: "
                f"feature_layer={feature_layer!r}"
            )
        self.feature_matching = bool(feature_matching)
        self.feature_layer = feature_layer
        if self.feature_matching:
            self.feature_extractor = _feature_extractor(discriminator, feature_layer)
        self.d_historical_averaging = _check_weight(
            "d_historical_averaging", d_historical_averaging
        )
        self.g_historical_averaging = _check_weight(
            "g_historical_averaging", g_historical_averaging
        )
        self.historical_averages = {}
        self.historical_counts = {}
        for prefix, player, weight in (
            ("d", discriminator, self.d_historical_averaging),
            ("g", generator, self.g_historical_averaging),
        ):
            if weight:
                self._add_historical_average(prefix, player)
        self.reset_loss_trackers()

    @property
    def log_names(self):
        return GAN.log_names + tuple(
            f"{prefix}_historical_averaging"
            for prefix in ("d", "g")
            if getattr(self, f"{prefix}_historical_averaging", 0.0)
        )

    def _add_historical_average(self, prefix, player):
        self.historical_averages[prefix] = [
            self.add_weight(
                shape=v.shape,
                initializer="zeros",
                trainable=False,
                name=f"{prefix}_historical_average_{i}",
            )
            for i, v in enumerate(player.trainable_variables)
        ]
        self.historical_counts[prefix] = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name=f"{prefix}_updates_averaged"
        )

    def historical_averaging(self, prefix, training=True):
        """`w * sum ||theta - mean||^2` of player `prefix` ("d" or "g");
        in training, first records the player's current weights in the mean."""
        player = self.discriminator if prefix == "d" else self.generator
        weights = player.trainable_variables
        averages = self.historical_averages[prefix]
        if training:
            count = self.historical_counts[prefix]
            count.assign(count + 1.0)
            for w, average in zip(weights, averages):
                step = (ops.stop_gradient(w.value) - average.value) / count.value
                average.assign(average.value + step)
        weight = getattr(self, f"{prefix}_historical_averaging")
        return weight * losses.historical_averaging_penalty(weights, averages)

    def discriminator_penalties(self, real, fake, training=True):
        penalties = dict(super().discriminator_penalties(real, fake, training=training))
        if self.d_historical_averaging:
            penalties["d_historical_averaging"] = self.historical_averaging("d", training)
        return penalties

    def compute_generator_loss(self, real, fake, labels=None, training=True):
        if self.feature_matching:
            real_features = ops.stop_gradient(self.feature_extractor(real, training=training))
            fake_features = self.feature_extractor(fake, training=training)
            loss = losses.feature_matching_loss(real_features, fake_features)
        else:
            loss, _ = super().compute_generator_loss(real, fake, labels, training=training)
        logs = {}
        if self.g_historical_averaging:
            logs["g_historical_averaging"] = self.historical_averaging("g", training)
            loss = loss + logs["g_historical_averaging"]
        return loss, {"g_loss": loss, **logs}

    def get_config(self):
        return {
            **super().get_config(),
            "feature_matching": self.feature_matching,
            "feature_layer": self.feature_layer,
            "d_historical_averaging": self.d_historical_averaging,
            "g_historical_averaging": self.g_historical_averaging,
        }


@keras.saving.register_keras_serializable(package="gan_zoo")
class SemiSupervisedGAN(ImprovedGAN):
    """The semi-supervised GAN: D is a classifier with a K+1-th class "fake".

    D outputs `K` class logits; the fake class's logit is fixed at 0, so
    with `lse = logsumexp(logits)`, `p(fake | x) = 1 / (1 + exp(lse))`:
    ```
    L_D = L_sup + lambda * L_unsup
    L_sup   = softmax cross-entropy of the K logits on a labelled batch
    L_unsup = mean_real(softplus(lse) - lse) + mean_fake(softplus(lse))
    L_G     = || mean_x f(x) - mean_z f(G(z)) ||^2      (feature matching)
    L_G     = mean_z softplus(-lse(G(z)))    (feature_matching=False)
    ```
    with `x` an unlabelled batch; without feature matching G takes the GAN's
    non-saturating loss on D's real-versus-fake logit, `lse`. Historical averaging is available as in
    `ImprovedGAN`; the paper's MNIST result uses neither it nor minibatch
    discrimination (about 0.93% test error with 100 labels).

    Optimizers: Adam(3e-4, beta_1=0.5) for both players. The paper's MNIST
    code uses 3e-3 with weight-normalised layers (and reports the test error
    of a moving average of D's weights); with plain Dense layers, measured
    on 8,000 MNIST digits with 100 labels (`tools/reproduce/semi_supervised_mnist.py`),
    3e-3 stayed at 23-27% held-out error where 3e-4 reached 13% in 20 epochs.

    Data: each element that `fit` receives is
    `(x_unlabelled, (x_labelled, y_labelled))`, integer labels in
    `[0, K)`; `gan_zoo.datasets.semi_supervised(...)` builds it from any
    labelled dataset and a number of labels per class. `evaluate(x, y)`
    reports the losses and `accuracy` on labelled data; `classify(x)` gives
    the class probabilities and `classifier()` a Keras model of them alone.

    Example:
    ```python
    from gan_zoo.models import SemiSupervisedGAN
    from gan_zoo.models.architectures import mlp_discriminator, mlp_generator
    model = SemiSupervisedGAN(
        mlp_generator(784, 100, (500, 500), "softplus", batch_norm=True,
                      output_activation="tanh"),
        mlp_discriminator(784, (1000, 500, 250, 250, 250), output_units=10,
                          input_noise=0.3, hidden_noise=0.5))
    model.compile()
    # images: (n, 784) in [-1, 1]; labels: (n,) integers in [0, 10)
    data = gan_zoo.datasets.semi_supervised((images, labels), labels_per_class=10)
    model.fit(data, epochs=10)
    model.evaluate(x_test, y_test)   # {"accuracy": ..., ...}
    ```

    Args:
        generator, discriminator: as `gan_zoo.GAN`; D's output is the
            `(batch, K)` class logits, `K >= 2`.
        unsupervised_weight: `lambda`. The paper's code weighs the
            unsupervised term by 0.5; 0 trains D on the labelled batches
            alone (the supervised-only baseline, same network and steps).
        feature_matching: train G by feature matching (the paper's
            MNIST setting); `False` gives it the GAN loss above. Defaults
            to `True`.
        feature_layer, d_historical_averaging, g_historical_averaging,
            **kwargs: as `ImprovedGAN`.

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", 2016,
        https://arxiv.org/abs/1606.03498 (section 5).
    """

    @classmethod
    def default_optimizers(cls):
        return (
            keras.optimizers.Adam(3e-4, beta_1=0.5),
            keras.optimizers.Adam(3e-4, beta_1=0.5),
        )

    def __init__(
        self, generator, discriminator, unsupervised_weight=1.0, feature_matching=True, **kwargs
    ):
        super().__init__(generator, discriminator, feature_matching=feature_matching, **kwargs)
        outputs = getattr(discriminator, "outputs", None)
        self.num_classes = outputs[0].shape[-1] if outputs else None
        if self.num_classes is None or self.num_classes < 2 or len(outputs[0].shape) != 2:
            raise ValueError(
                "The semi-supervised GAN's discriminator outputs K >= 2 class "
                "logits, shape (batch, K), e.g. mlp_discriminator(..., "
                f"output_units=10). Received outputs: {outputs}"
            )
        self.unsupervised_weight = _check_weight("unsupervised_weight", unsupervised_weight)

    @property
    def log_names(self):
        return super().log_names + ("supervised_loss", "unsupervised_loss", "accuracy")

    def compute_discriminator_loss(self, real, fake, labels=None, training=True):
        x_labelled, y_labelled = self._labelled(real, labels)
        logits = self.discriminator(x_labelled, training=training)
        supervised = losses.semi_supervised_supervised_loss(logits, y_labelled)
        unsupervised = losses.semi_supervised_unsupervised_loss(
            self.discriminator(real, training=training),
            self.discriminator(fake, training=training),
        )
        loss = supervised + self.unsupervised_weight * unsupervised
        penalties = self.discriminator_penalties(real, fake, training=training)
        for value in penalties.values():
            loss = loss + value
        correct = ops.argmax(logits, axis=-1) == ops.cast(ops.reshape(y_labelled, (-1,)), "int32")
        return loss, {
            "d_loss": loss,
            "supervised_loss": supervised,
            "unsupervised_loss": unsupervised,
            # Per sample, so that `accuracy` is exact over uneven batches.
            "accuracy": ops.cast(correct, "float32"),
            **penalties,
        }

    def generator_loss(self, fake_outputs, real_outputs=None):
        # Without feature matching: D's K logits as one real-versus-fake logit.
        real_logit = ops.logsumexp(ops.cast(fake_outputs, "float32"), axis=-1, keepdims=True)
        return super().generator_loss(real_logit, real_outputs)

    def _labelled(self, real, labels):
        """`(x, y)` labelled: the pair in a training element, or `real` with
        its labels in evaluation (`evaluate(x, y)`)."""
        if labels is None:
            raise ValueError(
                "SemiSupervisedGAN needs labels: fit() takes elements "
                "(x_unlabelled, (x_labelled, y_labelled)), e.g. from "
                "gan_zoo.datasets.semi_supervised(...), and evaluate() takes "
                "(x, y)."
            )
        if isinstance(labels, (tuple, list)):
            x, y = labels
            return ops.cast(x, self.compute_dtype), y
        return real, labels

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        if isinstance(x, np.ndarray):
            raise ValueError(
                "SemiSupervisedGAN.fit takes elements (x_unlabelled, "
                "(x_labelled, y_labelled)): build them with "
                "gan_zoo.datasets.semi_supervised((images, labels), "
                "labels_per_class=...) or as a tf.data.Dataset."
            )
        return super().fit(x, y, batch_size=batch_size, **kwargs)

    def classify(self, x, batch_size=256):
        """Class probabilities `softmax(logits)` over the K real classes, as a
        NumPy array `(n, K)` (D in inference mode)."""
        return self.classifier().predict(x, batch_size=batch_size, verbose=0)

    def classifier(self):
        """D with a softmax on its logits: a Keras model of its own (sharing
        D's weights) that can be saved and used without the GAN."""
        inputs = keras.Input(self.discriminator.inputs[0].shape[1:])
        logits = self.discriminator(inputs, training=False)
        probabilities = keras.layers.Softmax(dtype="float32", name="probabilities")(logits)
        return keras.Model(inputs, probabilities, name="classifier")

    def get_config(self):
        return {**super().get_config(), "unsupervised_weight": self.unsupervised_weight}


def _check_weight(name, value):
    if not value >= 0:
        raise ValueError(f"`{name}` must be >= 0. Received: {name}={value!r}")
    return float(value)


def _feature_extractor(discriminator, feature_layer):
    """A model from D's input to the output of its feature layer (sharing
    D's weights)."""
    if not getattr(discriminator, "inputs", None):
        raise ValueError(
            "Feature matching reads an intermediate layer of D, so D must be "
            f"a functional or Sequential model. Received: {discriminator!r}"
        )
    layers = discriminator.layers
    if feature_layer is None:
        hidden = [
            layer
            for layer in layers[:-1]
            if not isinstance(layer, (keras.layers.InputLayer,) + _NOT_FEATURES)
        ]
        if not hidden:
            raise ValueError(
                f"D {discriminator.name!r} has no hidden layer before its output "
                "to match features of; pass `feature_layer=`."
            )
        layer = hidden[-1]
    elif isinstance(feature_layer, int) and not isinstance(feature_layer, bool):
        if not -len(layers) <= feature_layer < len(layers):
            raise ValueError(
                f"`feature_layer={feature_layer}` is out of range: D has "
                f"{len(layers)} layers."
            )
        layer = layers[feature_layer]
    else:
        names = [layer.name for layer in layers]
        if feature_layer not in names:
            raise ValueError(
                f"D {discriminator.name!r} has no layer {feature_layer!r}. Its "
                f"layers: {names}"
            )
        layer = discriminator.get_layer(feature_layer)
    return keras.Model(discriminator.inputs, layer.output, name="feature_extractor")
