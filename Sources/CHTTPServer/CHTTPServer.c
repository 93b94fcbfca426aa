#define _GNU_SOURCE  // accept4
#include "CHTTPServer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// One event loop: a daemon with one internal thread, and its open connections, counted by the
/// acceptor (up) and libmicrohttpd's close notification (down).
typedef struct event_loop {
    struct MHD_Daemon *daemon;
    atomic_uint open;
} event_loop;

struct attune_http_server {
    /// Thread-per-connection mode: the daemon, listening itself (NULL in loop modes).
    struct MHD_Daemon *daemon;
    /// Loop modes: `poll_loops` loops waiting with poll(2), then `epoll_loops` with epoll.
    /// Each is a daemon of its own rather than a thread of one daemon's pool: stopping a
    /// thread-pool daemon fed by `MHD_add_connection` deadlocked in libmicrohttpd 0.9.75 (a
    /// worker waiting on a lock of the pool's master while the master joined it; twice out of
    /// two `attune-bench server --tasks load` runs).
    event_loop *loops;
    unsigned poll_loops;
    unsigned epoll_loops;
    /// The epoll loops that take connections first (the `threads` asked for); the others
    /// take only what these have no room for (see `epoll_loop_capacity`).
    unsigned busy_epoll_loops;
    /// Loop modes: the listening socket, accepted by `acceptor` and handed to a daemon (-1 in
    /// thread-per-connection mode).
    int listening;
    /// Wakes the acceptor to stop.
    int acceptor_wake;
    pthread_t acceptor;
    /// Connections the poll loops take before new ones go to the epoll loops.
    unsigned poll_capacity;
    unsigned connection_limit;
    attune_http_handler handler;
    void *context;
    size_t max_body_bytes;
    uint16_t port;
    /// Requests handed to the handler whose reply is not sent yet.
    atomic_long in_flight;
    /// Set by `attune_http_stop`: new requests get 503 instead of reaching the handler.
    atomic_int stopping;
};

static const char stopping_reply[] =
    "{\"error\":{\"code\":\"shutting_down\",\"message\":\"the server is stopping; retry the request\"}}";

/// Per-request state. A deferred request goes: handler returned ATTUNE_HTTP_PENDING →
/// suspended (unless already completed) → completed by another thread, which resumes the
/// connection → libmicrohttpd calls the access handler again, which queues the stored reply.
/// `lock` orders the suspension before the resumption, whichever thread gets there first.
typedef struct request_state {
    char *body;
    size_t length;
    size_t capacity;
    int too_large;
    struct attune_http_server *server;
    struct MHD_Connection *connection;
    pthread_mutex_t lock;
    int counted;
    int deferred;
    int suspended;
    int completed;
    attune_http_response response;
} request_state;

static void completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
    (void)cls; (void)connection; (void)toe;
    request_state *state = *con_cls;
    if (state != NULL) {
        // A request counts as in flight from its handler call until its reply is sent (or its
        // connection gone), so that stopping never cuts a reply to a committed request.
        if (state->counted) atomic_fetch_sub(&state->server->in_flight, 1);
        free(state->body);
        free(state->response.body);  // non-NULL only when the reply was never queued
        pthread_mutex_destroy(&state->lock);
        free(state);
        *con_cls = NULL;
    }
}

