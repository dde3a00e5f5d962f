"""Constants more than one test file needs."""

# Every command that reads a vector file, with `{}` for the file and `{out}` for an output path:
# each must turn a damaged file into a one-line error naming the line or row.
VECTOR_COMMANDS = [
    ["similar", "{}", "a"],
    ["analogy", "{}", "a", "b", "c"],
    ["eval", "{}"],
    ["convert", "{}", "{out}"],
    ["classes", "{}", "-k", "2"],
    ["plot", "{}", "-o", "{out}.png"],
]
