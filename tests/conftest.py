"""Fixtures shared by several test files."""
import builtins

import pytest

from shared import CORPUS  # tests/shared.py


@pytest.fixture
def corpus(tmp_path):
    """shared.CORPUS as tmp_path/corpus.txt (files that train on another corpus define their own)."""
    path = tmp_path / "corpus.txt"
    path.write_bytes(CORPUS)
    return path


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make `import matplotlib` (and its submodules) fail, as on a machine without it."""
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
