"""Wall time of ``pget`` against a bare ``python -c pass`` (goal: at most 1.5x).

Run with the interpreter of an installed pyciao (a normal ``pip install .``, so the modules
have compiled bytecode), e.g. ``.venv/bin/python benchmarks/cli_startup.py``. The pget
console script next to that interpreter is timed on the installed dmcopy.par under an explicit
PFILES, once reading the system copy and once with a user copy (two files parsed and
compared for the out-of-date check).
"""
import argparse
import importlib.resources
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

def wall_times(command, env, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    pget = pathlib.Path(sys.executable).parent / "pget"
    if not pget.exists():
        sys.exit(f"no pget script next to {sys.executable}: install pyciao into this environment")
    system = importlib.resources.files("pyciao.param")
    shipped = (system / "dmcopy.par").read_text()
    with tempfile.TemporaryDirectory() as user:
        env = dict(os.environ, PFILES=f"{user};{system}")
        pget_command = [str(pget), "dmcopy", "clobber"]
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "pget dmcopy clobber (system copy)": pget_command,
        }
        results = {name: [] for name in cases}
        results["pget dmcopy clobber (user copy)"] = []
        for _ in range(3):  # warm the file cache
            for command in cases.values():
                wall_times(command, env, 1)
        user_copy = pathlib.Path(user, "dmcopy.par")
        for _ in range(args.runs // 4):  # interleave, so drift hits every case alike
            for name, command in cases.items():
                results[name] += wall_times(command, env, 2)
            user_copy.write_text(shipped)
            results["pget dmcopy clobber (user copy)"] += wall_times(pget_command, env, 2)
            user_copy.unlink()

    base = statistics.median(results["python -c pass"])
    print(f"{'command':36s} {'median':>9s} {'min':>9s} {'ratio':>6s}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:36s} {median * 1e3:7.1f}ms {min(times) * 1e3:7.1f}ms {median / base:6.2f}")


if __name__ == "__main__":
    main()
