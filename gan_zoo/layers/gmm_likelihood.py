"""The Gaussian mixture head of the Probabilistic GAN's discriminator
(Eghbal-zadeh & Widmer 2017): an unnormalised likelihood in (0, 1] and an EM
fit that runs inside the compiled training step."""

import keras
from keras import ops

from gan_zoo.arguments import check_feature_shape, check_positive_int

COVARIANCES = ("diag", "spherical")
# float16's largest finite magnitude: a log-likelihood below -65504 would
# overflow to -inf when cast to it.
_FLOAT16_MAX = 65504.0


@keras.saving.register_keras_serializable(package="gan_zoo")
class GMMLikelihood(keras.layers.Layer):
    """Likelihood of embeddings under a Gaussian mixture, without its constant.

    With mixture weights `pi_k`, means `mu_k` and diagonal variances
    `var_k` (K components, D dimensions):
    ```
    log L(e) = logsumexp_k [log pi_k - 0.5 * sum_d (e_d - mu_kd)^2 / var_kd]
    L(e)     = sum_k pi_k exp(-0.5 * sum_d (e_d - mu_kd)^2 / var_kd)   in (0, 1]
    ```
    The Gaussian's normalising constant is dropped, so that `L = 1` at a
    mean of a single component and the least-squares targets 1 (real) and
    0 (fake) are reachable. `L` is computed from `log L` (`logsumexp`), in
    float32: far from every component it underflows to 0, never to NaN.

    The mixture is not trained by gradient: its weights, means and variances
    are non-trainable variables (saved with the model), set by `fit(e)` on
    the embeddings of a real batch before each discriminator update:
    closed form for one component, `iterations` EM steps for more.

    Subclasses change the density through one method,
    `component_log_density(e, means, variances, normalized=False)`, the
    `(batch, K)` log densities of the components. It is used by `call` and
    by the E-step of `fit` (with `normalized=True`); the M-step stays the
    Gaussian's moment matching.

    Args:
        num_components: `K`, the number of components (the paper uses 1).
        covariance: `"diag"` (a variance per component and dimension) or
            `"spherical"` (one variance per component).
        log: return `log L` instead of `L`.
        variance_floor: the smallest variance `fit` sets; raise it if the
            real embeddings collapse.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: embeddings `e`, of shape `(batch, D)`.

    Returns:
        `L(e)` (or `log L(e)`), of shape `(batch, 1)`, in the compute dtype.
        Under `float16`, `log L` is clipped at -65504 to stay finite.

    Raises:
        ValueError: for inputs of rank other than 2, an unknown `D`, or a
            bad argument.

    >>> layer = GMMLikelihood()
    >>> float(layer(keras.ops.zeros((1, 2)))[0, 0])
    1.0

    Reference:
        Eghbal-zadeh & Widmer, "Probabilistic Generative Adversarial
        Networks", 2017, https://arxiv.org/abs/1708.01886
    """

    def __init__(
        self,
        num_components=1,
        covariance="diag",
        log=False,
        variance_floor=1e-6,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("num_components", num_components)
        if covariance not in COVARIANCES:
            raise ValueError(
                f"`covariance` must be one of {COVARIANCES}. "
                f"Received: covariance={covariance!r}"
            )
        if not (isinstance(variance_floor, (int, float)) and variance_floor > 0):
            raise ValueError(
                "`variance_floor` must be a number > 0. "
                f"Received: variance_floor={variance_floor!r}"
            )
        self.num_components = int(num_components)
        self.covariance = covariance
        self.log = bool(log)
        self.variance_floor = float(variance_floor)
        self.input_spec = keras.layers.InputSpec(ndim=2)

    def build(self, input_shape):
        dim = check_feature_shape(input_shape, type(self).__name__, "embedding")
        k = self.num_components
        self.mixture_weights = self.add_weight(
            name="mixture_weights",
            shape=(k,),
            initializer=keras.initializers.Constant(1.0 / k),
            trainable=False,
            dtype="float32",
        )
        self.means = self.add_weight(
            name="means",
            shape=(k, dim),
            initializer="zeros",
            trainable=False,
            dtype="float32",
        )
        self.variances = self.add_weight(
            name="variances",
            shape=(k, dim),
            initializer="ones",
            trainable=False,
            dtype="float32",
        )
        self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: dim})

    def component_log_density(self, e, means, variances, normalized=False):
        """Each component's log density at each embedding.

        ```
        log p_k(e) = -0.5 * sum_d (e_d - mu_kd)^2 / var_kd
                     [- 0.5 * sum_d log(2 pi var_kd)   if normalized]
        ```

        Args:
            e: embeddings, float32, `(batch, D)`.
            means: `(K, D)`.
            variances: `(K, D)`.
            normalized: include the normalising constant (a proper density,
                as EM needs).

        Returns:
            A float32 tensor of shape `(batch, K)`.
        """
        diff = e[:, None, :] - means[None, :, :]
        log_density = -0.5 * ops.sum(ops.square(diff) / variances[None], axis=-1)
        if normalized:
            log_density = log_density - 0.5 * ops.sum(
                ops.log(2.0 * 3.141592653589793 * variances), axis=-1
            )
        return log_density

    def _log_mixture(self, e, weights, means, variances, normalized):
        terms = ops.log(weights)[None, :] + self.component_log_density(
            e, means, variances, normalized=normalized
        )
        return ops.logsumexp(terms, axis=-1)

    def _mixture(self):
        # float32 values: inside `call`, Keras would autocast the variables
        # to a mixed policy's compute dtype.
        return tuple(
            ops.cast(v, "float32")
            for v in (self.mixture_weights, self.means, self.variances)
        )

    def log_likelihood(self, e):
        """`log L(e)` of shape `(batch,)`, in float32 (no constant)."""
        return self._log_mixture(
            ops.cast(e, "float32"), *self._mixture(), normalized=False
        )

    def log_prob(self, e):
        """The mixture's normalised log density `log p(e)`, `(batch,)`.

        ```
        log p(e) = logsumexp_k [log pi_k + log N(e; mu_k, diag(var_k))]
        ```
        The quantity EM maximises (and `sklearn`'s `score_samples`).
        """
        return self._log_mixture(
            ops.cast(e, "float32"), *self._mixture(), normalized=True
        )

    def call(self, inputs):
        log_l = self.log_likelihood(inputs)[:, None]
        if not self.log:
            return ops.cast(ops.exp(log_l), self.compute_dtype)
        if self.compute_dtype == "float16":
            log_l = ops.maximum(log_l, -_FLOAT16_MAX)
        return ops.cast(log_l, self.compute_dtype)

    def fit(self, e, iterations=10, warm_start=False):
        """Fits the mixture to embeddings `e` (of a real batch) and stores it.

        Maximum likelihood with variances floored at `variance_floor`:
        ```
        K = 1:  pi = 1,  mu = mean(e),  var = mean((e - mu)^2)
        K > 1:  EM from the current mixture (warm_start) or from K
                far-apart samples of e (each the sample farthest from those
                already chosen, the first the farthest from the mean):
          E: r_ik = pi_k N(e_i; mu_k, var_k) / sum_j pi_j N(e_i; mu_j, var_j)
          M: n_k = sum_i r_ik,  pi_k = n_k / N,  mu_k = sum_i r_ik e_i / n_k,
             var_k = sum_i r_ik (e_i - mu_k)^2 / n_k
        ```
        (spherical: `var_k` averaged over `d`). No gradient flows through the
        fit, and it has no data-dependent Python control flow: a fixed number
        of iterations, then `.assign` to the variables, so it runs inside a
        compiled (XLA) training step.

        Args:
            e: embeddings of shape `(N, D)`, N >= 2 and N >= K.
            iterations: EM steps (K > 1; ignored for K = 1).
            warm_start: start EM from the stored mixture instead of from the
                data.

        Returns:
            The mean normalised log density of `e` under the fitted mixture
            (a float32 scalar).

        Raises:
            ValueError: for `e` of the wrong rank or dimension, or too few
                samples.
        """
        check_positive_int("iterations", iterations)
        e = ops.stop_gradient(ops.cast(ops.convert_to_tensor(e), "float32"))
        name = type(self).__name__
        dim = check_feature_shape(e.shape, name, "embedding")
        if not self.built:
            self.build(e.shape)
        expected = int(self.means.shape[-1])
        if dim != expected:
            raise ValueError(
                f"{name} was built for embeddings of dimension {expected}. "
                f"Received: e.shape={tuple(e.shape)}."
            )
        n = e.shape[0]
        needed = max(2, self.num_components)
        if n is not None and n < needed:
            raise ValueError(
                f"{name}.fit needs at least {needed} samples (>= 2 and >= "
                f"num_components={self.num_components}). Received: a batch "
                f"of {n}."
            )
        if self.num_components == 1:
            weights, means, variances = self._fit_one(e)
        else:
            if warm_start:
                init = self._mixture()
            else:
                init = self._initial_mixture(e)
            weights, means, variances = ops.fori_loop(
                0, iterations, lambda _, p: self._em_step(e, *p), init
            )
        self.mixture_weights.assign(weights)
        self.means.assign(means)
        self.variances.assign(variances)
        return ops.mean(
            self._log_mixture(e, weights, means, variances, normalized=True)
        )

    def _floor(self, variances):
        if self.covariance == "spherical":
            variances = ops.broadcast_to(
                ops.mean(variances, axis=-1, keepdims=True), ops.shape(variances)
            )
        return ops.maximum(variances, self.variance_floor)

    def _fit_one(self, e):
        mean = ops.mean(e, axis=0, keepdims=True)
        variance = ops.mean(ops.square(e - mean), axis=0, keepdims=True)
        return ops.ones((1,), "float32"), mean, self._floor(variance)

    def _initial_mixture(self, e):
        k = self.num_components
        center = ops.mean(e, axis=0, keepdims=True)
        spread = ops.mean(ops.square(e - center), axis=0, keepdims=True)
        distance = ops.sum(ops.square(e - center), axis=-1)
        means = []
        for _ in range(k):
            chosen = ops.take(e, ops.argmax(distance), axis=0)
            means.append(chosen)
            to_chosen = ops.sum(ops.square(e - chosen[None, :]), axis=-1)
            # The distance of each sample to the nearest chosen mean.
            distance = to_chosen if len(means) == 1 else ops.minimum(distance, to_chosen)
        weights = ops.full((k,), 1.0 / k, dtype="float32")
        variances = self._floor(ops.repeat(spread, k, axis=0))
        return weights, ops.stack(means, axis=0), variances

    def _em_step(self, e, weights, means, variances):
        log_r = ops.log(weights)[None, :] + self.component_log_density(
            e, means, variances, normalized=True
        )
        r = ops.exp(log_r - ops.logsumexp(log_r, axis=-1, keepdims=True))
        n_k = ops.sum(r, axis=0) + 1e-6
        weights = n_k / ops.sum(n_k)
        means = ops.matmul(ops.transpose(r), e) / n_k[:, None]
        diff = e[:, None, :] - means[None, :, :]
        variances = ops.sum(r[:, :, None] * ops.square(diff), axis=0) / n_k[:, None]
        return weights, means, self._floor(variances)

    def compute_output_shape(self, input_shape):
        check_feature_shape(input_shape, type(self).__name__, "embedding")
        return (input_shape[0], 1)

    def get_config(self):
        return {
            **super().get_config(),
            "num_components": self.num_components,
            "covariance": self.covariance,
            "log": self.log,
            "variance_floor": self.variance_floor,
        }
