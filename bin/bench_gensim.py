"""gensim in bin/bench: the child program that trains and saves as word2vec.c would, its
parameters from the C flags, and the corpus with lines cut for gensim's corpus_file mode.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

import shlex

from bench_flags import flag_pairs, flag_value, norm_flag

GENSIM_PROGRAM = r'''"""Written by bin/bench: train gensim Word2Vec as word2vec.c would, save C format."""
import json, logging, sys, time
p = json.loads(sys.argv[1])
logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO, stream=sys.stderr)
t0 = time.perf_counter()
import gensim
from gensim.models import Word2Vec
t1 = time.perf_counter()
kw = dict(corpus_file=p["corpus"], vector_size=p["size"], window=p["window"], min_count=p["min_count"],
          sample=p["sample"], negative=p["negative"], hs=p["hs"], sg=p["sg"], epochs=p["iter"],
          workers=p["threads"], alpha=p["alpha"], min_alpha=p["alpha"] * 1e-4, cbow_mean=1)
kw.update(p.get("extra", {}))
print("gensim %s Word2Vec(%s)" % (gensim.__version__, ", ".join("%s=%r" % kv for kv in kw.items())),
      file=sys.stderr, flush=True)
m = Word2Vec(**kw)
t2 = time.perf_counter()
print("Vocab size: %d" % len(m.wv), file=sys.stderr)
print("Raw words in corpus: %d" % m.corpus_total_words, file=sys.stderr)
m.wv.save_word2vec_format(p["output"], binary=p["binary"])
t3 = time.perf_counter()
print("import %.2f s, vocabulary + training %.2f s, saving %.2f s" % (t1 - t0, t2 - t1, t3 - t2),
      file=sys.stderr)
'''

# C flags that map onto gensim Word2Vec arguments (beyond the common ones).
GENSIM_EXTRA_MAP = {"-alpha": ("alpha", float), "-seed": ("seed", int)}
GENSIM_COMMON = {"-size", "-window", "-sample", "-iter", "-min-count", "-threads", "-binary",
                 "-cbow", "-negative", "-hs", "-train", "-output"}


def gensim_params(flags, corpus, out_path, gensim_extra):
    """gensim parameters from a merged C flag list; returns (params, ignored flags)."""
    v = lambda name, d=None: flag_value(flags, name, d)  # noqa: E731
    cbow = int(v("cbow", "1"))
    p = {
        "corpus": str(corpus), "output": str(out_path), "size": int(v("size")), "window": int(v("window")),
        "min_count": int(v("min-count")), "sample": float(v("sample")), "negative": int(v("negative", "5")),
        "hs": int(v("hs", "0")), "sg": 1 - cbow, "iter": int(v("iter")), "threads": int(v("threads")),
        "binary": v("binary", "0") == "1", "alpha": 0.05 if cbow else 0.025, "extra": {},
    }
    ignored = []
    for f, val in flag_pairs(flags):
        if f is None:
            continue
        f = norm_flag(f)
        if f in GENSIM_EXTRA_MAP:
            key, conv = GENSIM_EXTRA_MAP[f]
            if key == "alpha":
                p["alpha"] = conv(val)
            else:
                p["extra"][key] = conv(val)
        elif f not in GENSIM_COMMON:
            ignored.append(f)
    p["extra"].update(gensim_extra)
    return p, ignored


def reline_corpus(src, dst, max_words=1000, chunk_bytes=1 << 22):
    """Copy src to dst with every line cut into lines of at most max_words
    words (single spaces).  gensim's corpus_file mode handles a line longer
    than its 10000-word limit badly (on one-line text8 it trains only a few
    10000-word pieces per epoch), while word2vec.c cuts sentences at 1000
    words anyway, so 1000-word lines give gensim about C's sentences."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        pending = []  # words of the output line being built
        carry = b""
        while True:
            chunk = f.read(chunk_bytes)
            data = carry + chunk
            if chunk:
                # keep a possibly cut last token (and its line break state) for the next round
                cut = max(data.rfind(b" "), data.rfind(b"\n"), data.rfind(b"\t"), data.rfind(b"\r"))
                if cut < 0:
                    carry = data
                    continue
                data, carry = data[:cut + 1], data[cut + 1:]
            else:
                carry = b""
            lines = data.split(b"\n")
            for i, line in enumerate(lines):
                if i > 0 and pending:  # a line break in the input ends the sentence
                    out.write(b" ".join(pending) + b"\n")
                    pending = []
                words = line.split()
                pos = 0
                while pos < len(words):
                    take = max_words - len(pending)
                    pending.extend(words[pos:pos + take])
                    pos += take
                    if len(pending) >= max_words:
                        out.write(b" ".join(pending) + b"\n")
                        pending = []
            if not chunk:
                break
        if pending:
            out.write(b" ".join(pending) + b"\n")


def parse_gensim_extra(text):
    """'key=value key2=value2' -> dict (values as Python literals, else str)."""
    import ast

    out = {}
    for item in shlex.split(text):
        if "=" not in item:
            raise ValueError("expected key=value, got %r" % item)
        k, val = item.split("=", 1)
        try:
            out[k] = ast.literal_eval(val)
        except (ValueError, SyntaxError):
            out[k] = val
    return out
