"""Every shipped thread, replayed in a scratch directory and checked step by step against its
recording: one test per step, so a failure names the step and shows a readable diff."""
import pytest

from pyciao.threads import inputs, recipe, session
from pyciao.threads.report import plain_failure


def _step_params():
    params = []
    for name in recipe.shipped_names():
        thread = recipe.load(recipe.threads_root() / name)
        marks = [pytest.mark.slow] if thread.slow else []
        for step in thread.steps:
            params.append(pytest.param(name, step.number, id=f"{name}:{step.number:02d}", marks=marks))
    return params


class _Run:
    def __init__(self, thread):
        self.thread = thread
        self.skip = None
        self.results = {}


@pytest.fixture(scope="session")
def thread_run(request):
    """name -> the thread's single replay for this session (run when first asked for)."""
    runs = {}
    try:
        cache_dir = request.config.cache.mkdir("pyciao-simobs")
    except AttributeError:                       # the cache plugin is disabled
        cache_dir = None

    def get(name):
        if name not in runs:
            thread = recipe.load(recipe.threads_root() / name)
            run = runs[name] = _Run(thread)
            data_dir = inputs.find_data_dir()
            try:
                inputs.check_data(thread, data_dir)
                for kind, item in session.play(thread, data_dir=data_dir, cache_dir=cache_dir):
                    if kind == "done":
                        run.results[item.step.number] = item
            except inputs.MissingInput as exc:
                run.skip = str(exc)
        return runs[name]

    return get


@pytest.mark.parametrize("name, number", _step_params())
def test_thread_step(thread_run, name, number):
    run = thread_run(name)
    if run.skip:
        pytest.skip(run.skip)
    result = run.results[number]
    if not result.check.ok:
        pytest.fail(plain_failure(run.thread, result.step, result.check), pytrace=False)


@pytest.mark.parametrize("name", recipe.shipped_names())
def test_thread_is_complete(name):
    """The folder has its README and a recording of exactly the script's steps."""
    thread = recipe.load(recipe.threads_root() / name)
    assert (thread.folder / recipe.README).is_file(), f"{name} has no {recipe.README}"
    assert thread.title != name, f"{name}/thread.cfg has no [thread] title"
    recorded = thread.recorded_steps()
    assert recorded is not None, f"{name} was never recorded: run `pyciao-thread bless {name}`"
    assert len(recorded) == len(thread.steps), (
        f"{name}: the recording has {len(recorded)} steps, the script {len(thread.steps)}; "
        f"run `pyciao-thread bless {name}`")


# --------------------------------------------------------------- the checks can fail
def _first_tool_step(thread):
    """The first step that runs one of pyciao's console scripts and prints something."""
    import shutil

    from pyciao.threads.replay import pyciao_bin_dirs

    bins = [str(d) for d in pyciao_bin_dirs()]
    recorded = thread.recorded_steps() or []
    for step, rec in zip(thread.steps, recorded):
        word = step.command.split()[0]
        exe = shutil.which(word, path=":".join(bins)) if bins else None
        if exe and rec.output.strip():
            return step, rec
    return None, None


def _perturbable():
    names = []
    for name in recipe.shipped_names():
        thread = recipe.load(recipe.threads_root() / name)
        if _first_tool_step(thread)[0] is not None:
            names.append(name)
    return names


@pytest.fixture
def replay_options(request):
    """Where a partial replay finds its inputs (skips the test when they are missing)."""
    try:
        cache_dir = request.config.cache.mkdir("pyciao-simobs")
    except AttributeError:
        cache_dir = None
    return {"data_dir": inputs.find_data_dir(), "cache_dir": cache_dir}


def _play(thread, step, recorded=None, **options):
    try:
        return [item for kind, item in session.play(thread, step.number, step.number,
                                                    recorded=recorded, **options) if kind == "done"]
    except inputs.MissingInput as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", _perturbable())
def test_a_changed_recording_makes_the_step_fail(name, replay_options):
    thread = recipe.load(recipe.threads_root() / name)
    step, rec = _first_tool_step(thread)
    recorded = thread.recorded_steps()
    first_line = rec.output.splitlines()[0] if rec.output.splitlines()[0] else rec.output.splitlines()[1]
    recorded[step.number - 1].output = rec.output.replace(first_line, first_line + " CHANGED", 1)
    results = _play(thread, step, recorded, **replay_options)
    check = results[-1].check
    assert not check.ok
    message = plain_failure(thread, step, check)
    assert f"- {first_line} CHANGED" in message and f"+ {first_line}" in message


@pytest.mark.parametrize("name", _perturbable())
def test_a_changed_tool_makes_the_step_fail(name, tmp_path, replay_options):
    """A shim in front of the real tool adds a line to its output: the step fails, showing it."""
    import shutil

    from pyciao.threads.replay import pyciao_bin_dirs

    thread = recipe.load(recipe.threads_root() / name)
    step, _ = _first_tool_step(thread)
    word = step.command.split()[0]
    real = shutil.which(word, path=":".join(str(d) for d in pyciao_bin_dirs()))
    shim = tmp_path / word
    shim.write_text(f'#!/bin/sh\n"{real}" "$@"\nstatus=$?\necho "a line the tool never printed"\n'
                    f'exit $status\n')
    shim.chmod(0o755)
    results = _play(thread, step, extra_path=[tmp_path], **replay_options)
    check = results[-1].check
    assert not check.ok
    assert "+ a line the tool never printed" in plain_failure(thread, step, check)
