/*
 * The device-only benchmark: QEMU's CPU per frame, with no guest OS
 *
 * The test drives two VFs of the card through its own virtio driver with
 * 256-descriptor rings: VF 0's TX ring holds a burst of frames to VF 1,
 * VF 1's RX ring as many buffers; one kick sends the burst, and the test
 * waits for VF 1's used entries. Descriptors and frames are written once,
 * so a burst costs the driver a few qtest commands: an avail index per
 * ring, a kick, the used index it polls. QEMU's CPU time (every thread,
 * from /proc/PID/task/N/schedstat, in ns) and that of the kernel's
 * softirq threads (the bridge of modes vepa and vswitch) are read
 * around each round.
 *
 * Without arguments, and with --tap as the test suites run it, it is a
 * smoke test: a short run of each mode that needs no network namespace,
 * asserting every frame arrived and the card accounted for them. With
 * --bench it is the benchmark (scripts/bench-device.sh runs it):
 *   --bench MODE VFS SIZE ROUNDS BURSTS
 * MODE nswitch, nswitch-generic (nswitch with x-direct-path=off), veb,
 * vepa (uplink: tap nswbup, which the script puts on a hairpin bridge
 * port) or vswitch (VF i on tap nswbvfI); SIZE 60, 1514 or
 * 65536 (a TCP/IPv4 GSO frame of 64 KiB - 1). It prints one CSV line per
 * round: mode,vfs,size,round,frames,delivered,qemu_ns,softirq_ns,
 * driver_ns,allocations, where driver_ns is the CPU that QEMU spent on
 * the same qtest commands with no frame (a round of empty bursts), and
 * allocations QEMU's heap allocations in the round less the empty
 * round's (0 unless QEMU runs with malloc-count preloaded, see
 * tests/bench/malloc-count.c).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <dirent.h>
#include "qemu/bswap.h"
#include "libqtest.h"
#include "standard-headers/linux/virtio_net.h"
#include "nswitch/card.h"
#include "nswitch/frames.h"

#define BURST 256
#define SENDER 0
#define RECEIVER 1
#define RINGS_AT(vf) (GUEST_RAM_BASE + (vf) * VF_RAM_SIZE)
#define TX_AREA 0x4000000ull
#define RX_AREA 0x6000000ull
#define GSO_FRAME_LEN 65535
#define BUFFER_STRIDE ROUND_UP(VNET_HDR_LEN + GSO_FRAME_LEN, 4096)
#define BURST_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef struct Bench {
    QTestState *qts;
    int uplink_fd;
    VfDriver tx;
    VfDriver rx;
    size_t frame_len;
    uint64_t delivered;
    gint64 last_burst_us;
} Bench;

/* CPU time in ns of every thread of process @pid (0: none). */
static uint64_t process_cpu_ns(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task", pid);
    DIR *tasks = opendir(path);
    struct dirent *task;
    uint64_t total = 0;

    g_assert_nonnull(tasks);
    while ((task = readdir(tasks))) {
        g_autofree char *stat = NULL;
        g_autofree char *file = NULL;

        if (task->d_name[0] == '.') {
            continue;
        }
        file = g_strdup_printf("%s/%s/schedstat", path, task->d_name);
        if (g_file_get_contents(file, &stat, NULL, NULL)) {
            total += g_ascii_strtoull(stat, NULL, 10);
        }
    }
    closedir(tasks);
    return total;
}

/* CPU time of the kernel's ksoftirqd threads, where bridging may run. */
static uint64_t softirq_cpu_ns(void)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    uint64_t total = 0;

    g_assert_nonnull(proc);
    while ((entry = readdir(proc))) {
        g_autofree char *comm = NULL;
        g_autofree char *file = NULL;

        if (!g_ascii_isdigit(entry->d_name[0])) {
            continue;
        }
        file = g_strdup_printf("/proc/%s/comm", entry->d_name);
        if (g_file_get_contents(file, &comm, NULL, NULL) &&
            g_str_has_prefix(comm, "ksoftirqd/")) {
            total += process_cpu_ns(atoi(entry->d_name));
        }
    }
    closedir(proc);
    return total;
}

