import keras
import numpy as np
import pytest
import scipy.linalg

from gan_zoo.metrics import class_statistics
from gan_zoo.metrics import confident_fraction
from gan_zoo.metrics import frechet_distance
from gan_zoo.metrics import frechet_distance_from_statistics
from gan_zoo.metrics import inception_score
from gan_zoo.metrics import kernel_inception_distance
from gan_zoo.metrics import precision_recall
from gan_zoo.metrics import statistics


def _diagonal_closed_form(mu_a, var_a, mu_b, var_b):
    # W2^2 of Gaussians with diagonal covariances (commuting case).
    return np.sum((mu_a - mu_b) ** 2) + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)


def _random_rotation(rng, dim):
    q, r = np.linalg.qr(rng.normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))


# --- Fréchet distance ----------------------------------------------------


def test_frechet_from_statistics_matches_diagonal_closed_form():
    mu_a, mu_b = np.array([0.0, 1.0, -2.0, 3.0]), np.array([1.0, 1.0, 0.5, 3.0])
    var_a, var_b = np.array([1.0, 4.0, 0.25, 9.0]), np.array([4.0, 1.0, 0.25, 0.0])
    expected = _diagonal_closed_form(mu_a, var_a, mu_b, var_b)  # 1+6.25 + 1+1+0+9
    assert expected == pytest.approx(18.25)
    got = frechet_distance_from_statistics(mu_a, np.diag(var_a), mu_b, np.diag(var_b))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)
    # Symmetric in its two Gaussians, and invariant to a common rotation.
    assert frechet_distance_from_statistics(
        mu_b, np.diag(var_b), mu_a, np.diag(var_a)
    ) == pytest.approx(expected, rel=1e-12)
    q = _random_rotation(np.random.default_rng(0), 4)
    rotated = frechet_distance_from_statistics(
        q @ mu_a, q @ np.diag(var_a) @ q.T, q @ mu_b, q @ np.diag(var_b) @ q.T
    )
    # var_b has a zero: after rotation its eigenvalue is ~1e-15 by rounding,
    # and the square root turns that into an error of ~sqrt(1e-15).
    assert rotated == pytest.approx(expected, abs=1e-6)


def test_frechet_from_statistics_non_commuting_2x2_closed_form():
    # For 2x2 matrices with non-negative eigenvalues,
    # tr(M^(1/2)) = sqrt(tr(M) + 2 sqrt(det M)); here M = A B does not
    # commute (A B != B A), so no diagonal shortcut applies.
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    b = np.array([[1.0, 0.3], [0.3, 0.5]])
    assert not np.allclose(a @ b, b @ a)
    trace_sqrt = np.sqrt(np.trace(a @ b) + 2.0 * np.sqrt(np.linalg.det(a) * np.linalg.det(b)))
    mu_a, mu_b = np.array([1.0, 2.0]), np.array([0.0, -1.0])
    expected = 10.0 + np.trace(a) + np.trace(b) - 2.0 * trace_sqrt
    got = frechet_distance_from_statistics(mu_a, a, mu_b, b)
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_from_statistics_agrees_with_sqrtm_on_random_covariances():
    rng = np.random.default_rng(1)
    dim = 12
    x, y = rng.normal(size=(dim, dim)), rng.normal(size=(dim, dim))
    a, b = x @ x.T + 0.1 * np.eye(dim), y @ y.T + 0.1 * np.eye(dim)
    mu_a, mu_b = rng.normal(size=dim), rng.normal(size=dim)
    reference = np.real(scipy.linalg.sqrtm(a @ b))
    expected = np.sum((mu_a - mu_b) ** 2) + np.trace(a + b - 2.0 * reference)
    got = frechet_distance_from_statistics(mu_a, a, mu_b, b)
    assert got == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("num, dim", [(500, 16), (20, 64)])
def test_frechet_distance_of_identical_sets_is_zero(num, dim):
    # (20, 64): fewer samples than dimensions, so the covariance is singular.
    features = np.random.default_rng(2).normal(3.0, 2.0, size=(num, dim))
    assert abs(frechet_distance(features, features)) < 1e-6
    assert abs(frechet_distance(features, features[::-1].copy())) < 1e-6


