#ifndef CSKYBLAS_SHIM_H
#define CSKYBLAS_SHIM_H
#include <cblas.h>
#endif
