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
