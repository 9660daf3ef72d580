"""`tools/train_classifier.py`: a preset the extractor loads, and its held-out split."""

import json

import numpy as np
import pytest

from gan_zoo.metrics.features import classifier_extractor


@pytest.fixture(scope="module")
def train_classifier(load_tool):
    return load_tool("train_classifier.py")


def test_holdout_trains_a_preset_the_extractor_loads(train_classifier, tmp_path):
    out = tmp_path / "digits"
    train_classifier.main(
        ["--dataset", "digits", "--holdout", "360", "--epochs", "2", "--out", str(out)]
    )
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["recipe"]["holdout"] == 360
    assert metadata["test_split"] == "360 held-out examples of 'train' (seeded random choice)"
    assert metadata["training_steps"] == 2 * int(np.ceil((1797 - 360) / 128))
    # Two epochs of 12 steps already beat chance (0.1) by far.
    assert metadata["test_accuracy"] > 0.5
    extractor = classifier_extractor(out)
    assert (extractor.image_size, extractor.feature_dim) == (8, 128)


def test_held_out_examples_are_disjoint_from_training(train_classifier):
    import tensorflow as tf

    images = np.arange(100, dtype="float32").reshape(100, 1, 1, 1)
    batches = tf.data.Dataset.from_tensor_slices((images, np.arange(100))).batch(30)
    train, test = train_classifier.held_out(batches, 20, batch_size=16, seed=0)
    train_labels = np.concatenate([y for _, y in train.as_numpy_iterator()])
    test_labels = np.concatenate([y for _, y in test.as_numpy_iterator()])
    assert len(test_labels) == 20 and len(train_labels) == 80
    assert sorted(np.concatenate([train_labels, test_labels])) == list(range(100))
    np.testing.assert_array_equal(
        test_labels, np.random.default_rng(0).permutation(100)[:20]
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "digits"], r"'digits' has no 'test' split .* --holdout N"),
        (["--dataset", "digits", "--holdout", "1797"], r"--holdout must be in \[0, 1797\)"),
        (["--dataset", "ring"], "not a labelled image dataset"),
    ],
)
def test_bad_arguments_exit_with_a_message(train_classifier, argv, message):
    with pytest.raises(SystemExit, match=message):
        train_classifier.main(argv)
