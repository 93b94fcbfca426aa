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
typedef struct attune_http_request {
    const char *method;
    const char *path;
    const char *query;
    const char *authorization;
    const char *body;
    size_t body_length;
    int body_too_large;
} attune_http_request;

typedef void (*attune_http_handler)(void *context, const attune_http_request *request, attune_http_response *response);

typedef struct attune_http_server attune_http_server;

/// Starts a daemon listening on the IPv4 address `host` (dotted quad) and `port` (0 picks a free
/// port), one thread per connection, bodies above `max_body_bytes` refused with the flag set.
/// Returns NULL when the address is invalid or the port cannot be bound.
attune_http_server *attune_http_start(const char *host, uint16_t port, size_t max_body_bytes,
                                      unsigned connection_limit, unsigned timeout_seconds,
                                      attune_http_handler handler, void *context);

/// The port the server is bound to.
uint16_t attune_http_port(const attune_http_server *server);

/// Stops accepting, waits for the connection threads, frees the server.
void attune_http_stop(attune_http_server *server);

#endif
