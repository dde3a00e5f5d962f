"""Hand-made vectors whose answers are known, for the tests of the commands that read vectors.

Each dimension is a property, so nearest words, analogies and classes can be worked out by hand;
conftest.py's `files` fixture writes them in every vector format.
"""
import numpy as np

# dimensions: royal, female, person, fruit, yellow, city
WORDS = {
    "</s>": [0.01, 0, 0, 0, 0, 0.01],
    "man": [0, 0, 1, 0, 0, 0],
    "woman": [0, 1, 1, 0, 0, 0],
    "king": [1, 0, 1, 0, 0, 0],
    "queen": [1, 1, 1, 0, 0, 0],
    "prince": [0.9, 0, 1, 0.1, 0, 0],
    "apple": [0, 0, 0, 1, 0, 0],
    "pear": [0, 0.1, 0, 1, 0, 0],
    "banana": [0, 0, 0, 1, 0.3, 0],
    "lemon": [0, 0, 0, 0.8, 1, 0],
    "paris": [0.2, 0, 0.1, 0, 0, 1],
    "berlin": [0.1, 0, 0.1, 0, 0.1, 1],
}
VOCAB = list(WORDS)
MATRIX = np.array(list(WORDS.values()), dtype=np.float32)


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)