static char *machine_netdevs(const char *mode, int vfs)
{
    GString *args = g_string_new("");

    if (!strcmp(mode, "vepa")) {
        g_string_append(args, "-netdev tap,id=uplink,ifname=nswbup,"
                        "script=no,downscript=no");
    }
    if (!strcmp(mode, "vswitch")) {
        for (int vf = 0; vf < vfs; vf++) {
            g_string_append_printf(args, " -netdev tap,id=vf%d,ifname=nswbvf%d,"
                                   "script=no,downscript=no", vf, vf);
        }
    }
    return g_string_free(args, false);
}

static char *card_options(const char *mode, int vfs)
{
    GString *options = g_string_new("");

    /* nswitch-generic: nswitch without the direct path, for comparison */
    bool generic = !strcmp(mode, "nswitch-generic");

    g_string_append_printf(options, ",vfs=%d,ari=%s,mode=%s%s", vfs,
                           vfs > 7 ? "on" : "off",
                           generic ? "nswitch" : mode,
                           generic ? ",x-direct-path=off" : "");
    if (!strcmp(mode, "vepa")) {
        g_string_append(options, ",netdev=uplink");
    }
    if (!strcmp(mode, "vswitch")) {
        g_string_append(options, ",vf-netdevs=vf0");
        for (int vf = 1; vf < vfs; vf++) {
            g_string_append_printf(options, ":vf%d", vf);
        }
    }
    return g_string_free(options, false);
}

/* The frame of @len bytes from VF 0 to VF 1, with its virtio-net header. */
static void write_frame(Bench *b, uint64_t at, size_t len)
{
    g_autofree uint8_t *frame = g_malloc0(len);
    struct virtio_net_hdr_mrg_rxbuf hdr = { 0 };
    uint8_t dst[6], src[6];

    vf_mac(dst, RECEIVER);
    vf_mac(src, SENDER);
    if (len > 1514) {
        size_t headers = ETH_HEADER_LEN + IPV4_HEADER_LEN + TCP_HEADER_LEN;

        tcp4_frame(frame, dst, src, len - headers, 0);
        hdr.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        hdr.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
        hdr.hdr.gso_size = cpu_to_le16(1448);
        hdr.hdr.hdr_len = cpu_to_le16(headers);
        hdr.hdr.csum_start = cpu_to_le16(ETH_HEADER_LEN + IPV4_HEADER_LEN);
        hdr.hdr.csum_offset = cpu_to_le16(16);
    } else {
        make_frame(frame, dst, src, 0x42);
    }
    qtest_memwrite(b->qts, at, &hdr, VNET_HDR_LEN);
    qtest_memwrite(b->qts, at + VNET_HDR_LEN, frame, len);
}

/* Descriptor i and avail slot i of @ring: the same every lap of the ring */
static void fill_ring(VfDriver *d, int index, uint64_t area, uint32_t len,
                      uint16_t flags)
{
    VirtqueueRings *q = &d->queue[index];
    g_autofree uint8_t *descs = g_malloc0(16 * BURST);
    g_autofree uint16_t *slots = g_new(uint16_t, BURST);

    for (int i = 0; i < BURST; i++) {
        uint64_t addr = cpu_to_le64(area + (uint64_t)i * BUFFER_STRIDE);
        uint32_t le_len = cpu_to_le32(len);
        uint16_t le_flags = cpu_to_le16(flags);

        memcpy(descs + 16 * i, &addr, 8);
        memcpy(descs + 16 * i + 8, &le_len, 4);
        memcpy(descs + 16 * i + 12, &le_flags, 2);
        slots[i] = cpu_to_le16(i);
    }
    qtest_memwrite(d->qts, q->desc, descs, 16 * BURST);
    qtest_memwrite(d->qts, q->avail + 4, slots, 2 * BURST);
}

static void start_driver(Bench *b, VfDriver *d, int vf, uint32_t features)
{
    driver_negotiate(d, b->qts, VF_DEVFN(vf), VF_BAR4_BASE + vf * VF_BAR4_SIZE,
                     features);
    driver_setup_queue(d, RX_QUEUE, RINGS_AT(vf), BURST);
    driver_setup_queue(d, TX_QUEUE, RINGS_AT(vf) + VF_RAM_SIZE / 2, BURST);
    driver_ready(d);
}

