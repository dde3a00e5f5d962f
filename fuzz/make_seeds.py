"""Write the fuzzers' seed inputs into DIR/{tokenizer,tokenizer-py,vectors}-seeds.

    python fuzz/make_seeds.py DIR

A few small valid inputs for each harness, so that mutation starts from the interesting shapes
(separators, CRLF, long tokens, UTF-8, compressed streams, text and binary vector files).
"""
import bz2
import gzip
import lzma
import os
import struct
import sys

TEXT = (b"the quick brown fox\njumps over\tthe lazy\x0bdog\r\nthe end\x0cpage two\n"
        + b"x" * 120 + b" " + "\u00e9".encode() * 60 + b" caf\xc3\xa9 \xff\xfe\x00 </s>\n")


def main(directory):
    seeds = {
        "tokenizer": {  # fuzz_tokenizer.c: option byte, chunk-size byte, corpus
            "plain": b"\x00\x05" + TEXT,
            "min-count-3": b"\x02\x01" + TEXT * 3,
            "max-vocab": b"\x0c\x07" + b" ".join(b"w%d" % (i % 37) for i in range(300)),
            "read-vocab": b"\x81\x03the fox dog\tcaf\xc3\xa9|" + TEXT,
            "bytes": b"\x00\x00" + bytes(range(256)),
            # 200 vocabulary words, the corpus made of the first ones: their final ids grow
            "read-vocab-200": (b"\x80\x00" + b" ".join(b"v%d" % i for i in range(200)) + b"|"
                               + b" ".join(b"v%d" % (i % 120) for i in range(600))),
        },
        "tokenizer-py": {  # fuzz_tokenizer.py: option byte, corpus (maybe compressed)
            "plain": b"\x00" + TEXT,
            "small-chunks": b"\x10" + TEXT,
            "gzip": b"\x00" + gzip.compress(TEXT),
            "bzip2": b"\x01" + bz2.compress(TEXT),
            "xz": b"\x02" + lzma.compress(TEXT),
        },
    }
    rows = b"a " + struct.pack("<2f", 1, 2) + b"\nb " + struct.pack("<2f", 3, -4.5) + b"\n"
    seeds["vectors"] = {  # fuzz_vectors.py: option byte, vector file
        "binary": b"\x01" + b"2 2\n" + rows,
        "binary-auto": b"\x00" + b"2 2\n" + rows,
        "binary-no-newlines": b"\x00" + b"2 2\n" + rows.replace(b"\n", b""),
        "text": b"\x02" + b"2 3\nthe 0.100000 -0.200000 0.030000 \nof 1 2 3\n",
        "text-crlf-small-chunks": b"\x40" + b"3 2\r\nx 1.5 2\r\n\r\ny -1 0\r\nz 0 1e-3",
        "text-limit": b"\x04" + b"2 2\na 1 2\nb 3 4\n",
    }
    for kind, files in seeds.items():
        target = os.path.join(directory, kind + "-seeds")
        os.makedirs(target, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(target, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
