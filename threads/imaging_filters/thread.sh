# Get started: real ACIS events of ObsID 1479, a 300 x 300 pixel cut of the event file
dmlist acis_evt2.fits.gz blocks
dmkeypar acis_evt2.fits.gz OBJECT echo+
dmstat "acis_evt2.fits.gz[cols energy]"

# Filtering in energy: soft, medium and hard event lists
punlearn dmcopy
dmcopy "acis_evt2.fits.gz[energy=500:1200]" soft_evt2.fits
dmcopy "acis_evt2.fits.gz[energy=1200:2000]" medium_evt2.fits
dmcopy "acis_evt2.fits.gz[energy=2000:7000]" hard_evt2.fits
dmstat "hard_evt2.fits[cols energy]"

# An image of each band, binned by 8
dmcopy "soft_evt2.fits[bin sky=8]" soft_bin8.img
dmcopy "medium_evt2.fits[bin sky=8]" medium_bin8.img
dmcopy "hard_evt2.fits[bin sky=8]" hard_bin8.img
dmstat hard_bin8.img centroid-

# Binning factors 8, 4, 1 and 0.5 in the broad band (0.5-7 keV)
dmcopy "acis_evt2.fits.gz[energy=500:7000][bin sky=8]" broad_bin8.img
dmcopy "acis_evt2.fits.gz[energy=500:7000][bin sky=4]" broad_bin4.img
dmcopy "acis_evt2.fits.gz[energy=500:7000][bin sky=1]" broad_bin1.img
dmcopy "acis_evt2.fits.gz[energy=500:7000][bin sky=0.5]" broad_bin0.5.img
dmstat broad_bin8.img centroid-
dmstat broad_bin0.5.img centroid-
dmlist broad_bin0.5.img cols

# The images CIAO's own dmcopy made from these events, remade
dmcopy "acis_evt2.fits.gz[bin x=4000:4100:10,y=4000:4100:10]" bin10.img
dmstat bin10.img centroid-
dmstat acis_dm_bin10_img.fits.gz centroid-
diff <(dmlist bin10.img data) <(dmlist acis_dm_bin10_img.fits.gz data) && echo "same pixels as CIAO"
dmcopy "acis_evt2.fits.gz[energy=2000:5000][bin x=4000:4100,y=4000:4100]" bin1.img
dmstat bin1.img centroid-
diff <(dmlist bin1.img data) <(dmlist acis_dm_bin1_img.fits.gz data) && echo "same pixels as CIAO"