static void bench_start(Bench *b, const char *mode, int vfs, size_t len)
{
    g_autofree char *netdevs = machine_netdevs(mode, vfs);
    g_autofree char *options = card_options(mode, vfs);
    g_autofree char *machine = g_strdup_printf("-m 256M %s", netdevs);
    bool uplink_socket = strcmp(mode, "vepa") != 0;
    uint32_t gso = len > 1514;

    memset(b, 0, sizeof(*b));
    b->frame_len = len;
    b->uplink_fd = -1;
    if (uplink_socket) {
        b->qts = start_machine_with_uplink(options, machine, &b->uplink_fd);
    } else {
        b->qts = qtest_initf(MACHINE_ARGS " %s -device nswitch-nic,bus=rp0%s",
                             machine, options);
    }
    prepare_machine(b->qts);
    map_vf_bars(b->qts, vfs);
    start_driver(b, &b->tx, SENDER,
                 gso ? (1u << VIRTIO_NET_F_CSUM) |
                       (1u << VIRTIO_NET_F_HOST_TSO4) : 0);
    start_driver(b, &b->rx, RECEIVER,
                 gso ? (1u << VIRTIO_NET_F_GUEST_CSUM) |
                       (1u << VIRTIO_NET_F_GUEST_TSO4) : 0);
    for (int i = 0; i < BURST; i++) {
        write_frame(b, TX_AREA + (uint64_t)i * BUFFER_STRIDE, len);
    }
    fill_ring(&b->tx, TX_QUEUE, TX_AREA, VNET_HDR_LEN + len, 0);
    fill_ring(&b->rx, RX_QUEUE, RX_AREA, BUFFER_STRIDE, VRING_DESC_F_WRITE);
}

static void bench_stop(Bench *b)
{
    if (b->uplink_fd >= 0) {
        close(b->uplink_fd);
    }
    qtest_quit(b->qts);
}

/* Advances @index's avail index by @count and kicks the device. */
static void post(VfDriver *d, int index, uint16_t count)
{
    VirtqueueRings *q = &d->queue[index];

    q->next_avail += count;
    qtest_writew(d->qts, q->avail + 2, q->next_avail);
    qtest_writew(d->qts, q->notify, index);
}

/*
 * Until VF 1 has used the burst's buffers (or 2 s passed: a frame
 * dropped on the way never comes); returns how many it used. Each poll is a
 * qtest command that costs QEMU CPU, so the first comes when most of the
 * last burst's time has passed, the next every 100 us.
 */
static uint16_t wait_for_burst(Bench *b, uint16_t count)
{
    VirtqueueRings *rx = &b->rx.queue[RX_QUEUE];
    VirtqueueRings *tx = &b->tx.queue[TX_QUEUE];
    gint64 started = g_get_monotonic_time();
    gint64 deadline = started + BURST_TIMEOUT_US;
    uint16_t target = rx->seen_used + count, used;

    if (count) {
        g_usleep(b->last_burst_us * 9 / 10);
    }
    while ((used = used_index(&b->rx, RX_QUEUE)) != target &&
           g_get_monotonic_time() < deadline) {
        g_usleep(100);
    }
    while (used_index(&b->tx, TX_QUEUE) != tx->next_avail &&
           g_get_monotonic_time() < deadline) {
        g_usleep(100);
    }
    if (count) {
        b->last_burst_us = g_get_monotonic_time() - started;
    }
    count = used - rx->seen_used;
    rx->seen_used = used;
    tx->seen_used = tx->next_avail;
    return count;
}

/* One burst, or with @frames false the same commands with no frame. */
static void burst(Bench *b, bool frames)
{
    uint16_t count = frames ? BURST : 0;

    post(&b->rx, RX_QUEUE, count);
    post(&b->tx, TX_QUEUE, count);
    b->delivered += wait_for_burst(b, count);
}

