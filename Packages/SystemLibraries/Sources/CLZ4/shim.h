#ifndef MANTIS_CLZ4_SHIM_H
#define MANTIS_CLZ4_SHIM_H
#include <lz4.h>
#endif
