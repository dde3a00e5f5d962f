"""Coverage-guided fuzzing of the vector-file reader (w2vfast/formats/) with atheris.

    pip install atheris
    python fuzz/fuzz_vectors.py -max_total_time=180 -max_len=4096 CORPUS_DIR [SEEDS_DIR]
    python fuzz/fuzz_vectors.py --replay CRASH_FILE_OR_DIR...   # no fuzzing, just run them

(see fuzz/run.sh).  The first input byte chooses how the file is read: format auto-detected,
binary or text, with or without a row limit, in 1 MiB chunks or in tiny ones (so that every row
straddles chunk boundaries); the rest is the file.  The reader must either raise VectorFileError
or return a correct parse, anything else is a crash:

  - the header's dimension, one float32 row per word, no NaN or infinity, no empty word;
  - what was read, written back in the format it was read in, reads back to the same words and
    vectors (bit for bit in binary; within text's 6 decimals in text); words with whitespace
    inside (possible in binary files, as word2vec.c writes them) must make the writer refuse
    with ValueError, not write a file that reads back differently.
"""
import io
import os
import sys

import atheris
import numpy as np  # imported before: only w2vfast's code is instrumented

with atheris.instrument_imports():
    from w2vfast import formats
    from w2vfast.formats import VectorFileError, read_vectors, write_vectors

WHITESPACE = b" \t\n\r\v\f"


def replay(paths, target):
    files = [os.path.join(p, f) for p in paths if os.path.isdir(p) for f in sorted(os.listdir(p))]
    files += [p for p in paths if not os.path.isdir(p)]
    for path in files:
        with open(path, "rb") as f:
            target(f.read())
    print(f"replayed {len(files)} inputs without a failure")


def check(data):
    if not data:
        return
    mode, body = data[0], data[1:]
    binary = (None, True, False)[mode % 3]
    limit = (None, 1, 2, 3)[(mode >> 2) % 4]
    formats.bytereader.CHUNK_BYTES = 7 if mode & 0x40 else 1 << 20
    try:
        words, vectors = read_vectors(io.BytesIO(body), binary=binary, limit=limit)
    except VectorFileError:
        return
    header = body.split(b"\n", 1)[0].split()
    count, dim = int(header[0]), int(header[1])
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
    assert vectors.shape == (len(words), dim), (vectors.shape, len(words), dim)
    assert len(words) == (count if limit is None else min(count, limit))
    assert np.isfinite(vectors).all()
    assert all(isinstance(w, bytes) and w for w in words)

    was_binary = binary if binary is not None else not formats.word2vec.first_row_looks_text(
        formats.bytereader.ByteReader(io.BytesIO(body.split(b"\n", 1)[1]), "x", False), dim)
    out = io.BytesIO()
    try:
        write_vectors(out, words, vectors, binary=was_binary)
    except ValueError:
        assert any(b in w for w in words for b in WHITESPACE), "the writer refused a good model"
        return
    again_words, again = read_vectors(io.BytesIO(out.getvalue()), binary=was_binary)
    assert again_words == words
    if was_binary:
        assert again.tobytes() == vectors.tobytes()
    else:
        # "%f": 6 decimals, so values below 5e-7 come back as 0 and big ones keep 6 decimals
        assert np.allclose(again, vectors, rtol=1e-6, atol=1e-6)


def main():
    if sys.argv[1:2] == ["--replay"]:  # run saved inputs (a crash, a corpus) without fuzzing
        replay(sys.argv[2:], check)
        return
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
