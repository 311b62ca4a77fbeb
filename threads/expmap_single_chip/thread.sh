# Get started: a simulated ACIS-I observation with known sources (simobs, seed 1)
dmkeypar sim_evt2.fits DETNAM echo+
punlearn dmcopy
dmcopy "sim_evt2.fits[energy=500:7000]" sim.evt2

# 1. Create an image: which chip is the source on?
punlearn dmcoords
dmcoords sim.evt2 asolfile=sim_asol1.fits x=4096.5 y=4096.5 option=sky
pget dmcoords chip_id

# Bin the events of that chip by 2, inside its field of view
dmcopy "sim.evt2[ccd_id=3,sky=region(sim_fov1.fits[ccd_id=3])][bin sky=2]" sim.i3.img
dmstat sim.i3.img centroid-
get_sky_limits sim.i3.img

# 2. Compute the exposure map: what is the spectrum of the source?
cat obj.reg
punlearn dmextract
pset dmextract opt=generic
dmextract "sim.evt2[sky=region(obj.reg)][bin energy=500:7000:50]" obj_spectrum.fits
dmstat "obj_spectrum.fits[cols counts]" sigma-

# Compute the aspect histogram
punlearn asphist
asphist sim_asol1.fits 3.asphist "sim.evt2[ccd_id=3]"

# Calculate the instrument map, at 2.3 keV, with the observation's bad pixels
pset ardlib AXAF_ACIS3_BADPIX_FILE="sim_bpix1.fits[BADPIX3]"
pget ardlib AXAF_ACIS3_BADPIX_FILE
punlearn mkinstmap
pset mkinstmap pixelgrid="1:1024:#1024,1:1024:#1024"
pset mkinstmap obsfile=sim.evt2
pset mkinstmap maskfile=sim_msk1.fits
pset mkinstmap detsubsys=ACIS-3
mkinstmap 3.instmap NONE 2.3

# Calculate the exposure map on the grid of the image
pset mkexpmap xygrid=")get_sky_limits.xygrid"
pget mkexpmap xygrid
xygrid=$(pget get_sky_limits xygrid)
echo $xygrid
punlearn mkexpmap
pset mkexpmap xygrid=$xygrid normalize=no
mkexpmap 3.asphist 3.expmap 3.instmap
dmstat 3.expmap centroid-

# 3. Normalize the image by the exposure map
punlearn dmimgthresh
dmimgthresh sim.i3.img sim.i3.thresh.img expfile=3.expmap cut="1.5%"
dmimgthresh 3.expmap 3.thresh.expmap cut="1.5%"
punlearn dmimgcalc
dmimgcalc sim.i3.thresh.img 3.thresh.expmap sim.i3.norm div
dmstat sim.i3.norm centroid-
# the same division, with NaN where there is no exposure
dmimgcalc infile=sim.i3.thresh.img,3.thresh.expmap \
          infile2= outfile=sim.i3.norm2 \
          operation="imgout=img1/img2"
dmstat sim.i3.norm2 centroid-

# Calculate the source flux
punlearn dmstat
dmstat "sim.i3.norm[sky=region(obj.reg)]" centroid-
punlearn dmextract
dmextract "sim.i3.norm[bin sky=@obj.reg]" sources.flux opt=generic
dmlist "sources.flux[cols counts]" data,clean

# Compare with the flux the simulation put in
dmlist "sim_truth.fits[TRUTH][src_id=1][cols name,photflux,spectrum]" data,clean
measured=$(pget dmstat out_sum)
true_flux=$(dmlist "sim_truth.fits[TRUTH][src_id=1][cols photflux]" data,clean | tail -1)
awk -v m="$measured" -v t="$true_flux" 'BEGIN { printf "measured flux %.4g photon/cm**2/s, true flux %.4g photon/cm**2/s, ratio %.3f\n", m, t, m / t }'
