// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
//
// Hardware path: the CPU's crc32 instruction (x86-64 SSE4.2, detected at run time; ARMv8 CRC,
// when the compiler targets it), 8 bytes per instruction, on three interleaved streams so the
// instruction's latency is hidden. The three partial CRCs are joined with "shift by N zero
// bytes" operators precomputed as tables. Software path: slicing-by-8 tables.
//
// All CRC values inside this file are raw register values; the public functions apply the
// standard pre- and post-inversion.

#include "ccrc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#define MANTIS_CRC32C_X86 1
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define MANTIS_CRC32C_ARM 1
#endif

#define POLY 0x82F63B78u

// Interleaved block lengths per stream: long blocks for big buffers, short ones for the rest.
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static uint32_t slice_table[8][256];
static uint32_t long_shift[4][256];
static uint32_t short_shift[4][256];
static int hardware_available;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

// Little-endian 64-bit load from any alignment (compiles to one load on little-endian CPUs).
static inline uint64_t load_le64(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

// One slicing-by-8 step: the register after 8 more bytes whose little-endian value is `word`.
static inline uint32_t software_step8(uint32_t crc, uint64_t word) {
    uint64_t w = word ^ crc;
    return slice_table[7][w & 0xff] ^ slice_table[6][(w >> 8) & 0xff] ^
           slice_table[5][(w >> 16) & 0xff] ^ slice_table[4][(w >> 24) & 0xff] ^
           slice_table[3][(w >> 32) & 0xff] ^ slice_table[2][(w >> 40) & 0xff] ^
           slice_table[1][(w >> 48) & 0xff] ^ slice_table[0][w >> 56];
}

static uint32_t software_update(uint32_t crc, const unsigned char *p, size_t n) {
    while (n > 0 && ((uintptr_t)p & 7) != 0) {
        crc = slice_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    while (n >= 8) {
        crc = software_step8(crc, load_le64(p));
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        crc = slice_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    return crc;
}

// Builds the table of the linear map "append `length` zero bytes" (length a multiple of 8).
static void build_shift_table(uint32_t table[4][256], size_t length) {
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++) {
        uint32_t crc = 1u << bit;
        for (size_t i = 0; i < length; i += 8) crc = software_step8(crc, 0);
        basis[bit] = crc;
    }
    for (int k = 0; k < 4; k++) {
        for (int v = 0; v < 256; v++) {
            uint32_t image = 0;
            for (int bit = 0; bit < 8; bit++)
                if (v & (1 << bit)) image ^= basis[8 * k + bit];
            table[k][v] = image;
        }
    }
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^
           table[3][crc >> 24];
}

static int detect_hardware(void) {
#if defined(MANTIS_CRC32C_X86)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & (1u << 20)) != 0;  // CPUID.1:ECX.SSE4_2
#elif defined(MANTIS_CRC32C_ARM)
    return 1;  // the compiler was told the CPU has the CRC extension
#else
    return 0;
#endif
}

static void initialize_tables(void) {
    for (uint32_t v = 0; v < 256; v++) {
        uint32_t crc = v;
        for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (crc >> 1) ^ POLY : crc >> 1;
        slice_table[0][v] = crc;
    }
    for (uint32_t v = 0; v < 256; v++)
        for (int k = 1; k < 8; k++)
            slice_table[k][v] =
                (slice_table[k - 1][v] >> 8) ^ slice_table[0][slice_table[k - 1][v] & 0xff];
    build_shift_table(long_shift, LONG_BLOCK);
    build_shift_table(short_shift, SHORT_BLOCK);
    hardware_available = detect_hardware();
}

#if defined(MANTIS_CRC32C_X86) || defined(MANTIS_CRC32C_ARM)

#if defined(MANTIS_CRC32C_X86)
#define HARDWARE_FUNCTION __attribute__((target("sse4.2")))
#define HW8(crc, word) ((uint32_t)_mm_crc32_u64((crc), (word)))
#define HW1(crc, byte) _mm_crc32_u8((crc), (byte))
#else
#define HARDWARE_FUNCTION
#define HW8(crc, word) __crc32cd((crc), (word))
#define HW1(crc, byte) __crc32cb((crc), (byte))
#endif

// Three streams over consecutive `block`-byte ranges, then joined: crc(A B C) =
// shift(shift(crc(A)) ^ crc'(B)) ^ crc'(C), where crc' starts from a zero register.
#define INTERLEAVE(block, table)                                                      \
    while (n >= 3 * (size_t)(block)) {                                                \
        uint32_t crc1 = 0, crc2 = 0;                                                  \
        const unsigned char *end = p + (block);                                       \
        do {                                                                          \
            crc = HW8(crc, load_le64(p));                                             \
            crc1 = HW8(crc1, load_le64(p + (block)));                                 \
            crc2 = HW8(crc2, load_le64(p + 2 * (block)));                             \
            p += 8;                                                                   \
        } while (p < end);                                                            \
        crc = shift(table, crc) ^ crc1;                                               \
        crc = shift(table, crc) ^ crc2;                                               \
        p += 2 * (size_t)(block);                                                     \
        n -= 3 * (size_t)(block);                                                     \
    }

HARDWARE_FUNCTION
static uint32_t hardware_update(uint32_t crc, const unsigned char *p, size_t n) {
    while (n > 0 && ((uintptr_t)p & 7) != 0) {
        crc = HW1(crc, *p++);
        n--;
    }
    INTERLEAVE(LONG_BLOCK, long_shift)
    INTERLEAVE(SHORT_BLOCK, short_shift)
    while (n >= 8) {
        crc = HW8(crc, load_le64(p));
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        crc = HW1(crc, *p++);
        n--;
    }
    return crc;
}

#endif

uint32_t mantis_crc32c_update(uint32_t crc, const void *data, size_t length) {
    pthread_once(&tables_once, initialize_tables);
    if (length == 0) return crc;
#if defined(MANTIS_CRC32C_X86) || defined(MANTIS_CRC32C_ARM)
    if (hardware_available) return ~hardware_update(~crc, (const unsigned char *)data, length);
#endif
    return ~software_update(~crc, (const unsigned char *)data, length);
}

uint32_t mantis_crc32c_update_software(uint32_t crc, const void *data, size_t length) {
    pthread_once(&tables_once, initialize_tables);
    if (length == 0) return crc;
    return ~software_update(~crc, (const unsigned char *)data, length);
}

int mantis_crc32c_hardware_available(void) {
    pthread_once(&tables_once, initialize_tables);
    return hardware_available;
}
