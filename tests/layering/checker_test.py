#!/usr/bin/env python3
"""The layering check fails on a tree that breaks the rules: check_layering.py over
fixture_tangled must report each break, and only those.

Usage: checker_test.py <scratch folder> [--cmake-arg=<arg>]...
"""

import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRATCH = None
CMAKE_ARGS = []

EXPECTED = [
    "libs/loose: no include root of its own",
    "libs/upper/upper.cc:3: includes base/base.h: fx_upper does not link fx_base",
    "libs/wire/wire.cc:1: includes grpcpp/grpcpp.h: libs/ hold no gRPC",
    "libs/wire/wire.cc:3: includes common/logging.h: libs/ must not use services/",
    "fx_wire links gRPC::grpc++",
    "in a cycle: fx_left -> fx_right -> fx_left",
    "fx_ctl links fx_service_common (directly or indirectly): it must not",
]
# Allowed: a PRIVATE dependency seen by its own user, a PUBLIC one seen one level up.
ALLOWED = ["libs/middle/middle.cc", "libs/upper/upper.h", "libs/left/left.cc"]


class TangledTreeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run = subprocess.run(
            [sys.executable, str(HERE / "check_layering.py"), "--source",
             str(HERE / "fixture_tangled"), "--work", str(SCRATCH),
             "--forbid", "fx_ctl:fx_service_common"] + [f"--cmake-arg={a}" for a in CMAKE_ARGS],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        cls.returncode, cls.output = run.returncode, run.stdout
        print(cls.output)

    def test_fails(self):
        self.assertEqual(self.returncode, 1)

    def test_reports_every_break(self):
        for message in EXPECTED:
            self.assertIn(message, self.output)
        self.assertIn(f"{len(EXPECTED)} violation(s)", self.output)

    def test_reports_no_allowed_include(self):
        for path in ALLOWED:
            self.assertNotIn(path, self.output)


if __name__ == "__main__":
    SCRATCH = Path(sys.argv[1])
    CMAKE_ARGS = [a.split("=", 1)[1] for a in sys.argv[2:] if a.startswith("--cmake-arg=")]
    unittest.main(argv=[sys.argv[0]])
