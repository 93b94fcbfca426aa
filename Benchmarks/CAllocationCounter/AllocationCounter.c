// Counts heap allocations by interposing the allocator entry points. Defining malloc & co. in
// the executable takes precedence over every shared library's definitions for the whole
// process; each wrapper forwards to mimalloc, the allocator `attune` links (free,
// malloc_usable_size and the rest resolve to mimalloc's own exports), so the benchmarks
// allocate as the shipped server does.
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <mimalloc.h>
#include "AllocationCounter.h"

// Per thread: the measured loops run on one thread, and a shared counter would bounce its cache
// line between the threads of the in-process server on every allocation.
static _Thread_local uint64_t allocations = 0;

uint64_t attune_allocation_count(void) {
    return allocations;
}

void *malloc(size_t size) {
    allocations += 1;
    return mi_malloc(size);
}

void *calloc(size_t count, size_t size) {
    allocations += 1;
    return mi_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    allocations += 1;
    return mi_realloc(pointer, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    allocations += 1;
    return mi_posix_memalign(result, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    allocations += 1;
    return mi_aligned_alloc(alignment, size);
}
