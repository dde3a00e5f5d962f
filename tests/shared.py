"""Constants more than one test file needs."""
import os
import random
from pathlib import Path

# The data sets shared between checkouts (../shared/data): tests that need one skip without it.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Under AddressSanitizer (.ci/run's sanitizer step) memory use and speed are not the product's.
SANITIZED = "libasan" in os.environ.get("LD_PRELOAD", "")

# Every command that reads a vector file, with `{}` for the file and `{out}` for an output path:
# each must turn a damaged file into a one-line error naming the line or row.
VECTOR_COMMANDS = [
    ["similar", "{}", "a"],
    ["analogy", "{}", "a", "b", "c"],
    ["eval", "{}"],
    ["convert", "{}", "{out}"],
    ["classes", "{}", "-k", "2"],
    ["plot", "{}", "-o", "{out}.png"],
]

# The tiny corpus of the command-line tests (conftest.py's `corpus` fixture writes it), and the
# flags of a run on it that takes a few milliseconds.
FAST = ["-min-count", "1", "-iter", "1", "-size", "10", "-threads", "1"]
SENTENCES = [
    b"the quick brown fox jumps over the lazy dog",
    b"a lazy dog sleeps in the sun all day",
    b"the fox and the dog are friends now",
    b"every day the sun rises over the hills",
]
_rng = random.Random(0)
CORPUS = b"\n".join(_rng.choice(SENTENCES) for _ in range(300)) + b"\n"  # ~2,700 tokens
V = len(set(CORPUS.split())) + 1  # the distinct words and </s>
HEADER = b"%d 10\n" % V  # the header of the text vectors of a FAST run on CORPUS


def write_zipf_corpus(path, lines=8000, vocabulary=400, seed=1):
    """A corpus of `lines` lines of 12 words drawn Zipf-like from w0..w{vocabulary-1}: enough
    for runs that train long enough to be interrupted and resumed.  Returns the path as str."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    text = [" ".join(words[j] for j in rng.zipf(1.3, 12) % vocabulary) for _ in range(lines)]
    Path(path).write_text("\n".join(text) + "\n")
    return str(path)
