"""Sample-based GAN evaluation statistics: FID, IS, KID, precision/recall.

Pure NumPy/SciPy mathematics on feature vectors or classifier outputs that
have already been computed (the extractors live elsewhere). Everything is
done in float64 on the host and the results are Python floats, so the
values do not depend on the Keras backend.

- `frechet_distance` / `frechet_distance_from_statistics`: the Fréchet
  distance between Gaussians fitted to two feature sets (FID when the
  features are Inception pool features).
- `inception_score`: exp of the mean KL between per-sample and marginal
  class distributions.
- `kernel_inception_distance`: unbiased MMD^2 with a cubic polynomial kernel.
- `precision_recall`: k-NN manifold precision and recall.
- `class_statistics`: distinct argmax classes and their KL to uniform.
"""

import keras
import numpy as np

from gan_zoo.arguments import check_positive_int

# Relative tolerance for a covariance to count as symmetric positive
# semi-definite: asymmetry or negative eigenvalues up to this fraction of the
# largest entry / eigenvalue are rounding (well above float32 accumulation
# error) and are removed; larger ones raise.
_COVARIANCE_RTOL = 1e-4

# Pairwise-distance blocks in `precision_recall` hold at most this many
# float64 values (2**23 values = 64 MiB), whatever the set sizes.
_DISTANCE_BLOCK = 2**23