def test_frechet_distance_of_samples_approaches_closed_form():
    rng = np.random.default_rng(3)
    mu_a, mu_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([2.0, 1.0, 1.0])
    expected = _diagonal_closed_form(mu_a, var_a, mu_b, var_b)  # ~6.42
    n = 20_000
    a = rng.normal(mu_a, np.sqrt(var_a), size=(n, 3))
    b = rng.normal(mu_b, np.sqrt(var_b), size=(n, 3))
    # The mean term dominates the sampling error: its std is about
    # 2 ||mu_a - mu_b|| sqrt(max var / n) ~ 0.07, so 0.2 is ~3 std.
    assert frechet_distance(a, b) == pytest.approx(expected, abs=0.2)
    # A tenth of the samples has ~3x the error: a looser bound.
    assert frechet_distance(a[:2000], b[:2000]) == pytest.approx(expected, abs=0.7)


def test_frechet_eps_fallback_regularises_both_covariances(monkeypatch):
    # Make the first eigendecomposition fail: the function must retry with
    # eps * I added to both covariances, i.e. variances a + eps and b + eps.
    real_eigh, calls = np.linalg.eigh, []

    def flaky_eigh(matrix):
        calls.append(1)
        if len(calls) == 1:
            raise np.linalg.LinAlgError("forced failure")
        return real_eigh(matrix)

    monkeypatch.setattr(statistics.np.linalg, "eigh", flaky_eigh)
    mu = np.zeros(3)
    var_a, var_b = np.array([1.0, 0.0, 4.0]), np.array([0.0, 0.0, 1.0])
    got = frechet_distance_from_statistics(mu, np.diag(var_a), mu, np.diag(var_b), eps=0.5)
    assert got == pytest.approx(_diagonal_closed_form(mu, var_a + 0.5, mu, var_b + 0.5))
    assert len(calls) == 3  # one failure, then one per covariance


def test_frechet_rejects_non_covariances():
    mu = np.zeros(2)
    with pytest.raises(ValueError, match="positive semi-definite"):
        frechet_distance_from_statistics(mu, np.diag([1.0, -1.0]), mu, np.eye(2))
    with pytest.raises(ValueError, match="symmetric"):
        frechet_distance_from_statistics(mu, np.eye(2), mu, [[1.0, 0.5], [0.0, 1.0]])
    # Rounding-level negative eigenvalues are clipped, not rejected.
    got = frechet_distance_from_statistics(mu, np.diag([1.0, -1e-9]), mu, np.diag([1.0, 0.0]))
    assert got == pytest.approx(0.0, abs=1e-8)


