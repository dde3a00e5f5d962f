"""Build the compiled core: w2vfast/_core.pyx plus the plain C in csrc/.

Environment switches:
  W2VFAST_NATIVE=1    compile for this machine only (-march=native); by default one build runs on
                      any x86-64: csrc/train_avx512.c, train_avx2.c and train_generic.c compile
                      the training loop three times and a trainer runs the widest the CPU has.
  W2VFAST_SANITIZE=1  build with AddressSanitizer and UndefinedBehaviorSanitizer (debugging).
"""
import glob
import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

compile_args = ["-O3", "-std=gnu11", "-fopenmp-simd", "-fno-math-errno", "-Wall", "-Wno-unused-function", "-Wno-psabi"]
link_args = []
if os.environ.get("W2VFAST_NATIVE") == "1":
    compile_args.append("-march=native")
if os.environ.get("W2VFAST_SANITIZE") == "1":
    sanitize = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]
    compile_args = [a for a in compile_args if a != "-O3"] + ["-O1", "-g"] + sanitize
    link_args += sanitize

core = Extension(
    "w2vfast._core",
    sources=["w2vfast/_core.pyx"] + sorted(glob.glob("csrc/*.c")),
    include_dirs=["csrc", numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    extra_compile_args=compile_args,
    extra_link_args=link_args,
    depends=sorted(glob.glob("csrc/*.h") + glob.glob("w2vfast/*.pxi") + ["w2vfast/_csrc.pxd"]),
)

setup(ext_modules=cythonize([core], language_level=3, annotate=False))
