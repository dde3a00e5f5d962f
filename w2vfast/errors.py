"""The error of a training run that cannot start or finish.

Other errors live with what raises them (CorpusError in corpus.py, VocabularyError in vocab.py,
OptionError in options.py, ...); this one is raised by every stage of a run (start.py,
pipeline.py, distributed.py), so it lives apart from all of them.
"""


class TrainingError(Exception):
    """Training could not run or finish; the message says why and what to try."""
