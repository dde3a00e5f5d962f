"""w2vfast: a fast word2vec trainer with the C tool's flags and file formats."""

__version__ = "0.1.0"
__all__ = ["train", "doc2vec", "load", "load_model", "Vectors", "Model", "ParagraphModel", "TrainingError",
           "__version__"]


def __getattr__(name):
    # the API (and with it NumPy) is imported on first use, so that the `w2vfast` program can
    # set up BLAS threading before NumPy loads (entry.py)
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'w2vfast' has no attribute {name!r}")
