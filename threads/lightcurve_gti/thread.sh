# Get started: real ACIS-S events of M82 (ObsID 10027), a 945 s slice on ACIS-S3
dmlist chandra_test.fits blocks
dmkeypar chandra_test.fits OBJECT echo+
dmlist "chandra_test.fits[GTI7]" data

# A simple time filter: the first 300 seconds
punlearn dmcopy
dmcopy "chandra_test.fits[time=339469168.43:339469468.43]" first300s_evt2.fits
dmlist first300s_evt2.fits blocks

# A light curve with dmextract, in 20 s bins
punlearn dmextract
dmextract "chandra_test.fits[bin time=::20]" lc_20s.fits opt=ltc1
dmlist "lc_20s.fits[cols time_min,time_max,counts,exposure,count_rate]" data
dmstat "lc_20s.fits[cols count_rate]"

# dmgti: the times when the count rate stays between 4.8 and 6 counts/s
punlearn dmgti
dmgti lc_20s.fits rate_gti.fits "(count_rate>4.8)&&(count_rate<6.0)"
dmlist rate_gti.fits blocks
dmlist "rate_gti.fits[GTI]" data

# Filtering the events with the new good time intervals
dmcopy "chandra_test.fits[@rate_gti.fits]" filtered_evt2.fits
dmlist filtered_evt2.fits blocks
dmkeypar filtered_evt2.fits EXPOSURE echo+
dmextract "filtered_evt2.fits[bin time=::20]" lc_filtered.fits opt=ltc1
dmstat "lc_filtered.fits[cols count_rate]"
