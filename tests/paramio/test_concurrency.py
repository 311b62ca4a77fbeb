"""Many processes setting parameters of one file at once: nothing corrupted, nothing lost."""
import multiprocessing
import os

import pytest

from paramio.grammar import read_parfile

WRITERS = 16
SETS_EACH = 100


def _writer(k, ready):
    import paramio

    ready.wait()
    for i in range(1, SETS_EACH + 1):
        paramio.pset("conc", f"p{k:02d}", str(i))


def _reader(path, ready, stop, failures):
    ready.wait()
    while not stop.is_set():
        try:
            pf = read_parfile(path)
        except FileNotFoundError:
            continue  # the user copy does not exist until the first write
        except Exception as err:  # noqa: BLE001 - any failure to read is what we look for
            failures.put(repr(err))
            continue
        if len(pf.params) != WRITERS + 1:
            failures.put(f"{len(pf.params)} parameters")


@pytest.mark.slow
def test_parallel_pset_loses_nothing(tmp_path, monkeypatch):
    user, system = tmp_path / "U", tmp_path / "S"
    user.mkdir()
    system.mkdir()
    lines = [f'p{k:02d},i,h,0,0,,"parameter {k}"' for k in range(WRITERS)]
    (system / "conc.par").write_text("\n".join(lines) + '\nmode,s,h,"ql",,,\n')
    monkeypatch.setenv("PFILES", f"{user};{system}")

    ctx = multiprocessing.get_context("fork")
    ready, stop, failures = ctx.Event(), ctx.Event(), ctx.Queue()
    reader = ctx.Process(target=_reader, args=(str(user / "conc.par"), ready, stop, failures))
    writers = [ctx.Process(target=_writer, args=(k, ready)) for k in range(WRITERS)]
    for proc in [reader, *writers]:
        proc.start()
    ready.set()
    for proc in writers:
        proc.join(timeout=120)
    stop.set()
    reader.join(timeout=10)
    assert all(proc.exitcode == 0 for proc in writers)

    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []
    final = read_parfile(str(user / "conc.par"))
    assert {p.name: p.value for p in final.params} == {
        **{f"p{k:02d}": str(SETS_EACH) for k in range(WRITERS)}, "mode": "ql"
    }
    assert sorted(os.listdir(user)) == ["conc.par"]  # no temporary files left behind


@pytest.mark.parametrize("mode", [0o600, 0o644])
def test_rewrite_keeps_the_files_permissions(demo, p, mode):
    p("paccess", "demo")
    os.chmod(demo.user_file(), mode)
    assert p("pset", "demo", "verbose=1").status == 0
    assert os.stat(demo.user_file()).st_mode & 0o777 == mode
