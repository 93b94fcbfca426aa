#ifndef ATTUNE_BENCH_EVENT_POLL_H
#define ATTUNE_BENCH_EVENT_POLL_H

#include <stdint.h>

/// A new epoll instance (close it with close(2)); -1 on failure.
int attune_poll_create(void);

/// Watches `fd` for input; `tag` comes back from `attune_poll_wait`. 0 on success, -1 on failure.
int attune_poll_add(int poll, int fd, uint64_t tag);

/// Stops watching `fd`.
void attune_poll_remove(int poll, int fd);

/// Waits at most `timeout_ns` nanoseconds for input; writes up to `capacity` tags of ready
/// descriptors. Returns their count, 0 on timeout or interruption, -1 on failure.
int attune_poll_wait(int poll, uint64_t *tags, int capacity, int64_t timeout_ns);

#endif
