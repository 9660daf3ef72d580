import numpy as np
import pytest

from gan_zoo.metrics import mode_coverage

CENTERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
STD = 0.1  # high-quality radius: 3 * 0.1 = 0.3


def test_all_samples_on_one_centre_cover_one_mode():
    samples = np.tile(CENTERS[1], (50, 1))
    result = mode_coverage(samples, CENTERS, std=STD)
    assert result["modes_covered"] == 1
    assert result["high_quality_fraction"] == 1.0
    np.testing.assert_array_equal(result["counts"], [0, 50, 0])


def test_far_samples_cover_nothing():
    samples = np.full((20, 2), 10.0)
    result = mode_coverage(samples, CENTERS, std=STD)
    assert result["modes_covered"] == 0
    assert result["high_quality_fraction"] == 0.0
    np.testing.assert_array_equal(result["counts"], [0, 0, 0])


def test_mixed_case_gives_exact_counts():
    samples = np.array(
        [
            [0.1, 0.0],  # mode 0, distance 0.1
            [0.0, -0.29],  # mode 0, distance 0.29
            [1.2, 0.0],  # mode 1, distance 0.2
            [0.4, 0.4],  # nearest mode 0, distance 0.57: low quality
            [1.0, 0.35],  # nearest mode 1, distance 0.35: low quality
            [-3.0, 0.0],  # far away
        ]
    )
    result = mode_coverage(samples, CENTERS, std=STD, min_count=1)
    np.testing.assert_array_equal(result["counts"], [2, 1, 0])
    assert result["modes_covered"] == 2
    assert result["high_quality_fraction"] == pytest.approx(3 / 6)
    strict = mode_coverage(samples, CENTERS, std=STD, min_count=2)
    assert strict["modes_covered"] == 1
    wide = mode_coverage(samples, CENTERS, std=STD, n_sigma=4.0, min_count=1)
    np.testing.assert_array_equal(wide["counts"], [2, 2, 0])


def test_default_min_count_ignores_stray_samples():
    # 300 samples over 3 modes: default min_count = ceil(0.01 * 100) = 1;
    # 3000 samples: ceil(0.01 * 1000) = 10, so 5 stray hits do not count.
    samples = np.concatenate(
        [np.tile(CENTERS[0], (2995, 1)), np.tile(CENTERS[2], (5, 1))]
    )
    result = mode_coverage(samples, CENTERS, std=STD)
    assert result["min_count"] == 10
    np.testing.assert_array_equal(result["counts"], [2995, 0, 5])
    assert result["modes_covered"] == 1
    assert mode_coverage(samples[-300:], CENTERS, std=STD)["min_count"] == 1


def test_accepts_lists_and_float32():
    result = mode_coverage(
        [[0.0, 0.0]], CENTERS.astype("float32").tolist(), std=STD
    )
    assert result["modes_covered"] == 1


@pytest.mark.parametrize(
    "samples, centers, message",
    [
        (np.zeros((5,)), CENTERS, r"samples.shape=\(5,\)"),
        (np.zeros((5, 3)), CENTERS, "same last dimension"),
        (np.zeros((0, 2)), CENTERS, r"samples.shape=\(0, 2\)"),
        (np.zeros((5, 2)), np.zeros((2, 2, 2)), r"centers.shape=\(2, 2, 2\)"),
    ],
)
def test_bad_shapes_raise(samples, centers, message):
    with pytest.raises(ValueError, match=message):
        mode_coverage(samples, centers, std=STD)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"std": 0.0}, "std=0.0"),
        ({"n_sigma": -1.0}, "n_sigma=-1.0"),
        ({"min_count": 0}, "min_count=0"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    kwargs = {"std": STD, **kwargs}
    with pytest.raises(ValueError, match=message):
        mode_coverage(np.zeros((4, 2)), CENTERS, **kwargs)


# arm_coverage: PGAN's rotated-Gaussians toy.


def test_real_rotated_gaussians_cover_every_arm_and_a_blob_at_zero_none():
    from gan_zoo.datasets import sample_rotated_gaussians
    from gan_zoo.metrics import arm_coverage

    real = arm_coverage(sample_rotated_gaussians(2000, seed=0))
    assert real["arms_covered"] == 5 and real["on_arm_fraction"] > 0.99
    assert 0.3 < real["outside_core_fraction"] < 0.4  # P(|N(0, 1)| > 0.97) = 0.33
    collapsed = arm_coverage(np.random.default_rng(0).normal(0, 0.05, (2000, 2)))
    assert collapsed["arms_covered"] == 0 and collapsed["outside_core_fraction"] == 0
    # Spread without the arms' shape: every arm reached, a third of it off-arm.
    isotropic = arm_coverage(np.random.default_rng(0).normal(size=(2000, 2)))
    assert isotropic["arms_covered"] == 5 and isotropic["on_arm_fraction"] < 0.7


def test_arm_coverage_counts_by_nearest_axis_outside_the_core():
    from gan_zoo.metrics import arm_coverage

    # Arm 0 is the x axis, arm 1 at 36 degrees; (0.1, 0.1) lies in the core.
    angle = np.pi / 5
    points = [[2.0, 0.05], [-2.0, 0.0], [1.5 * np.cos(angle), 1.5 * np.sin(angle)],
              [0.1, 0.1], [0.0, 2.9], [4.0, 0.0]]
    result = arm_coverage(points, min_count=1)
    assert result["counts"].tolist() == [2, 1, 0, 0, 0]
    assert result["arms_covered"] == 2
    # (0, 2.9) is 2.9 from arm 0's axis and 0.9 from arm 2's: off-arm;
    # (4, 0) is beyond 3 standard deviations along arm 0.
    assert result["high_quality_fraction"] == pytest.approx(4 / 6)
    assert result["on_arm_fraction"] == pytest.approx(3 / 5)
    assert result["outside_core_fraction"] == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"samples": np.zeros((4, 3))}, "must be 2-D points"),
        ({"n_components": 0}, "`n_components` must be an integer >= 1"),
        ({"std_minor": 0.0}, "`std_minor` must be > 0"),
        ({"min_count": 0}, "`min_count` must be an integer >= 1 or None"),
    ],
)
def test_arm_coverage_bad_arguments_raise(kwargs, message):
    from gan_zoo.metrics import arm_coverage

    kwargs = {"samples": np.zeros((4, 2)), **kwargs}
    with pytest.raises(ValueError, match=message):
        arm_coverage(**kwargs)
