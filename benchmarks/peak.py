"""Run a module as ``python -m`` would, and report this process's own peak RSS at exit.

``python benchmarks/peak.py xl_wacheck check …`` prints ``peak-rss-mb: N`` (VmHWM) to stderr.
Unlike the ru_maxrss of waited-for children, this does not count the pages that forked
worker processes merely share with their parent.
"""

import atexit
import runpy
import sys
from pathlib import Path


def report() -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(f"peak-rss-mb: {int(line.split()[1]) // 1024}", file=sys.stderr)


if __name__ == "__main__":
    atexit.register(report)
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
