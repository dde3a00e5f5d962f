"""Source trees of w2vfast for the scripts that compare two builds (bin/pair, bin/identical):
a tree built in place, or a git revision of this repository exported and built in a scratch
directory.

Not part of the w2vfast package; the scripts import it with
``sys.path.insert(0, os.path.dirname(__file__))``.
"""
import subprocess
import sys
from pathlib import Path

from benchlib import log, tail

ROOT = Path(__file__).resolve().parent.parent


def built_tree(path):
    """Whether `path` is a w2vfast source tree with its extension built in place."""
    return (path / "w2vfast" / "__init__.py").is_file() and any((path / "w2vfast").glob("_core*.so"))


def check_side(spec, prog):
    """("tree", path) for a built source tree, ("rev", commit) for a git revision of this
    repository; exits with the reason otherwise (both sides are checked before either is built)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        if not built_tree(path):
            sys.exit(f"{prog}: {spec} has no built w2vfast extension; "
                     "run `python setup.py build_ext --inplace` there first")
        return "tree", path.resolve()
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"],
                         capture_output=True, text=True)
    if rev.returncode != 0:
        sys.exit(f"{prog}: {spec!r} is neither a directory nor a git revision of {ROOT}")
    return "rev", rev.stdout.strip()


def materialize(spec, kind, where, scratch, name, prog):
    """The tree to run for side `name`: a built tree as it is, a revision exported and built."""
    if kind == "tree":
        return where
    tree = scratch / name
    tree.mkdir()
    log(f"[{name}] exporting {spec} ({where[:12]}) and building it in {tree}")
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", where], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        sys.exit(f"{prog}: git archive of {spec} failed")
    build_log = scratch / f"{name}-build.log"
    with open(build_log, "wb") as out:
        built = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=tree,
                               stdout=out, stderr=subprocess.STDOUT)
    if built.returncode != 0 or not built_tree(tree):
        sys.exit(f"{prog}: building {spec} failed:\n{tail(build_log)}")
    return tree
