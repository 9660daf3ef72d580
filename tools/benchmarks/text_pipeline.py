"""`bench.py text-pipeline`: microseconds a line of the text pipeline, by normaliser.

`text_dataset` on a `tf.data.Dataset` of lines normalises each batch to NFC
inside the graph: with tensorflow-text's `normalize_utf8` where it is
installed, else with Python's `unicodedata` through `tf.numpy_function`.
This times iterating the whole pipeline (normalise, decode, one-hot) over
the lm1b shard, side by side in one run: without normalisation, with
tensorflow-text, with the Python fallback, and prints the ratios.

    GAN_ZOO_TEST_DATA=../shared/data python tools/bench.py text-pipeline --repeats 5
"""

import os
import pathlib
import time


def microseconds_a_line(lines, charmap, normalizer, repeats, batch_size):
    import tensorflow as tf

    from gan_zoo.datasets import text
    from gan_zoo.datasets.text import text_dataset

    original = text.utf8_normalizer
    text.utf8_normalizer = lambda: normalizer
    try:
        dataset = text_dataset(tf.data.Dataset.from_tensor_slices(lines), charmap,
                               batch_size, shuffle=False)
    finally:
        text.utf8_normalizer = original
    for _ in dataset.take(2):  # builds the graph
        pass
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        count = sum(int(batch.shape[0]) for batch in dataset)
        best = min(best, time.perf_counter() - start)
    return 1e6 * best / count


def add_arguments(p):
    default = pathlib.Path(os.environ.get("GAN_ZOO_TEST_DATA", ".")) / "lm1b"
    p.add_argument("--corpus", default=str(default))
    p.add_argument("--repeats", type=int, default=5, help="timed passes; the best is kept")
    p.add_argument("--batch-size", type=int, default=64)


def main(args, argv):
    from gan_zoo.datasets import text
    from gan_zoo.datasets.text import Charmap, read_lines

    lines = read_lines(args.corpus)
    charmap = Charmap.from_lines(lines)
    normalizers = {"none": lambda strings: strings, "python": text._normalize_in_python}
    try:
        import tensorflow_text

        normalizers["tensorflow-text"] = lambda strings: tensorflow_text.normalize_utf8(
            strings, text.NORMALIZATION
        )
    except ImportError:
        print("tensorflow-text is not installed: its row is left out")
    times = {name: microseconds_a_line(lines, charmap, normalizer, args.repeats, args.batch_size)
             for name, normalizer in normalizers.items()}
    print(f"{len(lines)} lines, batch {args.batch_size}, best of {args.repeats} passes; "
          f"{os.cpu_count()} CPUs")
    for name, micros in times.items():
        print(f"  {name:16s} {micros:6.1f} us a line  ({micros / times['none']:.2f}x none)")