/*
 * QEMU's heap allocations so far, when malloc-count (tests/bench) is
 * preloaded into it and counts into NSWITCH_ALLOC_COUNT_FILE; else 0.
 */
static uint64_t qemu_allocations(void)
{
    const char *path = getenv("NSWITCH_ALLOC_COUNT_FILE");
    uint64_t count = 0;
    int fd = path ? open(path, O_RDONLY) : -1;

    if (fd >= 0) {
        if (pread(fd, &count, sizeof(count), 0) != sizeof(count)) {
            count = 0;
        }
        close(fd);
    }
    return count;
}

static void run_round(Bench *b, int bursts, bool frames, uint64_t *qemu_ns,
                      uint64_t *softirq_ns, uint64_t *allocations)
{
    pid_t pid = qtest_pid(b->qts);
    uint64_t qemu = process_cpu_ns(pid), softirq = softirq_cpu_ns();
    uint64_t allocated = qemu_allocations();

    for (int i = 0; i < bursts; i++) {
        burst(b, frames);
    }
    *qemu_ns = process_cpu_ns(pid) - qemu;
    *softirq_ns = softirq_cpu_ns() - softirq;
    *allocations = qemu_allocations() - allocated;
}

static int run_bench(char **argv)
{
    const char *mode = argv[0];
    int vfs = atoi(argv[1]), rounds = atoi(argv[3]), bursts = atoi(argv[4]);
    size_t len = atoi(argv[2]);
    uint64_t qemu, softirq, driver, unused, allocs, driver_allocs;
    Bench b;

    if (vfs < 2 || rounds < 1 || bursts < 1 ||
        (len != 60 && len != 1514 && len != 65536)) {
        fprintf(stderr, "usage: --bench MODE VFS(>=2) SIZE(60|1514|65536) "
                "ROUNDS BURSTS\n");
        return 2;
    }
    bench_start(&b, mode, vfs, len == 65536 ? GSO_FRAME_LEN : len);
    /* a warm-up round: the first frames map pages and fill caches */
    run_round(&b, bursts, true, &qemu, &softirq, &allocs);
    for (int round = 1; round <= rounds; round++) {
        b.delivered = 0;
        run_round(&b, bursts, false, &driver, &unused, &driver_allocs);
        run_round(&b, bursts, true, &qemu, &softirq, &allocs);
        printf("%s,%d,%zu,%d,%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
               PRIu64 ",%" PRId64 "\n", mode, vfs, len, round,
               bursts * BURST, b.delivered, qemu, softirq, driver,
               (int64_t)(allocs - driver_allocs));
        fflush(stdout);
    }
    bench_stop(&b);
    return 0;
}

/* A short run: every frame arrives, and the card accounted for each. */
static void smoke(const char *mode, size_t len)
{
    uint64_t qemu, softirq, allocs;
    Bench b;

    bench_start(&b, mode, 3, len);
    run_round(&b, 4, true, &qemu, &softirq, &allocs);
    g_assert_cmpuint(b.delivered, ==, 4 * BURST);
    g_assert_cmpint(card_counter(b.qts, VF_PORT(RECEIVER), "tx-frames"), ==,
                    4 * BURST);
    g_assert_cmpint(card_counter(b.qts, PATHS, "hairpinned"), ==, 4 * BURST);
    g_assert_cmpuint(qemu, >, 0);
    assert_frames_accounted(b.qts);
    bench_stop(&b);
}

static void test_smoke_nswitch_small(void)
{
    smoke("nswitch", 60);
}

static void test_smoke_veb_full(void)
{
    smoke("veb", 1514);
}

static void test_smoke_nswitch_gso(void)
{
    smoke("nswitch", GSO_FRAME_LEN);
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "--bench")) {
        return run_bench(argv + 2);
    }
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-devbench/smoke/nswitch-60",
                   test_smoke_nswitch_small);
    qtest_add_func("/nswitch-devbench/smoke/veb-1514", test_smoke_veb_full);
    qtest_add_func("/nswitch-devbench/smoke/nswitch-gso",
                   test_smoke_nswitch_gso);
    return g_test_run();
}