static enum MHD_Result queue_reply(struct MHD_Connection *connection, attune_http_response *response) {
    struct MHD_Response *reply = MHD_create_response_from_buffer(
        response->body_length, response->body ? response->body : "", response->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (reply == NULL) {
        free(response->body);
        response->body = NULL;
        return MHD_NO;
    }
    response->body = NULL;  // owned by the reply now
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, response->content_type ? response->content_type : "application/json");
    enum MHD_Result queued = MHD_queue_response(connection, (unsigned int)response->status, reply);
    MHD_destroy_response(reply);
    return queued;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls) {
    (void)version;
    struct attune_http_server *server = cls;
    request_state *state = *con_cls;
    if (state == NULL) {
        state = calloc(1, sizeof(request_state));
        if (state == NULL) return MHD_NO;
        pthread_mutex_init(&state->lock, NULL);
        state->server = server;
        state->connection = connection;
        *con_cls = state;
        return MHD_YES;
    }
    if (state->deferred) {
        // Called again after the resumption: the reply is stored.
        pthread_mutex_lock(&state->lock);
        int ready = state->completed;
        pthread_mutex_unlock(&state->lock);
        return ready ? queue_reply(connection, &state->response) : MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t incoming = *upload_data_size;
        *upload_data_size = 0;
        if (state->too_large || state->length + incoming > server->max_body_bytes) {
            // Keep reading (and dropping) the body so that the 413 reply reaches the client.
            state->too_large = 1;
            return MHD_YES;
        }
        if (state->length + incoming > state->capacity) {
            // A body usually arrives in one piece: its first buffer fits it exactly. A fixed
            // 1 KiB start was a large-bin request for glibc, which consolidates its fast bins
            // on every such call.
            size_t capacity = state->capacity ? state->capacity * 2 : incoming;
            while (capacity < state->length + incoming) capacity *= 2;
            char *grown = realloc(state->body, capacity);
            if (grown == NULL) return MHD_NO;
            state->body = grown;
            state->capacity = capacity;
        }
        memcpy(state->body + state->length, upload_data, incoming);
        state->length += incoming;
        return MHD_YES;
    }

    if (atomic_load(&server->stopping)) {
        struct MHD_Response *reply = MHD_create_response_from_buffer(sizeof(stopping_reply) - 1, (void *)stopping_reply,
                                                                     MHD_RESPMEM_PERSISTENT);
        if (reply == NULL) return MHD_NO;
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONNECTION, "close");
        enum MHD_Result queued = MHD_queue_response(connection, 503, reply);
        MHD_destroy_response(reply);
        return queued;
    }
    const char *query_start = strchr(url, '?');
    attune_http_request request = {
        .method = method,
        .path = url,
        .query = query_start ? query_start + 1 : NULL,
        .authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .body = state->body ? state->body : "",
        .body_length = state->length,
        .body_too_large = state->too_large,
        .token = state,
    };
    attune_http_response response = {.status = 500, .body = NULL, .body_length = 0, .content_type = "application/json"};
    state->counted = 1;
    atomic_fetch_add(&server->in_flight, 1);
    if (server->handler(server->context, &request, &response) != ATTUNE_HTTP_PENDING) {
        return queue_reply(connection, &response);
    }
    pthread_mutex_lock(&state->lock);
    state->deferred = 1;
    if (state->completed) {
        pthread_mutex_unlock(&state->lock);
        return queue_reply(connection, &state->response);
    }
    state->suspended = 1;
    MHD_suspend_connection(connection);
    pthread_mutex_unlock(&state->lock);
    return MHD_YES;
}

/// Resumptions held back while a thread completes a batch of requests (between
/// attune_http_begin_batch and attune_http_end_batch). libmicrohttpd writes its loop's eventfd
/// on every MHD_resume_connection: when a commit's replies were resumed one by one, as each was
/// encoded, a loop woken by the first went back to sleep before the next, and was woken again.
typedef struct {
    struct MHD_Connection **connections;
    size_t count;
    size_t capacity;
    int active;
} held_resumptions;

static _Thread_local held_resumptions held;

/// Holds `connection`'s resumption until attune_http_end_batch; 0 when it cannot (no batch open,
/// or no memory for the list), and the caller resumes it at once.
static int hold_resumption(struct MHD_Connection *connection) {
    if (!held.active) return 0;
    if (held.count == held.capacity) {
        size_t capacity = held.capacity ? held.capacity * 2 : 64;
        struct MHD_Connection **grown = realloc(held.connections, capacity * sizeof(*grown));
        if (grown == NULL) return 0;
        held.connections = grown;
        held.capacity = capacity;
    }
    held.connections[held.count++] = connection;
    return 1;
}

void attune_http_begin_batch(void) { held.active = 1; }

void attune_http_end_batch(void) {
    held.active = 0;
    for (size_t i = 0; i < held.count; i++) MHD_resume_connection(held.connections[i]);
    held.count = 0;
}

