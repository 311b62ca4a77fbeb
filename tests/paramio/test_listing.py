"""plist, pdump and pline layouts against output recorded from real CIAO sessions.

The expected texts are CIAO's own output (the "Using Parameter Files" thread for dmlist, the
single-chip exposure-map thread for asphist, mkexpmap and fluximage); the .par inputs are
reconstructed from those listings.
"""
import pytest

DMLIST = """\
infile,f,a,"",,,"Input dataset/block specification"
opt,s,a,"data",,,"Option"
outfile,f,h,"",,,"Output file (optional)"
rows,s,h,"",,,"Range of table rows to print (min:max)"
cells,s,h,"",,,"Range of array indices to print (min:max)"
verbose,i,h,0,0,5,"Debug Level(0-5)"
mode,s,h,"ql",,,
"""

# CIAO 4.16 thread, after "punlearn dmlist" ("         (mode = ql)" ends in 14 blanks)
DMLIST_PLIST = """
Parameters for {path}

        infile =                  Input dataset/block specification
           opt = data             Option
      (outfile = )                Output file (optional)
         (rows = )                Range of table rows to print (min:max)
        (cells = )                Range of array indices to print (min:max)
      (verbose = 0)               Debug Level(0-5)
         (mode = ql){blanks}

""".replace("{blanks}", " " * 14)

DMLIST_PLINE = "infile='' opt='data' outfile='' rows='' cells='' verbose='0' mode='ql'\n"
DMLIST_PDUMP = """\
infile=''
opt='data'
outfile=''
rows=''
cells=''
verbose='0'
mode='ql'
# EOF
"""

ASPHIST = """\
#       Parameter file for the ASPECT HISTOGRAM Tool
infile,f,a,"@acisf11823_asol1.lis",,,"Aspect Solution List Files"
outfile,f,a,"1.asphist",,,"Aspect Histogram Output File"
evtfile,f,a,"11823.evt2[ccd_id=1]",,,"Event List Files"
dtffile,f,a,"",,,"Live Time Correction List Files for HRC"
geompar,f,h,"geom",,,"Parameter file for Pixlib Geometry files"
res_xy,r,h,0.5,,,"Aspect Resolution x and y in arcsec"
res_roll,r,h,600.,,,"Aspect Resolution roll in arcsec"
max_bin,r,h,10000.,,,"Maximal number of bins"
clobber,b,h,no,,,"Clobber output"
verbose,i,h,0,0,5,"Verbose"
mode,s,h,"ql",,,
"""

ASPHIST_PLIST_BODY = """\
#       Parameter file for the ASPECT HISTOGRAM Tool
        infile = @acisf11823_asol1.lis Aspect Solution List Files
       outfile = 1.asphist        Aspect Histogram Output File
       evtfile = 11823.evt2[ccd_id=1] Event List Files
       dtffile =                  Live Time Correction List Files for HRC
      (geompar = geom)            Parameter file for Pixlib Geometry files
       (res_xy = 0.5)             Aspect Resolution x and y in arcsec
     (res_roll = 600.)            Aspect Resolution roll in arcsec
      (max_bin = 10000.)          Maximal number of bins
      (clobber = no)              Clobber output
      (verbose = 0)               Verbose
"""

MKEXPMAP = """\
asphistfile,f,a,"1.asphist",,,"Aspect Histogram File"
outfile,f,a,"1.expmap",,,"Output File Name"
instmapfile,f,a,"1.instmap",,,"Name of Instrument Map"
xygrid,s,a,"4098.2:5288.2:#595,2973.7:4165.7:#596",,,"grid specification syntax x0:x1:#nx,x0:x1:ny"
useavgaspect,b,a,no,,,"Use Average Aspect Pointing"
#  Aspect Histogram Parameters
#  If UseAvgAspect is set to yes, then only the average pointing derived from
#  the many pointings in the aspect histogram will be used.
#asphistfile,f,a,"../data/aciss_asphist.fits",,,"Aspect Histogram File"
normalize,b,h,no,,,"Normalize exposure map by exposure time"
geompar,f,h,"geom",,,"Parameter file for Pixlib Geometry files"
mode,s,h,"ql",ql|hl|q|h,,"Enter mode for parameter file."
"""

