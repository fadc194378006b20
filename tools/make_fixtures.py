"""Regenerates the PyTorch reference fixtures under test/fixtures/ (see tools/README.md).

    /usr/bin/python3 tools/make_fixtures.py

Deterministic: every tensor comes from a generator seeded by its case name, so the output is the
same on every run with the same PyTorch version, and adding a case leaves the others unchanged.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import fixtures_functional  # noqa: E402
import fixtures_lenet  # noqa: E402
import fixtures_optim  # noqa: E402
from fixtures_common import FIXTURES, write_json  # noqa: E402


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(FIXTURES, exist_ok=True)
    version = torch.__version__

    cases = fixtures_functional.build()
    names = [c["name"] for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit("duplicate case names: " + ", ".join(duplicates))
    written = [write_json("functional.json", {"torch": version, "cases": cases})]
    written.append(write_json("optim.json", {"torch": version, **fixtures_optim.build()}))
    written.append(write_json("lenet5_io.json", fixtures_lenet.build(version)))
    written.append(os.path.join(FIXTURES, "lenet5.safetensors"))

    for path in written:
        print("%-60s %9d bytes" % (os.path.relpath(path), os.path.getsize(path)))
    print("%d functional cases" % len(cases))


if __name__ == "__main__":
    main()
