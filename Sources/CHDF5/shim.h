// HDF5 (Debian libhdf5-dev, serial) for load_sequences/save_sequences. The
// library's type and property identifiers are macros over globals, which Swift
// cannot import: these inline functions hand them over.
#include <hdf5.h>

static inline hid_t kymo_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t kymo_h5s_all(void) { return H5S_ALL; }
static inline hid_t kymo_h5_native_uchar(void) { return H5T_NATIVE_UCHAR; }
static inline hid_t kymo_h5_native_schar(void) { return H5T_NATIVE_SCHAR; }
static inline hid_t kymo_h5_native_short(void) { return H5T_NATIVE_SHORT; }
static inline hid_t kymo_h5_native_int(void) { return H5T_NATIVE_INT; }
static inline hid_t kymo_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t kymo_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t kymo_h5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t kymo_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t kymo_h5p_group_create(void) { return H5P_GROUP_CREATE; }
/// Silences the library's own error printing (errors are reported by Kymo).
static inline void kymo_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static inline unsigned kymo_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned kymo_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
