/*
 * Micro-benchmark of the core's forwarding decision
 *
 * For 2, 64 and 255 VFs, a switch whose relay table holds 65536 entries
 * (the functions' MACs plus static entries in other OUIs) decides
 * hairpinned unicast frames between random pairs of VFs. Prints a CSV
 * line per VF count: ns per decision (median, min and max of the runs)
 * and allocations per decision, which must be 0.
 *   bench-decide [--smoke]     --smoke: tiny runs, TAP output, for tests
 *   bench-decide --only VFS    CALLGRIND_DECISIONS decisions at VFS VFs and
 *                              nothing else, for callgrind's count of the
 *                              instructions in nswitch_decide
 *                              (scripts/bench-core.sh)
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/net/nswitch/switch.h"
#include "allocation-counter.h"
#include "test-mac.h"
#include "test-random.h"

#define RELAY_ENTRIES 65536
#define FRAMES 4096             /* a working set of distinct frames */
#define OUI 0x026e00u
#define CALLGRIND_DECISIONS 100000

typedef struct Bench {
    NSwitch *sw;
    uint8_t frames[FRAMES][64];
    uint32_t senders[FRAMES];
} Bench;

static Bench *bench_new(uint32_t vfs)
{
    Bench *bench = calloc(1, sizeof(*bench));
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    uint8_t mac[NSWITCH_MAC_LEN];
    uint32_t entries = vfs + 1;

    bench->sw = nswitch_new(2 + vfs, 0, RELAY_ENTRIES, 256);
    test_mac(mac, OUI, 0);
    nswitch_port_attach(bench->sw, 1, NSWITCH_PORT_PF, mac);
    for (uint32_t vf = 0; vf < vfs; vf++) {
        test_mac(mac, OUI, vf + 1);
        nswitch_port_attach(bench->sw, 2 + vf, NSWITCH_PORT_VF, mac);
    }
    /* Static entries in 200 other OUIs fill the table to 64K. */
    for (uint32_t i = 0; entries < RELAY_ENTRIES; i++) {
        test_mac(mac, 0x026f00u + i % 200, i);
        if (nswitch_add_static_entry(bench->sw, mac, 2 + i % vfs) ==
            NSWITCH_RELAY_OK) {
            entries++;
        }
    }
    for (uint32_t i = 0; i < FRAMES; i++) {
        uint32_t from = xorshift64(&rng) % vfs;
        uint32_t to = (from + 1 + xorshift64(&rng) % (vfs - 1)) % vfs;

        test_mac(bench->frames[i], OUI, to + 1);
        test_mac(bench->frames[i] + NSWITCH_MAC_LEN, OUI, from + 1);
        bench->frames[i][12] = 0x08;
        bench->senders[i] = 2 + from;
    }
    return bench;
}

static void bench_free(Bench *bench)
{
    nswitch_free(bench->sw);
    free(bench);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Runs @decisions decisions; returns how many went the hairpin way. */
static uint64_t run(Bench *bench, uint64_t decisions)
{
    uint64_t hairpinned = 0;

    for (uint64_t i = 0; i < decisions; i++) {
        uint32_t f = i % FRAMES;
        NSwitchDecision d = nswitch_decide(bench->sw, bench->senders[f],
                                           bench->frames[f], 60, 0);

        hairpinned += d.path == NSWITCH_PATH_HAIRPIN;
    }
    return hairpinned;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const uint32_t vf_counts[] = { 2, 64, 255 };
    int smoke = argc > 1 && !strcmp(argv[1], "--smoke");
    uint64_t decisions = smoke ? 10000 : 2000000;
    int runs = smoke ? 3 : 15;
    int failed = 0;

    unsigned int only;

    if (argc > 2 && !strcmp(argv[1], "--only") &&
        sscanf(argv[2], "%u", &only) == 1) {
        Bench *bench = bench_new(only);
        uint64_t hairpinned = run(bench, CALLGRIND_DECISIONS);

        bench_free(bench);
        return hairpinned != CALLGRIND_DECISIONS;
    }
    if (smoke) {
        printf("1..%zu\n", sizeof(vf_counts) / sizeof(vf_counts[0]));
    } else {
        printf("vfs,relay_entries,ns_median,ns_min,ns_max,allocations\n");
    }
    for (size_t c = 0; c < sizeof(vf_counts) / sizeof(vf_counts[0]); c++) {
        Bench *bench = bench_new(vf_counts[c]);
        double ns[32];
        size_t allocations = allocation_count();
        uint64_t hairpinned = 0;

        run(bench, decisions);       /* warm the caches */
        for (int r = 0; r < runs; r++) {
            uint64_t start = now_ns();

            hairpinned += run(bench, decisions);
            ns[r] = (double)(now_ns() - start) / decisions;
        }
        allocations = allocation_count() - allocations;
        qsort(ns, runs, sizeof(ns[0]), compare_double);
        if (smoke) {
            int ok = !allocations && hairpinned == decisions * runs &&
                     nswitch_relay_table_count(nswitch_relay_table(bench->sw))
                     == RELAY_ENTRIES;

            printf("%sok %zu - %u VFs, 64K entries: every decision a hairpin, "
                   "no allocation (%.1f ns)\n", ok ? "" : "not ", c + 1,
                   vf_counts[c], ns[runs / 2]);
            failed |= !ok;
        } else {
            printf("%u,%d,%.2f,%.2f,%.2f,%zu\n", vf_counts[c], RELAY_ENTRIES,
                   ns[runs / 2], ns[0], ns[runs - 1], allocations);
        }
        bench_free(bench);
    }
    return failed;
}
