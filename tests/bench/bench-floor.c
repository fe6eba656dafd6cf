/*
 * The floor of a hairpinned frame: what moving it between two virtqueues
 * costs at the very least, with no emulator around it
 *
 * The same rings and buffers as the device-only benchmark
 * (tests/qtest/nswitch-devbench-test.c), in one block of memory standing
 * for guest RAM: 256-descriptor split rings, buffers 68 KiB apart. Per
 * frame: the TX ring's avail entry and descriptor, the RX ring's, one copy
 * of header and frame, a used element in each ring; per burst of 256, the
 * two used indexes. The forwarding decision is not in it
 * (bench-decide measures it). Prints a CSV line per frame size: ns per
 * frame, median, min and max of the runs.
 *   bench-floor [--smoke]    --smoke: a tiny run, TAP output, for tests
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BURST 256
#define HEADER_LEN 12
#define BUFFER_STRIDE (69632)   /* ROUND_UP(12 + 65535, 4096) */
#define RUNS 15

typedef struct Descriptor {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} Descriptor;

typedef struct UsedElement {
    uint32_t id;
    uint32_t len;
} UsedElement;

typedef struct SplitRing {
    Descriptor desc[BURST];
    uint16_t avail_flags;
    uint16_t avail_idx;
    uint16_t avail[BURST];
    uint16_t used_flags;
    uint16_t used_idx;
    UsedElement used[BURST];
} SplitRing;

typedef struct Floor {
    uint8_t *ram;
    SplitRing *tx;
    SplitRing *rx;
    uint16_t next;
} Floor;

static Floor floor_new(uint32_t frame_len)
{
    Floor f = {
        .ram = calloc(2 * BURST, BUFFER_STRIDE),
        .tx = calloc(1, sizeof(SplitRing)),
        .rx = calloc(1, sizeof(SplitRing)),
    };

    for (uint32_t i = 0; i < BURST; i++) {
        f.tx->desc[i] = (Descriptor) {
            .addr = (uint64_t)i * BUFFER_STRIDE,
            .len = HEADER_LEN + frame_len,
        };
        f.rx->desc[i] = (Descriptor) {
            .addr = (uint64_t)(BURST + i) * BUFFER_STRIDE,
            .len = BUFFER_STRIDE, .flags = 2,
        };
        f.tx->avail[i] = f.rx->avail[i] = i;
        memset(f.ram + f.tx->desc[i].addr, (int)i, HEADER_LEN + frame_len);
    }
    return f;
}

static void floor_free(Floor *f)
{
    free(f->ram);
    free(f->tx);
    free(f->rx);
}

/* One burst: every TX buffer into an RX buffer, as the device would. */
static void move_burst(Floor *f)
{
    for (uint32_t i = 0; i < BURST; i++) {
        uint16_t slot = (uint16_t)(f->next + i) % BURST;
        uint16_t tx_head = f->tx->avail[slot];
        uint16_t rx_head = f->rx->avail[slot];
        const Descriptor *from = &f->tx->desc[tx_head];
        const Descriptor *to = &f->rx->desc[rx_head];

        memcpy(f->ram + to->addr, f->ram + from->addr, from->len);
        f->rx->used[slot] = (UsedElement) { rx_head, from->len };
        f->tx->used[slot] = (UsedElement) { tx_head, 0 };
    }
    f->next += BURST;
    __atomic_store_n(&f->rx->used_idx, f->next, __ATOMIC_RELEASE);
    __atomic_store_n(&f->tx->used_idx, f->next, __ATOMIC_RELEASE);
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void measure(uint32_t frame_len, int bursts)
{
    Floor f = floor_new(frame_len);
    double runs[RUNS];

    move_burst(&f);
    for (int run = 0; run < RUNS; run++) {
        double started = now_ns();

        for (int b = 0; b < bursts; b++) {
            move_burst(&f);
        }
        runs[run] = (now_ns() - started) / ((double)bursts * BURST);
    }
    qsort(runs, RUNS, sizeof(runs[0]), compare_doubles);
    printf("%u,%.2f,%.2f,%.2f\n", frame_len, runs[RUNS / 2], runs[0],
           runs[RUNS - 1]);
    floor_free(&f);
}

/* The copy happened: each RX buffer holds its TX buffer, lengths used. */
static int smoke(void)
{
    Floor f = floor_new(60);
    int failed = 0;

    move_burst(&f);
    move_burst(&f);
    for (uint32_t i = 0; i < BURST; i++) {
        failed |= memcmp(f.ram + f.rx->desc[i].addr, f.ram + f.tx->desc[i].addr,
                         HEADER_LEN + 60) != 0;
        failed |= f.rx->used[i].len != HEADER_LEN + 60;
    }
    failed |= f.rx->used_idx != 2 * BURST;
    printf("%sok 1 - every RX buffer holds its TX frame, used lengths set\n",
           failed ? "not " : "");
    printf("1..1\n");
    floor_free(&f);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--smoke")) {
        return smoke();
    }
    printf("frame_len,ns_median,ns_min,ns_max\n");
    measure(60, 2000);
    measure(1514, 1000);
    measure(65535, 50);
    return 0;
}
