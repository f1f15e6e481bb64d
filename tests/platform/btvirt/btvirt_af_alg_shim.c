/* LD_PRELOAD shim for running BlueZ's btvirt on a kernel without AF_ALG (test-only).
 *
 * btvirt's emulated controllers create LE support only if a crypto context can be set up,
 * and that set-up merely opens and binds two AF_ALG sockets (ecb(aes), cmac(aes)); they are
 * used for LE encryption, never for advertising or scanning. This shim hands out an AF_UNIX
 * socket for socket(AF_ALG, ...) and reports success for bind() with an AF_ALG address.
 * Every other call goes to the real libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <sys/socket.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

typedef int (*socket_fn)(int, int, int);
typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int socket(int domain, int type, int protocol) {
    socket_fn real = (socket_fn)dlsym(RTLD_NEXT, "socket");
    if (domain == AF_ALG) return real(AF_UNIX, type, 0);
    return real(domain, type, protocol);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    bind_fn real = (bind_fn)dlsym(RTLD_NEXT, "bind");
    if (addr != NULL && len >= sizeof(addr->sa_family) && addr->sa_family == AF_ALG) return 0;
    return real(fd, addr, len);
}
