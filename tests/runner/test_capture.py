"""Per-thread capture of printed output (used by the Python API)."""
import sys
import threading

from pyciao.capture import captured_output


def test_threads_capture_only_their_own_output(capsys):
    barrier = threading.Barrier(4)
    results = {}

    def work(i):
        with captured_output() as out:
            barrier.wait()  # all four threads print at the same time
            for n in range(50):
                print(f"thread {i} line {n}")
                print(f"thread {i} warning {n}", file=sys.stderr)
        results[i] = out.getvalue()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, text in results.items():
        expected = "".join(f"thread {i} line {n}\nthread {i} warning {n}\n" for n in range(50))
        assert text == expected
    print("not captured")
    assert capsys.readouterr().out == "not captured\n"


def test_wrapped_streams_keep_their_encoding():
    with captured_output():
        pass
    real = sys.stdout._stream  # the router installed around the real stream
    assert real.encoding is not None
    assert (sys.stdout.encoding, sys.stdout.errors) == (real.encoding, real.errors)
