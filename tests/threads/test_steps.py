"""Splitting a thread script into the commands a user types."""
import subprocess

import pytest

from pyciao.threads.steps import ScriptError, split_steps

SCRIPT = r'''#!/bin/bash
# Resetting parameter defaults
# (a second comment line is not a new section)

punlearn dmlist   # a trailing comment stays with its command
plist dmlist
# Setting parameters
pset dmlist infile="a b
c" opt=data
dmcopy "evt2.fits[energy=500:7000][bin sky=8]" \
    img.fits
cat > obj.reg <<EOF
circle(4096.5,4096.5,20)
# not a comment, and no new step: we are inside the here-document
EOF
for f in a b; do
  echo $f
done
if true; then echo yes; fi
xygrid=$(pget get_sky_limits xygrid)
y=$(echo "$(echo ")")")
case $xygrid in a) echo A;; *) echo other;; esac
f() {
  echo in f
}
echo a#b 'it''s' $'x\'y' ; echo done
(cd /tmp
 pwd)
echo `date
`
'''


def test_sections_and_commands():
    steps = split_steps(SCRIPT)
    assert [s.command.split("\n")[0] for s in steps] == [
        "punlearn dmlist   # a trailing comment stays with its command",
        "plist dmlist",
        'pset dmlist infile="a b',
        'dmcopy "evt2.fits[energy=500:7000][bin sky=8]" \\',
        "cat > obj.reg <<EOF",
        "for f in a b; do",
        "if true; then echo yes; fi",
        "xygrid=$(pget get_sky_limits xygrid)",
        'y=$(echo "$(echo ")")")',
        "case $xygrid in a) echo A;; *) echo other;; esac",
        "f() {",
        "echo a#b 'it''s' $'x\\'y' ; echo done",
        "(cd /tmp",
        "echo `date",
    ]
    assert [s.number for s in steps] == list(range(1, 15))
    assert {s.section for s in steps[:2]} == {"Resetting parameter defaults"}
    assert {s.section for s in steps[2:]} == {"Setting parameters"}
    assert steps[3].command == 'dmcopy "evt2.fits[energy=500:7000][bin sky=8]" \\\n    img.fits'
    assert steps[4].command.endswith("inside the here-document\nEOF")
    assert steps[0].line == 5 and steps[2].line == 8


def test_each_step_is_a_complete_command_for_bash():
    """bash agrees: every step parses on its own, and together they are the script's code."""
    steps = split_steps(SCRIPT)
    for step in steps:
        proc = subprocess.run(["bash", "-n"], input=step.command + "\n", text=True,
                              capture_output=True)
        assert proc.returncode == 0, (step.command, proc.stderr)
    code = [line for line in SCRIPT.splitlines() if line.strip() and not (
        line.startswith("#") and not line.startswith("# not a comment"))]
    assert "\n".join(s.command for s in steps).splitlines() == code


def test_no_step_ends_early():
    """A prefix of a multi-line step is not a complete command for bash (so the split is not
    merely valid, it is where bash itself would run the command)."""
    for step in split_steps(SCRIPT):
        lines = step.command.split("\n")
        for k in range(1, len(lines)):
            proc = subprocess.run(["bash", "-n"], input="\n".join(lines[:k]) + "\n", text=True,
                                  capture_output=True)
            incomplete = proc.returncode != 0 or "here-document" in proc.stderr
            assert incomplete or lines[k - 1].endswith("\\"), (step.command, k)


def test_headline_marks_multi_line_commands():
    a, b = split_steps("echo one\necho 'two\nlines'\n")
    assert a.headline == "echo one"
    assert b.headline == "echo 'two …"


@pytest.mark.parametrize("script, message", [
    ("echo 'never closed\n", "single quote"),
    ('echo "never closed\n', "double quote"),
    ("cat <<EOF\nbody\n", "here-document ended by 'EOF'"),
    ("if true; then\n echo x\n", "no closing 'fi'"),
    ("echo $(date\n", "'$('"),
])
def test_unterminated_constructs_are_reported(script, message):
    with pytest.raises(ScriptError) as info:
        split_steps(script)
    assert message in str(info.value)


def test_blank_lines_end_a_comment_block():
    steps = split_steps("# First\n\n# Second\necho x\n# Third\necho y\n")
    assert [(s.section, s.command) for s in steps] == [("Second", "echo x"), ("Third", "echo y")]
