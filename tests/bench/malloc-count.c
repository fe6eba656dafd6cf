/*
 * malloc-count: counts a process's heap allocations, for benchmarks
 *
 * Preloaded (LD_PRELOAD) into QEMU, it counts every malloc, calloc,
 * realloc and aligned allocation (GLib's g_malloc family ends in them)
 * in a 64-bit counter at the start of the file that
 * NSWITCH_ALLOC_COUNT_FILE names, mapped shared: another process reads
 * the count at any time (the device-only benchmark, before and after a
 * round). Without the variable it counts nowhere.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "libc-alloc.h"


static uint64_t unmapped;
static uint64_t *counter = &unmapped;

__attribute__((constructor))
static void map_counter(void)
{
    const char *path = getenv("NSWITCH_ALLOC_COUNT_FILE");
    void *map;
    int fd;

    if (!path) {
        return;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return;
    }
    if (ftruncate(fd, sizeof(*counter)) == 0) {
        map = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
        if (map != MAP_FAILED) {
            counter = map;
        }
    }
    close(fd);
}

static void count(void)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
    count();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    count();
    return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
    count();
    return __libc_realloc(ptr, size);
}

void *memalign(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **ptr, size_t alignment, size_t size)
{
    /* it returns the error, as a positive errno */
    int failed = ENOMEM;
    void *p;

    count();
    p = __libc_memalign(alignment, size);
    if (!p) {
        return failed;
    }
    *ptr = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}