def _as_matrix(name, x, min_rows=1):
    """`x` as a finite float64 array of shape (rows, dim), rows >= min_rows."""
    if not isinstance(x, np.ndarray):
        try:
            x = keras.ops.convert_to_numpy(x)
        except Exception:
            x = np.asarray(x)
    x = np.asarray(x, dtype="float64")
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(
            f"`{name}` must be a 2-D array of shape (num_samples, dim). "
            f"Received: {name}.shape={x.shape}"
        )
    if x.shape[0] < min_rows:
        raise ValueError(
            f"`{name}` needs at least {min_rows} samples (rows). "
            f"Received: {name}.shape={x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    return x


def _check_same_dim(name_a, a, name_b, b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same feature dimension. "
            f"Received: {name_a}.shape={a.shape}, {name_b}.shape={b.shape}"
        )


def _covariance_factor(name, sigma):
    """`L` with `L @ L.T == sigma`, from an eigendecomposition of `sigma`."""
    scale = np.max(np.abs(sigma))
    if np.max(np.abs(sigma - sigma.T)) > _COVARIANCE_RTOL * scale:
        raise ValueError(f"`{name}` must be a symmetric (covariance) matrix.")
    values, vectors = np.linalg.eigh(0.5 * (sigma + sigma.T))
    if values[0] < -_COVARIANCE_RTOL * max(values[-1], 0.0):
        raise ValueError(
            f"`{name}` must be positive semi-definite. Received a matrix "
            f"with smallest eigenvalue {values[0]:.3g} "
            f"(largest {values[-1]:.3g})."
        )
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def _trace_sqrt_product(sigma_a, sigma_b):
    """`tr((sigma_a sigma_b)^(1/2))`, the sum of the singular values of `L_a^T L_b`."""
    factor_a = _covariance_factor("sigma_a", sigma_a)
    factor_b = _covariance_factor("sigma_b", sigma_b)
    singular_values = np.linalg.svd(factor_a.T @ factor_b, compute_uv=False)
    return float(np.sum(singular_values))


def frechet_distance_from_statistics(mu_a, sigma_a, mu_b, sigma_b, eps=1e-6):
    """Fréchet (2-Wasserstein) distance between two Gaussians.

    Formula:

    ```
    d^2 = ||mu_a - mu_b||^2 + tr(sigma_a + sigma_b - 2 (sigma_a sigma_b)^(1/2))
    ```

    The trace of the matrix square root is computed without forming it:
    with `sigma = L L^T` (`L = V diag(sqrt(lambda))` from an eigendecomposition,
    rounding-level negative eigenvalues set to 0), the eigenvalues of
    `sigma_a sigma_b` are the squared singular values of `L_a^T L_b`, so

    ```
    tr((sigma_a sigma_b)^(1/2)) = sum_i s_i(L_a^T L_b)
    ```

    This is real by construction (no imaginary part to drop), exact for
    identical covariances, and stays accurate when the covariances are
    singular (fewer samples than dimensions), where `scipy.linalg.sqrtm`
    needs a regulariser. `eps * I` is added to both covariances only if the
    decomposition fails or gives a non-finite value. The result is clipped
    at 0 (it can come out at about -1e-12 by rounding).

    Args:
        mu_a: array-like of shape `(dim,)`, mean of the first Gaussian.
        sigma_a: array-like of shape `(dim, dim)`, its covariance (symmetric
            positive semi-definite).
        mu_b: array-like of shape `(dim,)`, mean of the second Gaussian.
        sigma_b: array-like of shape `(dim, dim)`, its covariance.
        eps: float >= 0, the diagonal offset of the fallback. Defaults to
            `1e-6`.

    Returns:
        The squared Fréchet distance `d^2` as a float >= 0 (FID reports this
        value, without a square root).

    Raises:
        ValueError: if the shapes do not match, a value is not finite, a
            covariance is not symmetric positive semi-definite (beyond
            rounding), or `eps` is negative.

    >>> frechet_distance_from_statistics([0.0], [[4.0]], [3.0], [[1.0]])
    10.0

    Reference:
        Heusel et al., 2017, "GANs Trained by a Two Time-Scale Update Rule
        Converge to a Local Nash Equilibrium", https://arxiv.org/abs/1706.08500
        (closed form: Dowson & Landau, 1982, "The Fréchet distance between
        multivariate normal distributions").
    """
    if not (isinstance(eps, (int, float, np.floating)) and eps >= 0):
        raise ValueError(f"`eps` must be a float >= 0. Received: eps={eps!r}")
    mu_a = np.asarray(mu_a, dtype="float64")
    mu_b = np.asarray(mu_b, dtype="float64")
    sigma_a = np.asarray(sigma_a, dtype="float64")
    sigma_b = np.asarray(sigma_b, dtype="float64")
    for name, mu in (("mu_a", mu_a), ("mu_b", mu_b)):
        if mu.ndim != 1 or mu.shape[0] == 0:
            raise ValueError(
                f"`{name}` must be a non-empty 1-D array of shape (dim,). "
                f"Received: {name}.shape={mu.shape}"
            )
    for name, sigma, mu in (("sigma_a", sigma_a, mu_a), ("sigma_b", sigma_b, mu_b)):
        if sigma.shape != (mu.shape[0], mu.shape[0]):
            raise ValueError(
                f"`{name}` must have shape (dim, dim) = {(mu.shape[0],) * 2} to "
                f"match its mean. Received: {name}.shape={sigma.shape}"
            )
    if mu_a.shape != mu_b.shape:
        raise ValueError(
            "The two Gaussians must have the same dimension. "
            f"Received: mu_a.shape={mu_a.shape}, mu_b.shape={mu_b.shape}"
        )
    for name, value in (("mu_a", mu_a), ("sigma_a", sigma_a), ("mu_b", mu_b), ("sigma_b", sigma_b)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"`{name}` contains NaN or infinite values.")

    try:
        trace_sqrt = _trace_sqrt_product(sigma_a, sigma_b)
    except np.linalg.LinAlgError:
        trace_sqrt = np.nan
    if not np.isfinite(trace_sqrt):
        offset = eps * np.eye(mu_a.shape[0])
        sigma_a, sigma_b = sigma_a + offset, sigma_b + offset
        try:
            trace_sqrt = _trace_sqrt_product(sigma_a, sigma_b)
        except np.linalg.LinAlgError as error:
            raise ValueError(
                f"The covariance square root failed even with eps={eps} added "
                "to the diagonals."
            ) from error
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * trace_sqrt
    return float(max(value, 0.0))


def frechet_distance(features_a, features_b, eps=1e-6):
    """Fréchet distance between Gaussians fitted to two feature sets (FID).

    Fits the sample mean and the unbiased (`n - 1`) sample covariance to each
    set and calls `frechet_distance_from_statistics`:

    ```
    mu = mean_i x_i,   sigma = sum_i (x_i - mu)(x_i - mu)^T / (n - 1)
    d^2 = ||mu_a - mu_b||^2 + tr(sigma_a + sigma_b - 2 (sigma_a sigma_b)^(1/2))
    ```

    FID is this value on 2048-d Inception-v3 pool features of (usually)
    50,000 samples and the training set; with fewer samples it is biased
    upward, so only compare values computed with the same sample counts.

    Args:
        features_a: array-like of shape `(n_a, dim)`, n_a >= 2.
        features_b: array-like of shape `(n_b, dim)`, n_b >= 2.
        eps: float >= 0, see `frechet_distance_from_statistics`. Defaults to
            `1e-6`.

    Returns:
        The squared Fréchet distance as a float >= 0; 0 for identical sets.

    Raises:
        ValueError: if an input is not 2-D, has fewer than 2 rows, holds
            NaN/inf, or the feature dimensions differ.

    >>> round(frechet_distance([[0.0], [2.0]], [[1.0], [3.0]]), 6)
    1.0

    Reference:
        Heusel et al., 2017, "GANs Trained by a Two Time-Scale Update Rule
        Converge to a Local Nash Equilibrium", https://arxiv.org/abs/1706.08500
    """
    features_a = _as_matrix("features_a", features_a, min_rows=2)
    features_b = _as_matrix("features_b", features_b, min_rows=2)
    _check_same_dim("features_a", features_a, "features_b", features_b)
    return frechet_distance_from_statistics(
        features_a.mean(axis=0),
        np.cov(features_a, rowvar=False, ddof=1).reshape(features_a.shape[1], -1),
        features_b.mean(axis=0),
        np.cov(features_b, rowvar=False, ddof=1).reshape(features_b.shape[1], -1),
        eps=eps,
    )


def _check_probabilities(probabilities):
    probabilities = _as_matrix("probabilities", probabilities)
    if np.min(probabilities) < 0:
        raise ValueError(
            "`probabilities` must be non-negative class probabilities (apply "
            f"a softmax to logits). Received a minimum of {np.min(probabilities):.3g}."
        )
    sums = probabilities.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > 1e-3:
        raise ValueError(
            "Each row of `probabilities` must sum to 1 (apply a softmax to "
            f"logits). Received: row {worst} sums to {sums[worst]:.6g}."
        )
    return probabilities


def inception_score(probabilities, splits=10):
    """Inception Score of classifier outputs on generated samples.

    The samples are cut into `splits` parts of (nearly) equal size
    (`np.array_split`; sizes differ by at most 1, no sample dropped). On each
    part, with `p(y) = mean_x p(y|x)` the part's marginal:

    ```
    IS = exp( mean_x sum_y p(y|x) (log p(y|x) - log p(y)) )
       = exp( mean_x KL(p(y|x) || p(y)) ),    0 log 0 = 0
    ```

    The result is the mean and (population) standard deviation of IS over
    the parts, as Salimans et al. report it (10 parts of 50,000 samples). It
    ranges from 1 (every output equals the marginal) to K (confident outputs
    spread evenly over K classes).

    Args:
        probabilities: array-like of shape `(n, num_classes)`, rows of
            class probabilities `p(y|x)` (softmax outputs; rows must sum to
            1 within 1e-3).
        splits: int >= 1, number of parts, at most `n`. Defaults to `10`.

    Returns:
        A tuple `(mean, std)` of floats.

    Raises:
        ValueError: if `probabilities` is not 2-D, is negative, has rows
            that do not sum to 1, or `splits` is not in `[1, n]`.

    >>> inception_score([[1.0, 0.0], [0.0, 1.0]], splits=1)
    (2.0, 0.0)

    Reference:
        Salimans et al., 2016, "Improved Techniques for Training GANs",
        https://arxiv.org/abs/1606.03498
    """
    probabilities = _check_probabilities(probabilities)
    check_positive_int("splits", splits)
    if splits > probabilities.shape[0]:
        raise ValueError(
            "`splits` must be at most the number of samples. Received: "
            f"splits={splits}, probabilities.shape={probabilities.shape}"
        )
    scores = []
    for part in np.array_split(probabilities, splits):
        marginal = part.mean(axis=0, keepdims=True)
        # Where p(y|x) > 0 also p(y) > 0; elsewhere the term is 0 log 0 = 0.
        positive = part > 0
        log_ratio = np.log(np.where(positive, part, 1.0)) - np.log(
            np.where(positive, marginal, 1.0)
        )
        kl = np.sum(np.where(positive, part * log_ratio, 0.0), axis=1)
        scores.append(np.exp(np.mean(kl)))
    return float(np.mean(scores)), float(np.std(scores))


def _polynomial_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _unbiased_mmd2(x, y):
    m = x.shape[0]
    k_xx = _polynomial_kernel(x, x)
    k_yy = _polynomial_kernel(y, y)
    k_xy = _polynomial_kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return within - 2.0 * k_xy.mean()


def kernel_inception_distance(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """Kernel Inception Distance: unbiased MMD^2 with a cubic polynomial kernel.

    With `k(x, y) = (x . y / dim + 1)^3` and `m` samples `x_i` from one set
    and `y_j` from the other:

    ```
    MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j)
            + 1/(m(m-1)) sum_{i != j} k(y_i, y_j)
            - 2/m^2      sum_{i, j}   k(x_i, y_j)
    ```

    `MMD^2_u` is an unbiased estimate of the population MMD^2 (0 when both
    sets come from one distribution, so it can be slightly negative). It is
    computed on `subsets` random subsets, each `subset_size` rows drawn
    without replacement from each set (`subset_size` clipped to the smaller
    set), and averaged.

    Args:
        features_a: array-like of shape `(n_a, dim)`.
        features_b: array-like of shape `(n_b, dim)`.
        subsets: int >= 1, number of random subsets. Defaults to `100`.
        subset_size: int >= 1, rows drawn from each set per subset, clipped
            to `min(n_a, n_b)` (which must be >= 2). Defaults to `1000`.
        seed: int seed of the subset draws (`np.random.default_rng`).
            Defaults to `0`.

    Returns:
        A tuple `(mean, std)` of floats over the subsets (population std).
        KID is usually reported as `mean` (often times 1000).

    Raises:
        ValueError: if an input is not 2-D, holds NaN/inf, the feature
            dimensions differ, a set has fewer than 2 rows, or `subsets` /
            `subset_size` is not a positive integer.

    >>> kernel_inception_distance([[0.0], [1.0]], [[2.0], [3.0]], subsets=1)
    (297.5, 0.0)

    Reference:
        Bińkowski et al., 2018, "Demystifying MMD GANs",
        https://arxiv.org/abs/1801.01401
    """
    features_a = _as_matrix("features_a", features_a, min_rows=2)
    features_b = _as_matrix("features_b", features_b, min_rows=2)
    _check_same_dim("features_a", features_a, "features_b", features_b)
    check_positive_int("subsets", subsets)
    check_positive_int("subset_size", subset_size)
    m = min(subset_size, features_a.shape[0], features_b.shape[0])
    if m < 2:
        raise ValueError(
            "The unbiased MMD^2 needs `subset_size` >= 2. "
            f"Received: subset_size={subset_size}"
        )
    rng = np.random.default_rng(seed)
    estimates = np.empty(subsets, dtype="float64")
    for s in range(subsets):
        x = features_a[rng.choice(features_a.shape[0], m, replace=False)]
        y = features_b[rng.choice(features_b.shape[0], m, replace=False)]
        estimates[s] = _unbiased_mmd2(x, y)
    return float(np.mean(estimates)), float(np.std(estimates))


def _squared_distance_blocks(x, y):
    """Yields `(start, d2)`: squared distances of rows `x[start:start + b]` to all of `y`."""
    x_norms = np.sum(x * x, axis=1)
    y_norms = np.sum(y * y, axis=1)
    block = max(1, _DISTANCE_BLOCK // y.shape[0])
    for start in range(0, x.shape[0], block):
        rows = slice(start, start + block)
        d2 = x_norms[rows, None] + y_norms[None, :] - 2.0 * (x[rows] @ y.T)
        yield start, np.maximum(d2, 0.0)


def _knn_squared_radii(x, k):
    """Squared distance from each row of `x` to its k-th nearest other row."""
    radii = np.empty(x.shape[0], dtype="float64")
    for start, d2 in _squared_distance_blocks(x, x):
        # Index 0 of the sorted row is the point itself (distance 0).
        radii[start : start + d2.shape[0]] = np.partition(d2, k, axis=1)[:, k]
    return radii


def _fraction_inside(queries, points, squared_radii):
    """Fraction of `queries` within the radius of at least one of `points`."""
    inside = 0
    for _, d2 in _squared_distance_blocks(queries, points):
        inside += int(np.sum(np.any(d2 <= squared_radii[None, :], axis=1)))
    return inside / queries.shape[0]


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall of generated samples (k-NN manifolds).

    Each set's manifold is the union of balls around its samples, each ball
    reaching the sample's k-th nearest neighbour in the same set:

    ```
    r_k(x; S)     = ||x - NN_k(x, S \\ {x})||
    inside(y; S)  = 1[ exists x in S: ||y - x|| <= r_k(x; S) ]
    precision     = mean_{y in fake} inside(y; real)
    recall        = mean_{x in real} inside(x; fake)
    ```

    Precision measures how many samples look real (quality); recall how
    much of the real distribution the samples cover (diversity). The paper
    uses k = 3 on 50,000 VGG-16 fc2 features per set. Pairwise distances are
    computed in blocks of at most 2**23 values (64 MiB), so 10k x 10k or
    larger sets fit in memory.

    Args:
        real_features: array-like of shape `(n_real, dim)`, n_real > k.
        fake_features: array-like of shape `(n_fake, dim)`, n_fake > k.
        k: int >= 1, the neighbour defining the radii. Defaults to `3`.

    Returns:
        A dict `{"precision": float, "recall": float}`, both in [0, 1].

    Raises:
        ValueError: if an input is not 2-D, holds NaN/inf, the feature
            dimensions differ, a set has at most `k` rows, or `k` is not a
            positive integer.

    >>> real = [[0.0], [1.0], [2.0], [10.0]]
    >>> precision_recall(real, [[0.5], [2.9], [4.0], [5.0]], k=1)
    {'precision': 1.0, 'recall': 0.75}

    Reference:
        Kynkäänniemi et al., 2019, "Improved Precision and Recall Metric for
        Assessing Generative Models", https://arxiv.org/abs/1904.06991
    """
    check_positive_int("k", k)
    real = _as_matrix("real_features", real_features, min_rows=k + 1)
    fake = _as_matrix("fake_features", fake_features, min_rows=k + 1)
    _check_same_dim("real_features", real, "fake_features", fake)
    real_radii = _knn_squared_radii(real, k)
    fake_radii = _knn_squared_radii(fake, k)
    return {
        "precision": float(_fraction_inside(fake, real, real_radii)),
        "recall": float(_fraction_inside(real, fake, fake_radii)),
    }


def class_statistics(probabilities, num_classes=None):
    """Distinct predicted classes of samples and their KL to uniform.

    Each sample gets the class `c(x) = argmax_y p(y|x)` (ties go to the
    lowest index). With `n_c` samples in class `c`, `q_c = n_c / n` and `K`
    classes:

    ```
    distinct_classes = #{c : n_c > 0}
    class_kl = KL(q || uniform) = sum_{c: q_c > 0} q_c log(K q_c)
             = log K - H(q)                      (natural log, nats)
    ```

    `class_kl` is 0 when the samples spread evenly over all classes and
    `log K` when they all fall in one (the "number of modes" / "KL of the
    class distribution" of mode-collapse studies, e.g. stacked MNIST with
    K = 1000).

    Args:
        probabilities: array-like of shape `(n, K)` of class scores
            (probabilities or logits: only the argmax is used), or an
            integer array of shape `(n,)` of predicted labels in `[0, K)`.
        num_classes: int `K`, or `None` for `probabilities.shape[1]`.
            Required for labels; must equal `shape[1]` for scores.

    Returns:
        A dict `{"distinct_classes": int, "class_kl": float}`.

    Raises:
        ValueError: if the input is empty or not 1-/2-D, labels are not
            integers in `[0, num_classes)`, or `num_classes` is missing for
            labels or disagrees with the score columns.

    >>> class_statistics([0, 0, 1, 1], num_classes=4)
    {'distinct_classes': 2, 'class_kl': 0.6931471805599453}

    Reference:
        Metz et al., 2017, "Unrolled Generative Adversarial Networks",
        https://arxiv.org/abs/1611.02163 (modes and KL on stacked MNIST).
    """
    if num_classes is not None:
        check_positive_int("num_classes", num_classes)
    if not isinstance(probabilities, np.ndarray):
        try:
            probabilities = keras.ops.convert_to_numpy(probabilities)
        except Exception:
            probabilities = np.asarray(probabilities)
    values = np.asarray(probabilities)
    if values.ndim == 2 and values.shape[0] > 0 and values.shape[1] > 0:
        values = _as_matrix("probabilities", values)
        if num_classes is not None and num_classes != values.shape[1]:
            raise ValueError(
                "`num_classes` must equal the number of score columns. Received: "
                f"num_classes={num_classes}, probabilities.shape={values.shape}"
            )
        num_classes = values.shape[1]
        labels = np.argmax(values, axis=1)
    elif values.ndim == 1 and values.shape[0] > 0:
        if num_classes is None:
            raise ValueError(
                "`num_classes` is required when `probabilities` holds labels "
                f"(a 1-D array). Received: probabilities.shape={values.shape}"
            )
        if not (np.issubdtype(values.dtype, np.integer) or np.all(np.mod(values, 1) == 0)):
            raise ValueError("1-D `probabilities` must hold integer class labels.")
        labels = values.astype("int64")
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(
                f"Labels must lie in [0, num_classes) = [0, {num_classes}). "
                f"Received labels in [{labels.min()}, {labels.max()}]."
            )
    else:
        raise ValueError(
            "`probabilities` must be a non-empty 2-D array of shape "
            "(num_samples, num_classes) or 1-D array of labels. "
            f"Received: probabilities.shape={values.shape}"
        )
    counts = np.bincount(labels, minlength=num_classes)
    q = counts[counts > 0] / labels.shape[0]
    return {
        "distinct_classes": int(np.count_nonzero(counts)),
        "class_kl": float(max(np.sum(q * np.log(num_classes * q)), 0.0)),
    }


def confident_fraction(probabilities, threshold=0.9):
    """Share of samples whose most likely class has probability > `threshold`.

    ```
    confident_fraction = #{i : max_y p(y|x_i) > threshold} / n
    ```
    With a classifier of real images, the share of samples it recognises
    without doubt: a reading of "these look like digits" next to FID.

    Args:
        probabilities: array-like `(n, K)` of class probabilities (rows
            summing to 1, not logits).
        threshold: float in [0, 1). Defaults to `0.9`.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: for an empty or non-2-D input, rows that are not
            probabilities, or a threshold outside [0, 1).

    >>> confident_fraction([[0.95, 0.05], [0.6, 0.4]])
    0.5
    """
    if not (isinstance(threshold, (int, float)) and 0 <= threshold < 1):
        raise ValueError(f"`threshold` must lie in [0, 1). Received: threshold={threshold!r}")
    values = np.asarray(keras.ops.convert_to_numpy(probabilities), dtype="float64")
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            "`probabilities` must be a non-empty 2-D array (num_samples, "
            f"num_classes). Received: shape={values.shape}"
        )
    if np.any(values < 0) or not np.allclose(values.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            "`probabilities` must hold probabilities (non-negative rows summing "
            "to 1), not logits."
        )
    return float(np.mean(values.max(axis=1) > threshold))