MKEXPMAP_PLIST_BODY = """\
   asphistfile = 1.asphist        Aspect Histogram File
       outfile = 1.expmap         Output File Name
   instmapfile = 1.instmap        Name of Instrument Map
        xygrid = 4098.2:5288.2:#595,2973.7:4165.7:#596 grid specification syntax x0:x1:#nx,x0:x1:ny
  useavgaspect = no               Use Average Aspect Pointing
#  Aspect Histogram Parameters
#  If UseAvgAspect is set to yes, then only the average pointing derived from
#  the many pointings in the aspect histogram will be used.
#asphistfile,f,a,"../data/aciss_asphist.fits",,,"Aspect Histogram File"
    (normalize = no)              Normalize exposure map by exposure time
      (geompar = geom)            Parameter file for Pixlib Geometry files
         (mode = ql)              Enter mode for parameter file.
"""


@pytest.fixture
def dmlist(demo, p):
    (demo.system / "dmlist.par").write_text(DMLIST)
    assert p("punlearn", "dmlist").status == 0
    return demo.user_file("dmlist")


def test_plist_dmlist_matches_the_ciao_thread(dmlist, p):
    result = p("plist", "dmlist")
    assert result.status == 0 and result.err == ""
    assert result.out == DMLIST_PLIST.format(path=dmlist)


def test_pline_and_pdump_match_the_ciao_thread(dmlist, p):
    assert p("pline", "dmlist").out == DMLIST_PLINE
    assert p("pdump", "dmlist").out == DMLIST_PDUMP


@pytest.mark.parametrize("tool, text, body", [("asphist", ASPHIST, ASPHIST_PLIST_BODY),
                                              ("mkexpmap", MKEXPMAP, MKEXPMAP_PLIST_BODY)])
def test_plist_recorded_in_the_exposure_map_thread(demo, p, tool, text, body):
    (demo.system / f"{tool}.par").write_text(text)
    out = p("plist", tool).out
    header = f"\nParameters for {demo.system}/{tool}.par\n\n"
    if tool == "asphist":
        body += "         (mode = ql)              \n"
    assert out == header + body + "\n"


def test_environment_values_show_what_they_expand_to(demo, p, monkeypatch):
    monkeypatch.setenv("ASCDS_WORK_PATH", "/tmp")
    monkeypatch.setenv("ASCDS_CALIB", "/export/local/ciao-4.4/data")
    (demo.system / "t.par").write_text(
        'tmpdir,s,h,"${ASCDS_WORK_PATH}",,,"Directory for temporary files"\n'
        'lookupTab,f,h,"${ASCDS_CALIB}/dmmerge_header_lookup.txt",,,"lookup table"\n'
    )
    assert p("plist", "t").out.split("\n")[3:5] == [
        "       (tmpdir = ${ASCDS_WORK_PATH} -> /tmp) Directory for temporary files",
        "    (lookupTab = ${ASCDS_CALIB}/dmmerge_header_lookup.txt -> "
        "/export/local/ciao-4.4/data/dmmerge_header_lookup.txt) lookup table",
    ]


def test_plist_demo(demo, p):
    # spec 8 #20
    lines = p("plist", "demo").out.split("\n")
    assert lines[:5] == ["", f"Parameters for {demo.system_file()}", "",
                         "# demo parameter file",
                         "        infile =                  Input file"]
    assert "       (xygrid = )other.grid -> 1:10:#10) Grid" in lines
    assert "          (tmp = ${TMPDIR}/x -> /tmp/x) Temp" in lines


def test_plist_orders_non_hidden_first(demo, p):
    (demo.system / "o.par").write_text('a,s,h,"1",,,"A"\nb,s,a,"2",,,"B"\n')
    assert p("plist", "o").out.split("\n")[3:5] == [
        "             b = 2                B",
        "            (a = 1)               A",
    ]


def test_plus_alone_lists_through_a_session(demo):
    from paramio import open_params
    from paramio.listing import plist_text

    session = open_params("demo", ["+"])
    assert session.list_requested
    assert plist_text(session).startswith(f"\nParameters for {demo.system_file()}\n")


def test_pdump_quotes_single_quotes_for_the_shell(demo, p):
    (demo.system / "q.par").write_text('''t,s,h,"it's",,,\n''')
    assert p("pdump", "q").out == "t='it'\\''s'\n# EOF\n"