void attune_http_complete(void *token, const attune_http_response *response) {
    request_state *state = token;
    pthread_mutex_lock(&state->lock);
    state->response = *response;
    state->completed = 1;
    if (state->suspended) {
        // The connection stays suspended (so libmicrohttpd neither closes it nor frees
        // `state`) until it is resumed, here or at the end of the batch.
        state->suspended = 0;
        if (!hold_resumption(state->connection)) MHD_resume_connection(state->connection);
    }
    pthread_mutex_unlock(&state->lock);
}

static void connection_notified(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode code) {
    (void)connection; (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) atomic_fetch_sub(&((event_loop *)cls)->open, 1);
}

/// Connections an epoll loop holds at most. libmicrohttpd 0.9.75 reads at most 128 events per
/// `epoll_wait` and, when it gets exactly 128, calls `epoll_wait` again with the same blocking
/// timeout before it handles them: with 128 connections ready at once (127 and its eventfd),
/// the loop slept with every request unread. Two epoll loops of 128 connections each served
/// 3,800–14,500/s, of 125 each 20,800–23,000/s. A loop of at most 126 connections and its
/// eventfd never fills the 128.
static const unsigned epoll_loop_capacity = 126;

/// Epoll loops (threads) started at most, busy and spare together.
static const unsigned max_epoll_loops = 64;

/// The loop of `loops[first..<end]` with the fewest open connections, below `capacity`; NULL
/// when none has room.
static event_loop *least_open(event_loop *loops, unsigned first, unsigned end, unsigned capacity) {
    event_loop *best = NULL;
    unsigned fewest = capacity;
    for (unsigned i = first; i < end; i++) {
        unsigned open = atomic_load(&loops[i].open);
        if (open < fewest) {
            best = &loops[i];
            fewest = open;
        }
    }
    return best;
}

