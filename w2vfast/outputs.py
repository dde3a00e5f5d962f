"""The files a training run writes: checked before any reading, written once training succeeded.

Each file is written atomically (atomic.py): a failed or interrupted run writes nothing, and an
existing file is replaced only by a complete one.
"""
import os
from dataclasses import asdict, dataclass, replace
from typing import Optional

from .atomic import check_writable
from .formats import format_for_binary, write_vectors
from .options import OptionError
from .vocab import save_vocab_file

# what a checkpoint remembers of them, so that --resume needs no flags (and its log goes on)
SAVED = ("output", "format", "save_vocab", "save_context", "save_model", "classes", "log_json",
         "save_words")


@dataclass(frozen=True)
class Outputs:
    """`output`: the word vectors (or with `classes` K, K k-means word classes, `word classid`
    lines, as word2vec.c's -classes); `format`: the vector files' format (formats.FORMATS);
    `save_vocab`: `word count` lines; `save_context`: the context vectors; `save_model`: a model
    directory (model_io); `log_json`: the JSON lines of the run's progress.  "-" is standard
    output."""
    output: Optional[str] = None
    format: str = "text"
    save_vocab: Optional[str] = None
    save_context: Optional[str] = None
    save_model: Optional[str] = None
    classes: int = 0
    log_json: Optional[str] = None  # written while training (pipeline.run, progress.JsonLog)
    save_words: Optional[str] = None  # paragraph vectors: the word vectors (-output has the documents')

    @property
    def vocabulary_only(self):
        """Only -save-vocab: the corpus is counted and nothing trained (as word2vec.c)."""
        return (self.output is None and self.save_model is None and self.save_context is None
                and self.save_words is None)

    @classmethod
    def with_binary(cls, binary, **kw):
        """Outputs in the format word2vec.c's -binary 0|1 names."""
        return cls(format=format_for_binary(bool(binary)).name, **kw)

    def saved(self):
        """What a checkpoint stores of them (the format also as word2vec.c's -binary, which
        checkpoints written before formats had names hold)."""
        kept = {k: v for k, v in asdict(self).items() if k in SAVED}
        return {**kept, "binary": self.format == "binary"}

    def completed_by(self, saved):
        """These outputs with the ones a checkpoint names filled in where none is given (a
        format given is any but the default)."""
        saved = dict(saved)
        if "format" not in saved and "binary" in saved:
            saved["format"] = format_for_binary(bool(saved["binary"])).name
        given = {k: getattr(self, k) for k in SAVED}
        given["format"] = None if self.format == "text" else self.format
        return replace(self, **{k: saved[k] for k in SAVED if k in saved and not given[k]})

    def check_given(self):
        """Something to write."""
        if self.output is None and self.save_vocab is None and self.save_model is None:
            raise OptionError("no -output given: use -output FILE (or -output - for stdout)")

    def check_paths(self, corpus_files):
        """Before any reading: writable paths, none of them the corpus."""
        for path in (self.output, self.save_context, self.save_vocab, self.log_json, self.save_words):
            if path is None or path == "-":
                continue
            check_writable(path)
            for c in corpus_files:
                if c != "-" and os.path.exists(path) and os.path.exists(c) and os.path.samefile(path, c):
                    raise OptionError(f"output {path!r} is the corpus itself: it would be overwritten")
        if (self.output and self.output != "-" and self.save_context
                and os.path.abspath(self.output) == os.path.abspath(self.save_context)):
            raise OptionError("-output and -save-context name the same file")

    def check_classes(self, n_words):
        """-classes K needs at least K words (known once the vocabulary is)."""
        if self.classes > n_words:
            raise OptionError(f"invalid -classes {self.classes}: more classes than the {n_words} words")

    def write_vocabulary(self, words, counts):
        if self.save_vocab is not None:
            save_vocab_file(self.save_vocab, words, counts)

    def write(self, words, counts, vectors, context, save_model):
        """Every file asked for, once training has succeeded: `vectors` are the words' vectors,
        `context` the context vectors, `save_model(path)` writes the model directory."""
        self.write_vocabulary(words, counts)
        if self.output is not None:
            if self.classes:
                from .classes import compute_classes, write_classes
                write_classes(self.output, words, compute_classes(vectors, self.classes))
            else:
                write_vectors(self.output, words, vectors, fmt=self.format)
        if self.save_context is not None:
            write_vectors(self.save_context, words, context, fmt=self.format)
        if self.save_model is not None:
            save_model(self.save_model)

    def write_documents(self, tags, docvecs, words, counts, wordvecs, save_model):
        """A paragraph-vector run's files: -output the documents' vectors keyed by tag,
        -save-words the word vectors, and the vocabulary and model directory as write's."""
        self.write_vocabulary(words, counts)
        if self.output is not None:
            write_vectors(self.output, tags, docvecs, fmt=self.format)
        if self.save_words is not None:
            write_vectors(self.save_words, words, wordvecs, fmt=self.format)
        if self.save_model is not None:
            save_model(self.save_model)
