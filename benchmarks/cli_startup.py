"""Wall time of ``pget`` against a bare ``python -c pass`` (goal: at most 1.5x).

Run with the interpreter of an installed pyciao (a normal ``pip install .``, so the modules
have compiled bytecode), e.g. ``.venv/bin/python benchmarks/cli_startup.py``. The pget
console script next to that interpreter is timed on a small parameter file under an explicit
PFILES, once reading the system copy and once with a user copy (two files parsed and
compared for the out-of-date check).
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

DEMO = """\
# demo parameter file
infile,f,a,"",,,"Input file"
outfile,f,a,"",,,"Output file"
units,s,h,"default",default|area|time,,"Units"
binsize,r,h,INDEF,0,,"Binning factor"
verbose,i,h,0,0,5,"Debug Level(0-5)"
clobber,b,h,no,,,"Overwrite output?"
mode,s,h,"ql",,,
"""


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
    with tempfile.TemporaryDirectory() as tmp:
        user, system = pathlib.Path(tmp, "U"), pathlib.Path(tmp, "S")
        user.mkdir()
        system.mkdir()
        (system / "demo.par").write_text(DEMO)
        env = dict(os.environ, PFILES=f"{user};{system}")
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "pget demo units (system copy)": [str(pget), "demo", "units"],
        }
        results = {name: [] for name in cases}
        results["pget demo units (user copy)"] = []
        for _ in range(3):  # warm the file cache
            for command in cases.values():
                wall_times(command, env, 1)
        for _ in range(args.runs // 4):  # interleave, so drift hits every case alike
            for name, command in cases.items():
                results[name] += wall_times(command, env, 2)
            (user / "demo.par").write_text(DEMO)
            pget_user = cases["pget demo units (system copy)"]
            results["pget demo units (user copy)"] += wall_times(pget_user, env, 2)
            (user / "demo.par").unlink()

    base = statistics.median(results["python -c pass"])
    print(f"{'command':32s} {'median':>9s} {'min':>9s} {'ratio':>6s}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:32s} {median * 1e3:7.1f}ms {min(times) * 1e3:7.1f}ms {median / base:6.2f}")


if __name__ == "__main__":
    main()
