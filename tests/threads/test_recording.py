"""The transcript format: readable, and read back exactly as written."""
import pytest

from pyciao.threads import recording
from pyciao.threads.recording import FileRecord, StepRecord


def _steps():
    return [
        StepRecord(1, "Resetting parameter defaults", "punlearn dmlist", 0, ""),
        StepRecord(2, "Resetting parameter defaults", "plist dmlist", 0,
                   "\nParameters for <SCRATCH>/pfiles/dmlist.par\n\n"
                   "         (mode = ql)              \n\n"),
        StepRecord(3, "", "dmcopy \\\n  in.fits out.fits", 1,
                   "@@ step 99 · looks like structure\n@home\n@@\n",
                   [FileRecord("out.fits", "FITS", "[0 PRIMARY] SIMPLE  =  T\n"),
                    FileRecord("old.txt", "removed", ""),
                    FileRecord("list.txt", "text", "no newline at the end")]),
        StepRecord(4, "Waiting", "sleep 100", None, "[pyciao-thread: timed out after 1 s]\n"),
        StepRecord(5, "Waiting", "printf x", 0, "x"),
    ]


def test_round_trip():
    text = recording.render("demo", _steps())
    assert recording.parse(text) == _steps()


def test_reads_like_a_terminal_session():
    text = recording.render("demo", _steps())
    assert "@@ step 2 · Resetting parameter defaults\nunix% plist dmlist\n@@ exit 0\n\n" \
           "Parameters for <SCRATCH>/pfiles/dmlist.par\n" in text
    assert "unix% dmcopy \\\n  in.fits out.fits\n@@ exit 1\n" in text
    # output lines that look like structure are escaped with one more '@'
    assert "\n@@@ step 99 · looks like structure\n@@home\n@@@\n" in text
    assert "@@ file list.txt · text\nno newline at the end\n@@ no newline at end\n" in text
    assert "@@ exit timeout\n" in text
    # trailing spaces are kept (plist's layout)
    assert "         (mode = ql)              \n" in text


@pytest.mark.parametrize("text, message", [
    ("@@ step 1\nunix% x\n@@ exit 0\n@@ bogus\n", "unexpected '@@ bogus'"),
    ("@@ step 2\nunix% x\n@@ exit 0\n", "not numbered"),
    ("@@ step 1\nunix% x\n@@ exit 0\nout\n@@ no newline at end\nmore\n", "text after"),
])
def test_malformed_recordings_are_reported(text, message):
    with pytest.raises(recording.RecordingError, match=message):
        recording.parse(text)