@pytest.mark.parametrize(
    "a, b, message",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), "same feature dimension"),
        (np.zeros(5), np.zeros((5, 1)), r"features_a.shape=\(5,\)"),
        (np.zeros((4, 2)), np.zeros((1, 2)), r"at least 2 samples.*features_b.shape=\(1, 2\)"),
        (np.zeros((4, 2, 1)), np.zeros((4, 2)), "2-D array"),
        (np.full((4, 2), np.nan), np.zeros((4, 2)), "NaN"),
    ],
)
def test_frechet_distance_bad_shapes_raise(a, b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(a, b)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), r"sigma_a.shape=\(3, 3\)"),
        ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), "same dimension"),
        ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)), r"mu_a.shape=\(2, 1\)"),
        ((np.zeros(2), np.eye(2), np.zeros(2), np.full((2, 2), np.inf)), "sigma_b"),
    ],
)
def test_frechet_from_statistics_bad_inputs_raise(args, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance_from_statistics(*args)
    with pytest.raises(ValueError, match="eps=-1.0"):
        frechet_distance_from_statistics(np.zeros(1), np.eye(1), np.zeros(1), np.eye(1), eps=-1.0)


# --- Inception Score -----------------------------------------------------


def test_inception_score_of_uniform_outputs_is_one():
    mean, std = inception_score(np.full((100, 10), 0.1), splits=10)
    assert mean == pytest.approx(1.0, abs=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("num_classes", [2, 10])
def test_inception_score_of_confident_balanced_outputs_is_num_classes(num_classes):
    # One-hot rows cycling through the classes: every split holds each class
    # equally often, so p(y) is uniform and KL = log K for every sample.
    probabilities = np.eye(num_classes)[np.arange(10 * num_classes) % num_classes]
    mean, std = inception_score(probabilities, splits=10)
    assert mean == pytest.approx(num_classes, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-9)


def test_inception_score_hand_computed():
    # p(y) = [0.75, 0.25]; KL rows: 0.5 log(4/3) and log(4/3); IS = (4/3)^0.75.
    mean, std = inception_score([[0.5, 0.5], [1.0, 0.0]], splits=1)
    assert mean == pytest.approx((4.0 / 3.0) ** 0.75, rel=1e-12)
    assert std == 0.0
    # Two splits, one uniform (IS 1) and one confident over 2 classes (IS 2).
    probabilities = [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]]
    mean, std = inception_score(probabilities, splits=2)
    assert (mean, std) == pytest.approx((1.5, 0.5), rel=1e-12)


def test_inception_score_uses_every_sample_in_uneven_splits():
    # 5 samples in 2 splits: sizes 3 and 2 (np.array_split).
    probabilities = np.eye(2)[[0, 1, 0, 0, 1]]
    part_1 = np.exp(np.mean([np.log(3 / 2), np.log(3), np.log(3 / 2)]))
    mean, std = inception_score(probabilities, splits=2)
    assert mean == pytest.approx((part_1 + 2.0) / 2.0, rel=1e-12)
    assert std == pytest.approx(abs(part_1 - 2.0) / 2.0, rel=1e-12)


@pytest.mark.parametrize(
    "probabilities, splits, message",
    [
        (np.full(10, 0.1), 1, r"probabilities.shape=\(10,\)"),
        (np.array([[1.5, -0.5]] * 4), 1, "non-negative"),
        (np.array([[0.5, 0.4]] * 4), 1, "sum to 1"),
        (np.full((4, 2), 0.5), 5, "splits=5"),
        (np.full((4, 2), 0.5), 0, "splits=0"),
    ],
)
def test_inception_score_bad_inputs_raise(probabilities, splits, message):
    with pytest.raises(ValueError, match=message):
        inception_score(probabilities, splits=splits)


# --- Kernel Inception Distance -------------------------------------------


def test_kid_hand_computed():
    # d = 1: k(x, y) = (x y + 1)^3. k(0,1) = 1, k(2,3) = 343,
    # sum k(x_i, y_j) = 1 + 1 + 27 + 64 = 93, so
    # MMD^2_u = 2*1/2 + 2*343/2 - 2*93/4 = 297.5 for every subset.
    mean, std = kernel_inception_distance([[0.0], [1.0]], [[2.0], [3.0]], subsets=5)
    assert mean == pytest.approx(297.5, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-9)


def test_kid_is_unbiased_on_one_distribution():
    # 400 independent pairs of 10-sample sets from N(0, I_4); with
    # subset_size = 10 each call returns the full unbiased estimate, so the
    # mean of the 400 must be within 3 standard errors of 0.
    rng = np.random.default_rng(4)
    unbiased, biased = [], []
    for _ in range(400):
        x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 4))
        unbiased.append(kernel_inception_distance(x, y, subsets=1, subset_size=10)[0])
        k = lambda p, q: (p @ q.T / 4 + 1) ** 3  # noqa: E731
        biased.append(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())
    unbiased, biased = np.array(unbiased), np.array(biased)
    bound = 3.0 * unbiased.std() / np.sqrt(len(unbiased))
    assert abs(unbiased.mean()) < bound
    # The check has power: the biased (V-statistic) estimate fails it.
    assert biased.mean() > 3.0 * bound


def test_kid_of_shifted_distributions_is_clearly_positive():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(300, 8))
    b = rng.normal(size=(300, 8)) + 1.0
    same = rng.normal(size=(300, 8))
    same_mean, _ = kernel_inception_distance(a, same, subsets=20, subset_size=100)
    mean, std = kernel_inception_distance(a, b, subsets=20, subset_size=100)
    assert mean > 0.5
    assert mean > 5.0 * std
    assert mean > 20.0 * abs(same_mean)


