#ifndef MANTIS_CCRC32C_H
#define MANTIS_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Extends a CRC-32C (Castagnoli) `crc` (0 to start) over `length` bytes at `data`, with
/// zlib-style semantics: update(update(0, a), b) == update(0, a + b). `data` may be NULL
/// when `length` is 0. Uses CPU instructions when available, else the table fallback.
/// Thread-safe.
uint32_t mantis_crc32c_update(uint32_t crc, const void *data, size_t length);

/// The same result as `mantis_crc32c_update`, always computed with the portable table code.
uint32_t mantis_crc32c_update_software(uint32_t crc, const void *data, size_t length);

/// 1 if `mantis_crc32c_update` uses CPU CRC-32C instructions on this machine, else 0.
int mantis_crc32c_hardware_available(void);

#ifdef __cplusplus
}
#endif

#endif
