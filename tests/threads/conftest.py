"""Helpers for the runner's own tests: tiny self-made threads in a temporary folder."""
import textwrap

import pytest

from pyciao.threads import cli


@pytest.fixture
def make_thread(tmp_path):
    """make_thread(script, cfg="", inputs={}, name="demo") -> the thread folder."""
    def make(script, cfg="", inputs=None, name="demo"):
        folder = tmp_path / "threads" / name
        folder.mkdir(parents=True)
        (folder / "thread.sh").write_text(textwrap.dedent(script).lstrip("\n"))
        cfg = textwrap.dedent(cfg)
        if "[thread]" not in cfg:
            cfg = f"[thread]\ntitle = A {name} thread\nfollows = nothing in particular\n" + cfg
        (folder / "thread.cfg").write_text(cfg)
        (folder / "README.md").write_text(f"# {name}\n")
        for rel, text in (inputs or {}).items():
            path = folder / "inputs" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return folder
    return make


@pytest.fixture
def thread_cli(capsys):
    """thread_cli(*args) -> (exit status, stdout, stderr) of an in-process pyciao-thread."""
    def run(*args):
        status = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err
    return run
