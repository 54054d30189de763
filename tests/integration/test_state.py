"""The state database under concurrent use (no VM needed)."""
import os
import shutil
import subprocess
import tempfile

from conftest import BIN


def test_concurrent_first_opens_of_a_new_root():
    # commands racing to create the schema and switch to WAL must all succeed
    for _ in range(40):
        root = tempfile.mkdtemp(prefix="a3s-state-")
        try:
            procs = [subprocess.Popen([BIN, "--root", root, "images", "-q"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE) for _ in range(10)]
            for p in procs:
                out, err = p.communicate(timeout=60)
                assert p.returncode == 0, err
                assert out == b""
        finally:
            shutil.rmtree(root, ignore_errors=True)