def test_kid_subset_size_is_clipped_and_seeded():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(30, 5)), rng.normal(size=(40, 5)) + 0.5
    clipped = kernel_inception_distance(a, b, subsets=3, subset_size=1000)
    assert clipped == kernel_inception_distance(a, b, subsets=3, subset_size=30)
    # All of `a` is used each time; the 30 of `b` change with each subset.
    assert clipped[1] > 0.0
    assert kernel_inception_distance(a, b, subsets=4, subset_size=10, seed=1) == (
        kernel_inception_distance(a, b, subsets=4, subset_size=10, seed=1)
    )
    assert kernel_inception_distance(a, b, subsets=4, subset_size=10, seed=1) != (
        kernel_inception_distance(a, b, subsets=4, subset_size=10, seed=2)
    )


@pytest.mark.parametrize(
    "a, b, kwargs, message",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), {}, "same feature dimension"),
        (np.zeros(5), np.zeros((5, 1)), {}, r"features_a.shape=\(5,\)"),
        (np.zeros((5, 2)), np.zeros((1, 2)), {}, "at least 2 samples"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"subset_size": 1}, "subset_size"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"subsets": 0}, "subsets=0"),
    ],
)
def test_kid_bad_inputs_raise(a, b, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kernel_inception_distance(a, b, **kwargs)


# --- Precision and recall ------------------------------------------------


def test_precision_recall_of_identical_sets_is_one():
    features = np.random.default_rng(7).normal(size=(200, 8))
    assert precision_recall(features, features) == {"precision": 1.0, "recall": 1.0}


def test_precision_recall_of_far_apart_sets_is_zero():
    rng = np.random.default_rng(8)
    real, fake = rng.normal(size=(100, 8)), rng.normal(size=(120, 8)) + 100.0
    assert precision_recall(real, fake) == {"precision": 0.0, "recall": 0.0}


def test_precision_recall_hand_computed():
    # k = 1. Real radii: 0->1, 1->1, 2->1, 10->8. Fake radii: 0.5->2.4,
    # 2.9->1.1, 4->1, 5->1. Every fake is inside a real ball (4 and 5 via the
    # ball of 10); real 10 is in no fake ball, so recall = 3/4.
    real = [[0.0], [1.0], [2.0], [10.0]]
    fake = [[0.5], [2.9], [4.0], [5.0]]
    assert precision_recall(real, fake, k=1) == {"precision": 1.0, "recall": 0.75}
    # Swapping the sets swaps the two numbers.
    assert precision_recall(fake, real, k=1) == {"precision": 0.75, "recall": 1.0}
    # k = 3: real radii 0->10, 1->9, 2->8, 10->10 hold every fake; fake radii
    # 0.5->4.5, 2.9->2.4, 4->3.5, 5->4.5 leave real 10 (5 from fake 5) out.
    assert precision_recall(real, fake, k=3) == {"precision": 1.0, "recall": 0.75}


def test_precision_recall_blocks_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(150, 6)), rng.normal(size=(130, 6)) * 1.5 + 0.3
    whole = precision_recall(real, fake, k=3)
    assert 0.0 < whole["precision"] < 1.0 and 0.0 < whole["recall"] < 1.0
    monkeypatch.setattr(statistics, "_DISTANCE_BLOCK", 7 * 150)  # blocks of 7 rows
    assert precision_recall(real, fake, k=3) == whole


@pytest.mark.parametrize(
    "real, fake, k, message",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), 3, "same feature dimension"),
        (np.zeros(5), np.zeros((5, 1)), 3, r"real_features.shape=\(5,\)"),
        (np.zeros((5, 2)), np.zeros((3, 2)), 3, r"at least 4 samples.*fake_features"),
        (np.zeros((5, 2)), np.zeros((5, 2)), 0, "k=0"),
    ],
)
def test_precision_recall_bad_inputs_raise(real, fake, k, message):
    with pytest.raises(ValueError, match=message):
        precision_recall(real, fake, k=k)


