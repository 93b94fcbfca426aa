#ifndef ATTUNE_CHTTPSERVER_H
#define ATTUNE_CHTTPSERVER_H

#include <stddef.h>
#include <stdint.h>

/// A response filled in by the request handler. `body` must come from malloc (or be NULL);
/// the server frees it after sending.
typedef struct attune_http_response {
    int status;
    char *body;
    size_t body_length;
    const char *content_type;
} attune_http_response;

/// One complete request: method, path (without the query), raw query string (may be NULL),
/// the Authorization header (may be NULL), the body and whether it passed the size limit.
/// `token` identifies the request to `attune_http_complete` when it is answered later.
typedef struct attune_http_request {
    const char *method;
    const char *path;
    const char *query;
    const char *authorization;
    const char *body;
    size_t body_length;
    int body_too_large;
    void *token;
} attune_http_request;

/// Returned by a handler that answers later through `attune_http_complete`.
#define ATTUNE_HTTP_PENDING 1

/// Fills `response` and returns 0, or returns ATTUNE_HTTP_PENDING (then `attune_http_complete`
/// must be called exactly once with the request's token, from any thread, possibly before the
/// handler returns).
typedef int (*attune_http_handler)(void *context, const attune_http_request *request, attune_http_response *response);

typedef struct attune_http_server attune_http_server;

/// Starts a server listening on the IPv4 address `host` (dotted quad) and `port` (0 picks a free
/// port), bodies above `max_body_bytes` refused with the flag set. `threads` = 0: one thread per
/// connection (poll). Otherwise event loops, each serving many connections, with deferred
/// requests suspended until completed: the first `poll_connections` open connections go to
/// `threads` loops waiting with poll(2), the others to `threads` loops waiting with epoll
/// (0: epoll only; `connection_limit` or more: poll only).
/// Returns NULL when the address is invalid or the port cannot be bound.
attune_http_server *attune_http_start(const char *host, uint16_t port, size_t max_body_bytes,
                                      unsigned connection_limit, unsigned timeout_seconds, unsigned threads,
                                      unsigned poll_connections, attune_http_handler handler, void *context);

/// Event-loop modes: the open connections served by the poll loops and by the epoll loops
/// (both 0 in thread-per-connection mode).
void attune_http_open_connections(const attune_http_server *server, unsigned *polled, unsigned *epolled);

/// Event-loop modes: writes the open connections of each loop (poll loops first, then epoll
/// loops, at most `capacity` of them) into `counts` and returns the number of loops.
unsigned attune_http_loop_connections(const attune_http_server *server, unsigned *counts, unsigned capacity);

/// Answers a deferred request (takes ownership of `response->body`) and resumes its connection,
/// or, inside a batch on this thread, marks it to be resumed when the batch ends.
void attune_http_complete(void *token, const attune_http_response *response);

/// Opens a batch of completions on the calling thread: the connections its
/// `attune_http_complete` calls answer are resumed together by `attune_http_end_batch`, so that
/// an event loop wakes once for them rather than once each.
void attune_http_begin_batch(void);

/// Resumes the connections completed since `attune_http_begin_batch` on this thread.
void attune_http_end_batch(void);

/// The port the server is bound to.
uint16_t attune_http_port(const attune_http_server *server);

/// Answers new requests 503 (shutting_down), stops accepting, waits for the requests in flight
/// to be answered and sent (up to about 30 s), stops the
/// threads and frees the server.
void attune_http_stop(attune_http_server *server);

#endif
