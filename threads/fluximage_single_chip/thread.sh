# Get started: a simulated ACIS-I observation with known sources (simobs, seed 1)
dmkeypar sim_evt2.fits DETNAM echo+
# fluximage finds the aspect solution, bad pixels and mask from these keywords
dmkeypar sim_evt2.fits ASOLFILE echo+
dmkeypar sim_evt2.fits BPIXFILE echo+
dmkeypar sim_evt2.fits MASKFILE echo+

# Run the script: the chip the source is on (ACIS-I3), binned by 2, the broad band
punlearn fluximage
fluximage "sim_evt2.fits[ccd_id=3]" chip3 bin=2
plist fluximage

# The exposure map and the exposure-corrected image
dmstat chip3_broad_thresh.expmap centroid-
dmstat chip3_broad_flux.img centroid-

# Calculate the source flux
cat obj.reg
punlearn dmstat
dmstat "chip3_broad_flux.img[sky=region(obj.reg)]" centroid-
punlearn dmextract
dmextract "chip3_broad_flux.img[bin sky=@obj.reg]" sources.flux opt=generic
dmlist "sources.flux[cols counts]" data,clean

# Compare with the flux the simulation put in
dmlist "sim_truth.fits[TRUTH][src_id=1][cols name,photflux,spectrum]" data,clean
measured=$(pget dmstat out_sum)
true_flux=$(dmlist "sim_truth.fits[TRUTH][src_id=1][cols photflux]" data,clean | tail -1)
awk -v m="$measured" -v t="$true_flux" 'BEGIN { printf "measured flux %.4g photon/cm**2/s, true flux %.4g photon/cm**2/s, ratio %.3f\n", m, t, m / t }'