# --- Class statistics ----------------------------------------------------


def test_class_statistics_hand_computed():
    # argmax classes 0, 0, 0, 1, 1, 2 of K = 4: q = (1/2, 1/3, 1/6, 0),
    # KL(q || uniform) = sum q_c log(4 q_c).
    labels = [0, 0, 0, 1, 1, 2]
    probabilities = np.full((6, 4), 0.1)
    probabilities[np.arange(6), labels] = 0.7
    expected = 0.5 * np.log(2.0) + np.log(4.0 / 3.0) / 3.0 + np.log(2.0 / 3.0) / 6.0
    result = class_statistics(probabilities)
    assert result["distinct_classes"] == 3
    assert result["class_kl"] == pytest.approx(expected, rel=1e-12)
    assert class_statistics(labels, num_classes=4) == result
    assert class_statistics(np.log(probabilities), num_classes=4) == result  # logits


def test_class_statistics_extremes():
    balanced = class_statistics(np.arange(50) % 10, num_classes=10)
    assert balanced == {"distinct_classes": 10, "class_kl": 0.0}
    collapsed = class_statistics(np.full(50, 3), num_classes=10)
    assert collapsed["distinct_classes"] == 1
    assert collapsed["class_kl"] == pytest.approx(np.log(10.0), rel=1e-12)


@pytest.mark.parametrize(
    "probabilities, num_classes, message",
    [
        (np.array([0, 1, 2]), None, "num_classes` is required"),
        (np.array([0, 1, 5]), 5, r"\[0, 5\)"),
        (np.array([0.5, 1.0]), 3, "integer class labels"),
        (np.full((3, 4), 0.25), 5, "num_classes=5"),
        (np.zeros((2, 2, 2)), None, r"shape=\(2, 2, 2\)"),
        (np.zeros((0,)), 3, r"shape=\(0,\)"),
    ],
)
def test_class_statistics_bad_inputs_raise(probabilities, num_classes, message):
    with pytest.raises(ValueError, match=message):
        class_statistics(probabilities, num_classes=num_classes)


# --- Backend tensors -----------------------------------------------------


def test_accepts_backend_tensors():
    rng = np.random.default_rng(10)
    a = rng.normal(size=(40, 3)).astype("float32")
    b = (rng.normal(size=(40, 3)) + 0.5).astype("float32")
    probabilities = np.eye(4, dtype="float32")[np.arange(40) % 4]
    tensor = keras.ops.convert_to_tensor
    fd = frechet_distance(a, b)
    assert frechet_distance(tensor(a), tensor(b)) == pytest.approx(fd, rel=1e-12)
    assert kernel_inception_distance(tensor(a), tensor(b), subsets=2, subset_size=20) == (
        kernel_inception_distance(a, b, subsets=2, subset_size=20)
    )
    assert precision_recall(tensor(a), tensor(b)) == precision_recall(a, b)
    score = inception_score(probabilities, splits=2)
    assert inception_score(tensor(probabilities), splits=2) == score
    assert class_statistics(tensor(probabilities)) == class_statistics(probabilities)


def test_confident_fraction_counts_rows_above_the_threshold():
    probabilities = np.array([[0.95, 0.05], [0.9, 0.1], [0.3, 0.7], [0.01, 0.99]])
    # Strictly above: 0.95 and 0.99 count, 0.9 does not.
    assert confident_fraction(probabilities) == 0.5
    assert confident_fraction(probabilities, threshold=0.5) == 1.0
    assert confident_fraction(np.full((4, 10), 0.1)) == 0.0  # a uniform classifier


@pytest.mark.parametrize(
    "probabilities, threshold, message",
    [
        (np.log([[0.9, 0.1]]), 0.9, "not logits"),
        (np.zeros((0, 3)), 0.9, "non-empty 2-D"),
        ([0.5, 0.5], 0.9, "non-empty 2-D"),
        ([[0.5, 0.5]], 1.0, "threshold"),
    ],
)
def test_confident_fraction_bad_inputs_raise(probabilities, threshold, message):
    with pytest.raises(ValueError, match=message):
        confident_fraction(probabilities, threshold=threshold)
