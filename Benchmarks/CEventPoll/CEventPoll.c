#define _GNU_SOURCE
#include "CEventPoll.h"

#include <errno.h>
#include <sys/epoll.h>
#include <time.h>

int attune_poll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int attune_poll_add(int poll, int fd, uint64_t tag) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(poll, EPOLL_CTL_ADD, fd, &event);
}

void attune_poll_remove(int poll, int fd) { epoll_ctl(poll, EPOLL_CTL_DEL, fd, NULL); }

int attune_poll_wait(int poll, uint64_t *tags, int capacity, int64_t timeout_ns) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    if (timeout_ns < 0) timeout_ns = 0;
    struct timespec timeout = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    // Nanosecond timeouts (epoll_pwait2, Linux 5.11): a millisecond timeout would delay
    // requests due in between.
    int n = epoll_pwait2(poll, events, capacity, &timeout, NULL);
    if (n < 0 && errno == ENOSYS) n = epoll_wait(poll, events, capacity, (int)(timeout_ns / 1000000));
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) tags[i] = events[i].data.u64;
    return n;
}
