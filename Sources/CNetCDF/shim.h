// NetCDF (Debian libnetcdf-dev) for load_sequences/save_sequences.
#include <netcdf.h>
