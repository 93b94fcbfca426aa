#ifndef ATTUNE_ALLOCATION_COUNTER_H
#define ATTUNE_ALLOCATION_COUNTER_H
#include <stdint.h>

/// Number of heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc)
/// made by the calling thread since it started. Linking this target into an executable
/// interposes the allocator entry points; the real work is done by mimalloc.
uint64_t attune_allocation_count(void);

#endif
