"""w2vfast: a fast word2vec trainer with the C tool's flags and file formats."""
from .api import Model, TrainingError, Vectors, load, load_model, train

__version__ = "0.1.0"
__all__ = ["train", "load", "load_model", "Vectors", "Model", "TrainingError", "__version__"]
