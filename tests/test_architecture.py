"""The house rules of ARCHITECTURE.md, checked on the source tree: no file over 500 lines, no
module reaching into another's underscore names, and no circle between modules or C files."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "w2vfast"
MAX_LINES = 500


def _sources():
    for pattern in ("w2vfast/**/*.py", "w2vfast/*.pyx", "w2vfast/*.pxi", "w2vfast/*.pxd", "csrc/*.c",
                    "csrc/*.h", "tests/*.py", "fuzz/*.c", "fuzz/*.py", "setup.py"):
        yield from ROOT.glob(pattern)
    yield from (p for p in (ROOT / "bin").iterdir() if p.is_file())


def test_no_source_file_is_over_500_lines():
    long = [f"{p.relative_to(ROOT)}: {n}" for p in _sources()
            if (n := len(p.read_text(errors="replace").splitlines())) > MAX_LINES]
    assert not long, "split these by concept:\n" + "\n".join(long)


def _package_modules():
    """module name (w2vfast.x.y) -> its path, for the package's Python modules."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(path, name):
    """(imported module, imported names, whether at the module's top level) of a module."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            yield module, [a.name for a in node.names], id(node) in top
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, [], id(node) in top


def test_no_module_imports_another_modules_underscore_names():
    modules = _package_modules()
    found = []
    for name, path in modules.items():
        for module, names, _ in _imports(path, name):
            if not module or not module.startswith("w2vfast"):
                continue
            for n in names:
                if n.startswith("_") and f"{module}.{n}" != "w2vfast._core":
                    found.append(f"{path.relative_to(ROOT)}: from {module} import {n}")
        # attribute use of another module's private names: `api._tables`
        text = path.read_text()
        for m in re.finditer(r"\b(\w+)\._(?!_)(\w+)", text):
            alias = m.group(1)
            if alias in {"self", "cls", "d", "t", "os", "sys", "np", "e", "other", "part", "shard"}:
                continue
            if f"w2vfast.{alias}" in modules or alias in ("api", "pipeline", "kinds", "model_io", "vocab",
                                                          "corpus", "formats", "options", "opts"):
                found.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    # the scripts in bin/ share their modules (benchlib, trees, bench_*) the same way
    for path in sorted((ROOT / "bin").iterdir()):
        if path.is_file():
            for m in re.finditer(r"^from (\w+) import ([^\n(]+|\([^)]*\))", path.read_text(), re.M):
                for n in re.findall(r"\b(_\w+)", m.group(2)):
                    found.append(f"{path.relative_to(ROOT)}: from {m.group(1)} import {n}")
            for m in re.finditer(r"\b(bl|benchlib|trees)\._(?!_)\w+", path.read_text()):
                found.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not found, "\n".join(found)


def _cycle(graph):
    """A cycle of `graph` (node -> set of nodes) as a list, or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_no_import_circle_between_the_package_modules():
    """Modules import each other at their top level in one direction only (the commands of cli/
    import the rest; nothing imports the commands back)."""
    modules = _package_modules()
    graph = {}
    for name, path in modules.items():
        for module, names, at_top in _imports(path, name):
            if not at_top or not module or not module.startswith("w2vfast"):
                continue
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules] or [module]
            graph.setdefault(name, set()).update(t for t in targets if t in modules and t != name)
    # a package's __init__ importing its own modules is how it gathers them
    for name in list(graph):
        graph[name] = {t for t in graph[name] if not (name in modules and modules[name].name == "__init__.py"
                                                    and t.startswith(name + "."))}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_no_call_circle_between_the_c_files():
    """A C file depends on another when it includes the header the other implements
    (schedule.h for schedule.c); the training loop (train_loop.h, built by train_*.c) counts as
    its builds.  These dependencies have no circle: the loop calls the schedule, never back."""
    csrc = ROOT / "csrc"
    implemented = {p.with_suffix(".h").name: p.name for p in csrc.glob("*.c")}

    def includes(path, seen=None):
        seen = set() if seen is None else seen
        for inc in re.findall(r'#include "([^"]+)"', path.read_text()):
            if inc not in seen and (csrc / inc).exists():
                seen.add(inc)
                includes(csrc / inc, seen)
        return seen

    graph = {}
    for c in csrc.glob("*.c"):
        deps = {implemented[h] for h in includes(c) if h in implemented} - {c.name}
        graph[c.name] = deps
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))
    # the kernels' tests reach the builds through a table of their own
    isa = (csrc / "isa.h").read_text()
    production = isa[isa.index("typedef struct w2v_isa"):isa.index("} w2v_isa;")]
    assert "probe" not in production and "step" not in production


@pytest.mark.parametrize("header", ["loss.h", "loss_hs.h", "loss_ns.h", "input.h", "block.h", "simd.h"])
def test_kernels_hold_no_state_of_their_own(header):
    """C kernels are pure: no globals (static tables are const), no exit()."""
    text = (ROOT / "csrc" / header).read_text()
    assert "exit(" not in text
    for line in text.splitlines():
        if re.match(r"^static\s+(?!inline|const|int w2v_\w+_init)\w", line):
            pytest.fail(f"{header}: a static that is not const: {line}")


def test_the_fuzz_harness_links_every_function_dictionary_h_declares():
    """fuzz/build.sh lists the C files behind csrc/dictionary.h by hand: each function the header
    declares must be defined in one of them, or CI's fuzz step fails to link."""
    build = (ROOT / "fuzz" / "build.sh").read_text()
    listed = re.search(r"^sources=\(([^)]*)\)", build, re.M).group(1).split()
    defined = "\n".join((ROOT / path).read_text() for path in listed)
    header = (ROOT / "csrc" / "dictionary.h").read_text()
    declared = set(re.findall(r"^[a-z_0-9 ]+?\*?\s*\b(w2v_\w+)\(", header, re.M))
    assert declared, "no declarations found in csrc/dictionary.h"
    missing = sorted(f for f in declared
                     if not re.search(rf"^[a-z_0-9 ]+?\*?\s*\b{f}\([^;]*\)\s*\{{", defined, re.M))
    assert not missing, f"defined in none of fuzz/build.sh's sources {listed}: {missing}"
