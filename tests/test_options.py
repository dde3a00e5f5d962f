"""The options schema is the single source of every training option: the `train` command's
flags, `w2vfast.train`'s keywords, the C config and a model's stored options all come from it,
and no other module holds a default of its own."""
import inspect
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import w2vfast
from w2vfast import _core, options as opts
from w2vfast.cli import doc2vec as doc2vec_command, main, train as train_command

PACKAGE = Path(w2vfast.__file__).resolve().parent


def _flag_options(command):
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


@pytest.mark.parametrize("command, trains", [(train_command, opts.TRAIN), (doc2vec_command, opts.DOC2VEC)])
def test_every_training_flag_is_a_schema_option_and_back(command, trains):
    flags = {p.name: p for p in _flag_options(command)}
    with_flags = [o.name for o in opts.SCHEMA if o.flag is not None and trains in o.commands]
    assert set(flags) == set(with_flags)
    # in the schema's order, each spelled as the schema spells it, word2vec.c's way and GNU's
    assert list(flags) == with_flags
    for name, param in flags.items():
        spelling = opts.BY_NAME[name].spelling
        assert f"-{spelling}" in param.opts, param.opts
        assert f"--{spelling}" in param.opts or f"--{name}" in param.opts, param.opts


@pytest.mark.parametrize("trains", [opts.TRAIN, opts.DOC2VEC])
def test_the_help_shows_each_schema_default(trains):
    result = CliRunner().invoke(main, [trains, "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for o in opts.SCHEMA:
        if o.flag is None or o.kind is bool or trains not in o.commands:
            continue
        shown = o.default_text if o.default_text is not None else (
            None if o.default is None else o.default / o.cli_scale if o.cli_scale != 1 else o.default)
        if shown is not None:
            assert f"[default: {shown}" in text, (o.name, shown)


def test_the_python_api_takes_every_option_of_the_train_command():
    keywords = {p.name for p in inspect.signature(w2vfast.train).parameters.values()
                if p.kind is p.KEYWORD_ONLY}
    named = {o.name for o in opts.SCHEMA if o.group != opts.MODEL and opts.TRAIN in o.commands}
    # training options come in **options, checked against the schema; the others are named
    assert named <= keywords
    assert keywords - named == {"progress", "on_vocab"}  # callbacks, not options
    flags = {p.name for p in _flag_options(train_command)}
    assert flags <= keywords | set(opts.MODEL_OPTIONS)
    assert {"debug", "quiet", "log_json", "classes", "train_file", "train_files"} <= keywords
    with pytest.raises(TypeError, match="unknown option"):
        w2vfast.train("corpus.txt", sizee=10)


def test_the_doc2vec_api_takes_every_option_of_the_doc2vec_command():
    keywords = {p.name for p in inspect.signature(w2vfast.doc2vec).parameters.values()
                if p.kind is p.KEYWORD_ONLY}
    named = {o.name for o in opts.SCHEMA if o.group != opts.MODEL and opts.DOC2VEC in o.commands}
    assert keywords - {"progress", "on_vocab"} == named
    with pytest.raises(TypeError, match="unknown option"):
        w2vfast.doc2vec("corpus.txt", cbow=1)  # a word2vec option: no paragraph vectors have it


def test_the_python_api_runs_with_the_command_only_options(tmp_path, capfd):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d e f a b c a b a\n" * 50)
    log = tmp_path / "log.json"
    model = w2vfast.train(train_file=str(corpus), debug=1, log_json=str(log), classes=2,
                          output=str(tmp_path / "classes.txt"), size=8, iter=1, min_count=1, threads=1)
    err = capfd.readouterr().err
    assert "Vocab size: 7" in err and "Trained 650 words" in err and "Progress" not in err  # </s> too
    assert json.loads(log.read_text().splitlines()[-1])["corpus_words"] >= 600
    assert len((tmp_path / "classes.txt").read_text().splitlines()) == len(model.index_to_key) == 7
    w2vfast.train(train_files=str(corpus), quiet=True, debug=2, size=8, iter=1, min_count=1, threads=1)
    assert capfd.readouterr().err == ""


def test_the_c_config_is_filled_from_schema_options():
    assert set(_core.CONFIG_OPTIONS) <= set(opts.MODEL_OPTIONS)


def test_a_model_stores_the_resolved_schema_options(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d e f a b c a b a\n" * 50)
    w2vfast.train(str(corpus), save_model=str(tmp_path / "m"), size=8, iter=1, min_count=1, threads=1)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert set(meta["options"]) == {n for n in opts.MODEL_OPTIONS if opts.TRAIN in opts.BY_NAME[n].commands}
    assert meta["kind"] == {"input": "skipgram" if not meta["options"]["cbow"] else "cbow",
                            "objectives": ["ns"]}
    assert meta["options"] == opts.resolve(**{k: meta["options"][k] for k in ("size", "iter", "min_count",
                                                                              "threads")})


def test_resolve_fills_every_default_and_checks_every_value():
    for trains in (opts.TRAIN, opts.DOC2VEC):
        o = opts.resolve(trains)
        for option in opts.SCHEMA:
            if option.group == opts.MODEL and option.default is not None and trains in option.commands:
                assert o[option.name] == option.default
        assert set(o) == {n for n in opts.MODEL_OPTIONS if trains in opts.BY_NAME[n].commands}
    assert opts.resolve()["alpha"] == 0.05 and opts.resolve(cbow=0)["alpha"] == 0.025
    assert opts.resolve(dm=1)["alpha"] == 0.025  # paragraph vectors: gensim's
    with pytest.raises(opts.OptionError, match="-cbow is not an option of doc2vec"):
        opts.resolve(dm=0, cbow=1)
    for bad in (dict(size=0), dict(window=-1), dict(hs=2), dict(sample=-1), dict(vectors="out"),
                dict(ns_exponent=11), dict(min_alpha_ratio=2), dict(threads=5000)):
        with pytest.raises(opts.OptionError, match="invalid -"):
            opts.resolve(**bad)
    with pytest.raises(opts.OptionError, match="nothing to train"):
        opts.resolve(hs=0, negative=0)


# Options whose name may appear with a literal value outside options.py without being a second
# default: `binary` is also the keyword of the vector-file readers and writers (formats.py).
NOT_SCANNED = {"binary"}


def test_no_other_module_holds_a_default():
    """A literal default of a schema option (`min_count=5` in a signature, `.get("negative", 0)`)
    anywhere but options.py would be a second source that can disagree with the schema."""
    names = [o.name for o in opts.SCHEMA
             if o.group != opts.CLI and o.default is not None and o.name not in NOT_SCANNED]
    literal = r'(-?[0-9][0-9_.e+-]*|"[a-z]+"|True|False)'
    in_signature = re.compile(r'\b(%s)\s*=\s*%s' % ("|".join(names), literal))
    got = re.compile(r'\.get\(\s*"(%s)"\s*,' % "|".join(names))
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in (".py", ".pyx", ".pxi") or path.name == "options.py":
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if got.search(line) or (path.suffix == ".py" and in_signature.search(line)):
                found.append(f"{path.relative_to(PACKAGE)}:{lineno}: {line.strip()}")
    assert not found, "\n".join(found)