/// Accepts connections and hands each to a daemon: to the poll loops while they hold fewer
/// than `poll_capacity`, then to the epoll loops. poll(2) costs nothing per request beyond
/// the socket's own calls, but scans every connection of its loop at each wake-up; epoll costs
/// two `epoll_ctl` calls and a second `recv` per request (libmicrohttpd takes a suspended
/// connection out of the epoll set, and reads an edge-triggered socket until it is empty), but
/// nothing per idle connection. So a client's first connections, the busy ones of a
/// connection pool, are served by poll, and any number beyond by epoll.
/// Within a kind, the loop with the fewest open connections gets it. (libmicrohttpd's own
/// accept lets whichever loop wakes first take a series of waiting connections: under 48
/// connections one loop was seen at 610 ms of CPU per second, the other at 84.)
static void *accept_connections(void *argument) {
    struct attune_http_server *server = argument;
    pthread_setname_np(pthread_self(), "attune-accept");
    struct pollfd waits[2] = {{.fd = server->listening, .events = POLLIN}, {.fd = server->acceptor_wake, .events = POLLIN}};
    for (;;) {
        if (poll(waits, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (waits[1].revents) break;
        for (;;) {
            struct sockaddr_storage peer;
            socklen_t length = sizeof(peer);
            int client = accept4(server->listening, (struct sockaddr *)&peer, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (client < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                // Out of descriptors: wait a little rather than spin on the waiting connection.
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) usleep(10000);
                break;
            }
            unsigned polled = 0, total = 0;
            for (unsigned i = 0; i < server->poll_loops + server->epoll_loops; i++) {
                unsigned open = atomic_load(&server->loops[i].open);
                total += open;
                if (i < server->poll_loops) polled += open;
            }
            if (total >= server->connection_limit) {
                close(client);  // as libmicrohttpd does at its limit: the client sees the close
                continue;
            }
            int to_poll = server->poll_loops > 0 && (server->epoll_loops == 0 || polled < server->poll_capacity);
            event_loop *target = NULL;
            if (to_poll) {
                target = least_open(server->loops, 0, server->poll_loops, UINT_MAX);
            } else {
                // The busy epoll loops first, then the spare ones in order, each below its
                // capacity: spread over every spare loop, 48 connections beyond the busy loops'
                // 252 woke 9 loops and cut throughput from 20,000 to 13,700/s.
                unsigned busy_end = server->poll_loops + server->busy_epoll_loops;
                target = least_open(server->loops, server->poll_loops, busy_end, epoll_loop_capacity);
                for (unsigned i = busy_end; target == NULL && i < server->poll_loops + server->epoll_loops; i++) {
                    if (atomic_load(&server->loops[i].open) < epoll_loop_capacity) target = &server->loops[i];
                }
            }
            if (target == NULL) {
                close(client);  // every loop is full: as at the connection limit
                continue;
            }
            atomic_fetch_add(&target->open, 1);
            // libmicrohttpd closes the socket itself when it refuses it (out of memory).
            if (MHD_add_connection(target->daemon, client, (struct sockaddr *)&peer, length) != MHD_YES) {
                atomic_fetch_sub(&target->open, 1);
            }
        }
    }
    return NULL;
}

/// Binds and listens on `address`; returns the socket, or -1.
static int listen_on(const struct sockaddr_in *address) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int on = 1;
    // As libmicrohttpd does: a restarted server binds at once despite connections in TIME_WAIT.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, (const struct sockaddr *)address, sizeof(*address)) != 0 || listen(fd, SOMAXCONN) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/// Per-connection memory of libmicrohttpd: request line, headers and read buffer (bodies are
/// copied out as they arrive, so they are not bounded by it). libmicrohttpd zeroes this pool
/// between the requests of a keep-alive connection; its 32 KiB default cost about a tenth of
/// an event loop's time in memset. 8 KiB holds headers as large as nginx's default allows;
/// larger ones are answered 431.
static const size_t connection_memory_bytes = 8192;

/// Starts one event loop: a daemon with one internal thread and no listening socket (the
/// acceptor hands it connections).
static struct MHD_Daemon *start_loop(struct attune_http_server *server, int use_poll, unsigned limit,
                                     unsigned timeout_seconds, event_loop *loop) {
    return MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_NO_LISTEN_SOCKET | (use_poll ? MHD_USE_POLL : MHD_USE_EPOLL) |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, &access_handler, server,
        MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_bytes,
        MHD_OPTION_NOTIFY_COMPLETED, &completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, &connection_notified, loop,
        MHD_OPTION_END);
}

static void stop_loops(struct attune_http_server *server) {
    for (unsigned i = 0; i < server->poll_loops + server->epoll_loops; i++) {
        if (server->loops[i].daemon != NULL) MHD_stop_daemon(server->loops[i].daemon);
    }
    free(server->loops);
}

attune_http_server *attune_http_start(const char *host, uint16_t port, size_t max_body_bytes,
                                      unsigned connection_limit, unsigned timeout_seconds, unsigned threads,
                                      unsigned poll_connections, attune_http_handler handler, void *context) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return NULL;

    struct attune_http_server *server = calloc(1, sizeof(struct attune_http_server));
    if (server == NULL) return NULL;
    server->handler = handler;
    server->context = context;
    server->max_body_bytes = max_body_bytes;
    server->listening = -1;
    server->connection_limit = connection_limit;
    server->poll_capacity = poll_connections < connection_limit ? poll_connections : connection_limit;
    atomic_init(&server->in_flight, 0);
    atomic_init(&server->stopping, 0);

    if (threads == 0) {
        server->daemon = MHD_start_daemon(
            MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME,
            port, NULL, NULL, &access_handler, server,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_bytes,
            MHD_OPTION_NOTIFY_COMPLETED, &completed, NULL,
            MHD_OPTION_END);
        if (server->daemon == NULL) {
            free(server);
            return NULL;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
        server->port = info ? info->port : port;
        return server;
    }

    server->listening = listen_on(&address);
    if (server->listening < 0) {
        free(server);
        return NULL;
    }
    server->poll_loops = server->poll_capacity > 0 ? threads : 0;
    server->busy_epoll_loops = server->poll_capacity < connection_limit ? threads : 0;
    // Spare epoll loops, so that the connection limit fits at `epoll_loop_capacity` a loop;
    // they sleep until the busy ones are full. At most `max_epoll_loops` threads: beyond
    // them (8,064 connections past the poll loops), a connection is refused as at the limit.
    unsigned beyond_poll = server->poll_capacity < connection_limit ? connection_limit - server->poll_capacity : 0;
    unsigned needed = (beyond_poll + epoll_loop_capacity - 1) / epoll_loop_capacity;
    if (needed > max_epoll_loops) needed = max_epoll_loops;
    server->epoll_loops = server->busy_epoll_loops > 0 && needed > server->busy_epoll_loops ? needed : server->busy_epoll_loops;
    unsigned count = server->poll_loops + server->epoll_loops;
    server->loops = calloc(count, sizeof(event_loop));
    int ok = server->loops != NULL;
    for (unsigned i = 0; ok && i < count; i++) {
        atomic_init(&server->loops[i].open, 0);
        int use_poll = i < server->poll_loops;
        // The acceptor keeps the limits; each daemon may hold them all, so that a connection
        // closed but not yet cleaned up inside libmicrohttpd never makes it refuse a new one
        // unseen (a refusal sends no close notification, so the count would drift).
        server->loops[i].daemon = start_loop(server, use_poll, connection_limit, timeout_seconds, &server->loops[i]);
        ok = server->loops[i].daemon != NULL;
    }
    if (ok) {
        server->acceptor_wake = eventfd(0, EFD_CLOEXEC);
        ok = server->acceptor_wake >= 0;
        if (ok && pthread_create(&server->acceptor, NULL, accept_connections, server) != 0) {
            close(server->acceptor_wake);
            ok = 0;
        }
    }
    if (!ok) {
        if (server->loops != NULL) stop_loops(server);
        close(server->listening);
        free(server);
        return NULL;
    }
    struct sockaddr_in bound;
    socklen_t length = sizeof(bound);
    server->port = getsockname(server->listening, (struct sockaddr *)&bound, &length) == 0 ? ntohs(bound.sin_port) : port;
    return server;
}

uint16_t attune_http_port(const attune_http_server *server) { return server->port; }

void attune_http_open_connections(const attune_http_server *server, unsigned *polled, unsigned *epolled) {
    *polled = 0;
    *epolled = 0;
    for (unsigned i = 0; i < server->poll_loops + server->epoll_loops; i++) {
        unsigned open = atomic_load(&server->loops[i].open);
        if (i < server->poll_loops) *polled += open; else *epolled += open;
    }
}

unsigned attune_http_loop_connections(const attune_http_server *server, unsigned *counts, unsigned capacity) {
    unsigned loops = server->poll_loops + server->epoll_loops;
    for (unsigned i = 0; i < loops && i < capacity; i++) counts[i] = atomic_load(&server->loops[i].open);
    return loops;
}

void attune_http_stop(attune_http_server *server) {
    if (server == NULL) return;
    // Refuse new requests, stop accepting, then let the requests in flight be answered
    // (libmicrohttpd refuses to stop with suspended connections, and cuts the sockets of
    // connection threads), waiting at most about 30 s.
    atomic_store(&server->stopping, 1);
    MHD_socket listening;
    if (server->listening >= 0) {
        uint64_t one = 1;
        ssize_t written = write(server->acceptor_wake, &one, sizeof(one));
        (void)written;  // an eventfd write of 1 fails only on overflow, which cannot happen here
        pthread_join(server->acceptor, NULL);
        close(server->acceptor_wake);
        listening = server->listening;
    } else {
        listening = MHD_quiesce_daemon(server->daemon);
    }
    // New connections are refused from now on, but the descriptor is closed only after
    // MHD_stop_daemon, as libmicrohttpd requires with internal threads: they may still use
    // the number, which a socket opened meanwhile elsewhere in the process could otherwise get.
    if (listening != MHD_INVALID_SOCKET) shutdown(listening, SHUT_RDWR);
    for (int i = 0; i < 30000 && atomic_load(&server->in_flight) > 0; i++) usleep(1000);
    if (server->loops != NULL) {
        stop_loops(server);
    } else {
        MHD_stop_daemon(server->daemon);
    }
    if (listening != MHD_INVALID_SOCKET) close(listening);
    free(server);
}
