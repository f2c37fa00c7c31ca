#ifndef MANTIS_CZLIB_SHIM_H
#define MANTIS_CZLIB_SHIM_H
#include <zlib.h>
#endif
