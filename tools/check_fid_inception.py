"""Compares gan_zoo's FID Inception network with pytorch-fid's, real weights.

For a machine with network and a torch that runs torchvision (`pip install
pytorch-fid`, optionally `torch-fidelity`). It downloads the weights both
ways and prints, side by side:

1. the largest difference of the pool_3 features and of the Inception-score
   logits (`pool_3 @ W`) of the two networks on the same 299x299 images
   (random uint8 images; expect float32 round-off, ~1e-4 of the values);
2. with `--folders A B` (two folders of images of one size), the FID of A
   to B by gan_zoo (`evaluate(..., extractor="fid_inception")`), by
   pytorch-fid (which resizes with half-pixel centres: a small difference
   is expected) and, when installed, by torch-fidelity (which resizes as
   TensorFlow 1 did, like gan_zoo and TTUR's reference code).

    KERAS_BACKEND=jax python tools/check_fid_inception.py --folders real/ fake/
"""

import argparse

import keras
import numpy as np

from gan_zoo import datasets
from gan_zoo.metrics import evaluate
from gan_zoo.metrics.fid_inception import fid_inception_extractor


def compare_networks(extractor, images):
    import torch
    from pytorch_fid import inception

    reference = inception.fid_inception_v3().eval()  # downloads its weights
    features = inception.InceptionV3([3], resize_input=False, normalize_input=False).eval()
    pool3, logits = (keras.ops.convert_to_numpy(t) for t in extractor.model.predict_on_batch(images))
    with torch.no_grad():
        scaled = torch.from_numpy((images - 128) / 128).permute(0, 3, 1, 2)
        expected_pool3 = features(scaled)[0].flatten(1)
        expected_logits = (expected_pool3 @ reference.fc.weight.T).numpy()
    expected_pool3 = expected_pool3.numpy()
    for name, ours, theirs in [("pool_3", pool3, expected_pool3), ("logits", logits, expected_logits)]:
        print(f"{name}: largest difference {np.abs(ours - theirs).max():.3g} "
              f"(largest value {np.abs(theirs).max():.3g})")


def compare_fid(extractor, first, second, batch_size):
    def images(folder):
        return datasets.load("folder", data_dir=folder, batch_size=batch_size,
                             shuffle=False, drop_remainder=False)

    ours = evaluate(images(first), images(second), "fid", extractor)["fid"]
    print(f"FID gan_zoo (TF1 bilinear resize): {ours:.4f}")
    import torch
    from pytorch_fid.fid_score import calculate_fid_given_paths

    device = "cuda" if torch.cuda.is_available() else "cpu"
    theirs = calculate_fid_given_paths([first, second], batch_size, device, 2048)
    print(f"FID pytorch-fid (half-pixel bilinear resize): {theirs:.4f}")
    try:
        import torch_fidelity
    except ImportError:
        print("torch-fidelity is not installed: `pip install torch-fidelity` to compare with it")
        return
    metrics = torch_fidelity.calculate_metrics(
        input1=first, input2=second, fid=True, cuda=device == "cuda", verbose=False
    )
    print(f"FID torch-fidelity (TF1 bilinear resize): {metrics['frechet_inception_distance']:.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", nargs=2, metavar=("A", "B"))
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    extractor = fid_inception_extractor()
    rng = np.random.default_rng(args.seed)
    images = rng.integers(0, 256, (4, 299, 299, 3)).astype("float32")
    compare_networks(extractor, images)
    if args.folders:
        compare_fid(extractor, *args.folders, args.batch_size)


if __name__ == "__main__":
    main()
