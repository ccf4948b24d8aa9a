"""``python -m pyston script.py [args]``: run a program, compiling its hot functions.

Also ``python -m pyston -m module [args]``, ``python -m pyston -c code [args]``
and ``python -m pyston - [args]`` (the program on stdin); ``--report`` (or
``PYSTON_REPORT=1``) prints what was compiled at exit.  See ``docs/auto.md``.
"""

import sys

from pyston._auto import main

if __name__ == "__main__":
    main(sys.argv[1:])
