#ifndef LOSSHOST_CFFI_SHIM_H
#define LOSSHOST_CFFI_SHIM_H
#include <ffi.h>

/* Swift 6 cannot touch libffi's global type descriptors directly: hand out their addresses. */
static inline ffi_type *lh_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *lh_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *lh_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *lh_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *lh_ffi_type_void(void) { return &ffi_type_void; }
#endif
