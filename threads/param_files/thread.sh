# Resetting parameter defaults
punlearn dmlist
plist dmlist

# Viewing parameters and values
pget dmlist opt
pget dmlist infile opt verbose
pline dmlist
pdump dmlist
paccess dmlist
pget dmlist verbose.p_min verbose.p_max verbose.p_prompt opt.p_mode

# Setting parameters with pset: one parameter, then several
pset dmlist infile=acisf01843N002_evt2.fits
pget dmlist infile
pset dmlist infile="acisf01843N002_evt2.fits[ccd_id=7]" opt=header verbose=2
plist dmlist

# Blanks around '=', empty strings, positional values
pset dmlist rows = 1:10
pget dmlist rows
pset dmlist rows="" cells=
pget dmlist rows cells
pset dmlist acisf01843N002_evt2.fits data
pget dmlist infile opt

# Booleans: +, - and yes/no
punlearn fluximage
pset fluximage clob+ cleanup-
pget fluximage clobber cleanup
pset fluximage clobber=no
pget fluximage clobber

# Values are checked against the parameter file
pset dmlist verbose=9
pset dmlist verbose=two
pget dmlist verbose

# Setting parameters without pset: on the tool's command line
punlearn dmkeypar
dmkeypar sim_evt2.fits TELESCOP echo+
plist dmkeypar
pget dmkeypar value exist datatype
dmkeypar sim_evt2.fits RA_NOM
pget dmkeypar infile keyword echo rval

# Abbreviating parameter names and values
pset dmlist inf=evt2.fits op=cols verb=1
pget dmlist in op verb
pset dmlist o=out.txt
pset dmlist nosuch=1

# Enumerated values: a unique prefix is enough, case matters
pset fluximage units=ar
pget fluximage units
pset fluximage units=t
pget fluximage units
pset fluximage units=AREA
punlearn dmextract
pset dmextract opt=gen
pset dmextract opt=generic
pget dmextract opt
plist dmextract

# Redirects: one parameter file pointing at another
punlearn get_sky_limits mkexpmap
pset get_sky_limits xygrid="4098.2:5288.2:#595,2973.7:4165.7:#596"
pset mkexpmap xygrid=")get_sky_limits.xygrid"
pget mkexpmap xygrid
pget mkexpmap xygrid.p_value
plist mkexpmap

# Environment variables in values
pget fluximage tmpdir
pget fluximage tmpdir.p_value

# Querying: without a terminal nothing is asked; mode=h never asks
punlearn dmlist
pquery dmlist infile
pquery dmlist infile mode=h
pquery dmlist infile acisf01843N002_evt2.fits
pget dmlist infile
punlearn dmkeypar
dmkeypar echo+
pset dmkeypar infile=sim_evt2.fits keyword=DETNAM
dmkeypar echo+ mode=h

# Running multiple instances of a tool: a private copy of the parameter file
cp $(paccess dmlist) dmlist_second.par
pset ./dmlist_second.par infile=second_evt2.fits opt=blocks
pget ./dmlist_second.par infile opt
pget dmlist infile opt
plist ./dmlist_second.par
cp $(paccess dmkeypar) dmkeypar_second.par
pset ./dmkeypar_second.par keyword=INSTRUME
dmkeypar @@dmkeypar_second.par echo+ mode=h
pget ./dmkeypar_second.par keyword value
pget dmkeypar keyword value

# Running multiple instances of a tool: a private parameter directory
mkdir -p second_param
export PFILES="$PWD/second_param;${PFILES#*;}"
punlearn dmlist
pset dmlist infile=second_evt2.fits
paccess dmlist
pget dmlist infile
ls second_param
