/* A minimal HTTP client for the exporter's C tests: one request on a fresh loopback connection,
 * the whole answer read until the server closes. */
#ifndef PE_TEST_HTTP_GET_H
#define PE_TEST_HTTP_GET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Sends `request` to 127.0.0.1:`port` and reads the answer into `buf` (NUL-terminated, at most
 * `cap - 1` bytes). Returns the number of bytes read, or -1 on a socket error. */
static long http_exchange(uint16_t port, const char *request, char *buf, size_t cap) {
    struct sockaddr_in addr;
    struct timeval timeout = {5, 0};
    size_t sent = 0, len = strlen(request), got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, 0);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        sent += (size_t)n;
    }
    while (got + 1 < cap) {
        ssize_t n = recv(fd, buf + got, cap - 1 - got, 0);
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    return (long)got;
}

/* GET `path` with `Connection: close` and extra header lines (each ending in "\r\n"). */
static long http_get(uint16_t port, const char *path, const char *headers, char *buf, size_t cap) {
    char request[1024];
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s\r\n",
             path, headers);
    return http_exchange(port, request, buf, cap);
}

#endif
