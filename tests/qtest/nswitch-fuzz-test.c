/*
 * nswitch-nic device fuzzer: the real card in QEMU, driven without a
 * guest by random operations from a seeded generator. The operations are
 * what an untrusted guest and a management client can do: frames with
 * random virtio-net headers and contents on the PF's and VFs' transmit
 * queues, in random descriptor layouts (direct, indirect, broken),
 * receive buffers of random sizes, random features, control-queue
 * commands, SR-IOV writes (NumVFs, VF Enable) at random times, function
 * and system resets, frames from the uplink, the card's QMP commands,
 * and the virtual clock. After every batch the card must answer and
 * account for every frame (offered = delivered + dropped + held), hold
 * no more than its buffer allows, and hand no guest a used length longer
 * than the buffer it gave.
 *
 * Each seed is one machine and one sequence. The test runs the seeds of
 * its corpus (directory NSWITCH_FUZZ_CORPUS, tests/fuzz/corpus/device in
 * the test command) and NSWITCH_FUZZ_SEEDS more (default 2) from
 * NSWITCH_FUZZ_SEED (default 1000), NSWITCH_FUZZ_OPS operations each
 * (default 2000). A seed replays the same operations up to timing: what
 * a step finds in the rings depends on when QEMU ran its bottom halves.
 * scripts/fuzz-device.sh runs it long against QEMU built with ASan and
 * UBSan and prints the figures.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include "qemu/bswap.h"
#include "nswitch/card.h"
#include "nswitch/frames.h"

#define FUZZ_VFS 4
#define FUNCTIONS (FUZZ_VFS + 1)     /* the PF, then the VFs */
#define SLOT_AREA 0x20000            /* a buffer and its indirect table */
#define INDIRECT_AT 0x18000
#define MAX_FRAME 65000
#define CHECK_EVERY 64

typedef struct Function {
    VfDriver d;
    bool started;
    bool broken;                /* the fuzzer broke its rings on purpose */
    bool indirect;
    bool control;
    uint32_t rx_len[QUEUE_SIZE];
} Function;

typedef struct Fuzz {
    QTestState *qts;
    GRand *rand;
    int uplink_fd;
    uint16_t enabled;
    bool uplink_down;
    uint64_t buffer_size;
    Function fn[FUNCTIONS];
    char *capture_path;
    uint8_t *frame;
} Fuzz;

static uint64_t total_ops;

static uint32_t pick(Fuzz *f, uint32_t n)
{
    return g_rand_int_range(f->rand, 0, n);
}

static bool chance(Fuzz *f, uint32_t percent)
{
    return pick(f, 100) < percent;
}

static uint64_t slot_area(int fn, int queue, int slot)
{
    return BIG_FRAME_AREA + ((fn * 2 + queue) * QUEUE_SIZE + slot) *
           (uint64_t)SLOT_AREA;
}

static void function_mac(uint8_t *mac, int fn)
{
    if (fn == 0) {
        memcpy(mac, pf_mac, 6);
    } else {
        vf_mac(mac, fn - 1);
    }
}

/* A MAC a frame may be for, or claim to be from. */
static void random_mac(Fuzz *f, uint8_t *mac)
{
    switch (pick(f, 7)) {
    case 0:
        memcpy(mac, broadcast_mac, 6);
        break;
    case 1:
        memcpy(mac, outside_mac, 6);
        break;
    case 2:
        vf_mac(mac, pick(f, 16));        /* in the group, maybe nobody's */
        break;
    case 3:
        for (int i = 0; i < 6; i++) {
            mac[i] = pick(f, 256);
        }
        break;
    case 4:
        memcpy(mac, (uint8_t[]) { 0x01, 0x00, 0x5e, 0, 0, 1 }, 6);
        break;
    default:
        function_mac(mac, pick(f, FUNCTIONS));
    }
}

static size_t random_length(Fuzz *f)
{
    switch (pick(f, 10)) {
    case 0:
        return pick(f, 20);
    case 1:
        return 1 + pick(f, MAX_FRAME);
    case 2:
    case 3:
        return 60 + pick(f, 1455);
    default:
        return 14 + pick(f, 120);
    }
}

/* Tags of the kinds the card parses, and some it must not trust. */
static size_t add_tags(Fuzz *f, uint8_t *frame, size_t at)
{
    static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100, 0x8100 };
    int tags = pick(f, 6);

    for (int i = 0; i < tags && at + 4 <= 64; i++) {
        stw_be_p(frame + at, tpids[pick(f, ARRAY_SIZE(tpids))]);
        stw_be_p(frame + at + 2, pick(f, 3) ? pick(f, 8) : pick(f, 65536));
        at += 4;
    }
    return at;
}

/* A frame: random, tagged, or TCP over IPv4/IPv6 that offloads can use. */
static size_t random_frame(Fuzz *f, const uint8_t *own_mac)
{
    uint8_t dst[6], src[6];
    size_t len = random_length(f), at;

    random_mac(f, dst);
    if (chance(f, 85)) {
        memcpy(src, own_mac, 6);
    } else {
        random_mac(f, src);
    }
    switch (pick(f, 4)) {
    case 0:
        return tcp4_frame(f->frame, dst, src, pick(f, 3000), pick(f, 256));
    case 1:
        return tcp6_frame(f->frame, dst, src, pick(f, 3000), pick(f, 256));
    default:
        break;
    }
    for (size_t i = 0; i < len; i += 4) {
        uint32_t word = g_rand_int(f->rand);

        memcpy(f->frame + i, &word, MIN(4, MAX_FRAME - i));
    }
    memcpy(f->frame, dst, 6);
    memcpy(f->frame + 6, src, 6);
    at = add_tags(f, f->frame, 12);
    stw_be_p(f->frame + at, chance(f, 50) ? 0x88b5 : pick(f, 65536));
    return len;
}

static void random_header(Fuzz *f, struct virtio_net_hdr *hdr, size_t len)
{
    static const uint8_t gso_types[] = {
        VIRTIO_NET_HDR_GSO_NONE, VIRTIO_NET_HDR_GSO_TCPV4,
        VIRTIO_NET_HDR_GSO_TCPV6, VIRTIO_NET_HDR_GSO_UDP, 5, 2,
        VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 0x7f,
    };

    memset(hdr, 0, sizeof(*hdr));
    if (chance(f, 40)) {
        return;
    }
    hdr->flags = chance(f, 80) ? VIRTIO_NET_HDR_F_NEEDS_CSUM : pick(f, 256);
    hdr->gso_type = chance(f, 90) ? gso_types[pick(f, ARRAY_SIZE(gso_types))]
                                  : pick(f, 256);
    hdr->gso_size = chance(f, 80) ? pick(f, 2000) : pick(f, 65536);
    hdr->hdr_len = chance(f, 50) ? 54 : pick(f, 200);
    hdr->csum_start = chance(f, 60) ? 34 + 20 * pick(f, 2)
                                    : pick(f, MAX(len, 1) + 64);
    hdr->csum_offset = chance(f, 70) ? 16 : pick(f, 300);
}

/*
 * Puts @len bytes at @addr on queue @index of @fn: one descriptor, or an
 * indirect table of up to four; now and then a layout the device must
 * refuse (it then needs a reset).
 */
static void put_buffer(Fuzz *f, Function *fn, int index, uint64_t addr,
                       uint32_t len, bool device_writes)
{
    uint16_t slot = fn->d.queue[index].next_avail % QUEUE_SIZE;
    uint16_t flags = device_writes ? VRING_DESC_F_WRITE : 0;
    uint64_t table = addr - (addr % SLOT_AREA) + INDIRECT_AT;

    if (!len) {
        fn->broken = true;          /* virtio refuses zero sized buffers */
    } else if (chance(f, 1)) {
        /* out of RAM, the wrong direction, or an indirect loop */
        fn->broken = true;
        switch (pick(f, 3)) {
        case 0:
            addr = 0xfff000000000ull;
            break;
        case 1:
            flags ^= VRING_DESC_F_WRITE;
            break;
        default:
            qtest_writeq(f->qts, table, table);
            qtest_writel(f->qts, table + 8, 16);
            qtest_writew(f->qts, table + 12, VRING_DESC_F_INDIRECT);
            qtest_writew(f->qts, table + 14, 0);
            addr = table;
            len = 16;
            flags = VRING_DESC_F_INDIRECT;
        }
    } else if (fn->indirect && len && chance(f, 60)) {
        uint32_t pieces = 1 + pick(f, 4), at = 0;

        for (uint32_t i = 0; i < pieces; i++) {
            uint32_t piece = i + 1 == pieces ? len - at
                                             : pick(f, len - at + 1);
            uint8_t entry[16];

            stq_le_p(entry, addr + at);
            stl_le_p(entry + 8, piece);
            stw_le_p(entry + 12, flags |
                     (i + 1 < pieces ? VRING_DESC_F_NEXT : 0));
            stw_le_p(entry + 14, i + 1);
            qtest_memwrite(f->qts, table + 16 * i, entry, sizeof(entry));
            at += piece;
        }
        addr = table;
        len = 16 * pieces;
        flags = VRING_DESC_F_INDIRECT;
    }
    write_descriptor(&fn->d, index, slot, addr, len, flags, 0);
    make_available(&fn->d, index, slot);
}

/* Takes the used entries; RX ones must fit the buffers they were given. */
static uint16_t reap(Fuzz *f, Function *fn, int index)
{
    VirtqueueRings *q = &fn->d.queue[index];
    uint32_t slot, len;

    if ((uint16_t)(used_index(&fn->d, index) - q->seen_used) > QUEUE_SIZE) {
        g_assert_true(fn->broken);
        return 0;
    }
    while (take_used(&fn->d, index, &slot, &len)) {
        if (index == RX_QUEUE && !fn->broken) {
            g_assert_cmpuint(slot, <, QUEUE_SIZE);
            g_assert_cmpuint(len, <=, fn->rx_len[slot]);
        }
    }
    return (uint16_t)(q->next_avail - q->seen_used);
}

static bool function_present(Fuzz *f, int fn)
{
    return fn == 0 || fn <= f->enabled;
}

static void start_function(Fuzz *f, int index)
{
    Function *fn = &f->fn[index];
    uint64_t common = virtio_structure(f->qts, index ? index - 1 : PF_DRIVER,
                                       VIRTIO_PCI_CAP_COMMON_CFG, NULL);
    uint32_t offered, features;

    memset(fn, 0, sizeof(*fn));
    qtest_writel(f->qts, common + VIRTIO_PCI_COMMON_DFSELECT, 0);
    offered = qtest_readl(f->qts, common + VIRTIO_PCI_COMMON_DF);
    /* one queue pair: the control queue stays queue 2 */
    offered &= ~(1u << VIRTIO_NET_F_MQ);
    features = offered & g_rand_int(f->rand);
    fn->indirect = offered & (1u << VIRTIO_RING_F_INDIRECT_DESC) &&
                   features & (1u << VIRTIO_RING_F_INDIRECT_DESC);
    fn->control = features & (1u << VIRTIO_NET_F_CTRL_VQ);
    if (index) {
        vf_driver_start_with_features(&fn->d, f->qts, index - 1, features);
    } else {
        pf_driver_start(&fn->d, f->qts, features);
    }
    fn->started = true;
}

static void op_transmit(Fuzz *f, int index)
{
    Function *fn = &f->fn[index];
    struct virtio_net_hdr hdr;
    uint8_t own_mac[6];
    uint64_t addr;
    size_t len;

    if (reap(f, fn, TX_QUEUE) >= QUEUE_SIZE) {
        /* paced by a TX rate, or broken: time may free it */
        qtest_clock_step(f->qts, pick(f, 100 * 1000 * 1000));
        return;
    }
    function_mac(own_mac, index);
    len = random_frame(f, own_mac);
    random_header(f, &hdr, len);
    addr = slot_area(index, TX_QUEUE,
                     fn->d.queue[TX_QUEUE].next_avail % QUEUE_SIZE);
    qtest_memwrite(f->qts, addr, &hdr, sizeof(hdr));
    qtest_memwrite(f->qts, addr + VNET_HDR_LEN, f->frame, len);
    put_buffer(f, fn, TX_QUEUE, addr, VNET_HDR_LEN + len, false);
}

static void op_post_rx(Fuzz *f, int index)
{
    static const uint32_t sizes[] = { 1526, 65550, 2048, 100, 12, 0 };
    Function *fn = &f->fn[index];
    uint16_t slot = fn->d.queue[RX_QUEUE].next_avail % QUEUE_SIZE;
    uint32_t len = chance(f, 80) ? sizes[pick(f, 3)]
                                 : sizes[pick(f, ARRAY_SIZE(sizes))];

    if (reap(f, fn, RX_QUEUE) >= QUEUE_SIZE) {
        return;
    }
    fn->rx_len[slot] = len;
    put_buffer(f, fn, RX_QUEUE, slot_area(index, RX_QUEUE, slot), len, true);
}

static void op_control(Fuzz *f, int index)
{
    Function *fn = &f->fn[index];
    uint8_t data[64];
    uint8_t class, command;
    size_t len;

    /* a layout virtio refused (a zero sized piece, say) breaks it too */
    if (qtest_readb(f->qts, fn->d.common + VIRTIO_PCI_COMMON_STATUS) &
        VIRTIO_CONFIG_S_NEEDS_RESET) {
        fn->broken = true;
    }
    if (!fn->control || fn->broken) {
        return;
    }
    switch (pick(f, 4)) {
    case 0:
        class = VIRTIO_NET_CTRL_RX;
        command = pick(f, 6);
        data[0] = pick(f, 2);
        len = 1;
        break;
    case 1:
        class = VIRTIO_NET_CTRL_MAC;
        command = VIRTIO_NET_CTRL_MAC_ADDR_SET;
        random_mac(f, data);
        len = 6;
        break;
    case 2:
        /* a table of unicast entries, then of multicast: maybe malformed */
        class = VIRTIO_NET_CTRL_MAC;
        command = VIRTIO_NET_CTRL_MAC_TABLE_SET;
        stl_le_p(data, chance(f, 80) ? 1 : g_rand_int(f->rand));
        random_mac(f, data + 4);
        stl_le_p(data + 10, chance(f, 80) ? 0 : g_rand_int(f->rand));
        len = 14;
        break;
    default:
        class = VIRTIO_NET_CTRL_VLAN;
        command = pick(f, 2);
        stw_le_p(data, pick(f, 4096));
        len = 2;
    }
    /* what it sent before (a bottom half runs it) may break it first */
    if (vf_control(&fn->d, class, command, data, len) ==
        CONTROL_DEVICE_BROKEN) {
        fn->broken = true;
    }
}

static void op_uplink_inject(Fuzz *f)
{
    struct pollfd pfd = { .fd = f->uplink_fd, .events = POLLOUT };
    uint8_t src[6];
    size_t len;

    random_mac(f, src);
    len = MIN(random_frame(f, src), 9000);
    /*
     * QEMU's socket netdev stops reading for good after an empty frame
     * while its link is down (the net layer answers 0, "queued", for a
     * frame it dropped): a QEMU defect outside the card, not fuzzed.
     */
    if (!len && f->uplink_down) {
        len = 1;
    }
    /* QEMU reads the uplink unless the card is stuck */
    g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
    uplink_send(f->uplink_fd, f->frame, len);
}

static void drain_uplink(Fuzz *f)
{
    while (uplink_receive(f->uplink_fd, f->frame, MAX_FRAME + 1024, 0)) {
        continue;
    }
}

static void qmp_any(Fuzz *f, const char *json)
{
    QDict *rsp = qtest_qmp(f->qts, "%s", json);

    g_assert_true(qdict_haskey(rsp, "return") || qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
}

static char *mac_string(const uint8_t *mac)
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
                           mac[2], mac[3], mac[4], mac[5]);
}

static void op_management(Fuzz *f)
{
    static const char *const links[] = { "auto", "enable", "disable" };
    static const uint32_t rates[] = { 0, 1, 10, 10000 };
    static const char *const actions[] = { "allow", "drop", "mirror" };
    uint8_t mac[6];
    g_autofree char *mac_str = NULL;
    g_autofree char *json = NULL;
    int vf = pick(f, FUZZ_VFS + 1);

    random_mac(f, mac);
    mac_str = mac_string(mac);
    switch (pick(f, 12)) {
    case 0:
        json = g_strdup_printf("{'execute': 'nswitch-vf-set', 'arguments': "
                               "{'device': 'card0', 'vf': %d, 'mac': '%s'}}",
                               vf, mac_str);
        break;
    case 1:
        json = g_strdup_printf("{'execute': 'nswitch-vf-set', 'arguments': "
                               "{'device': 'card0', 'vf': %d, 'vlan': %u, "
                               "'qos': %u}}", vf,
                               chance(f, 50) ? 0 : pick(f, 4100), pick(f, 9));
        break;
    case 2:
        json = g_strdup_printf("{'execute': 'nswitch-vf-set', 'arguments': "
                               "{'device': 'card0', 'vf': %d, "
                               "'spoofchk': %s, 'trust': %s, "
                               "'link-state': '%s'}}", vf,
                               chance(f, 50) ? "true" : "false",
                               chance(f, 50) ? "true" : "false",
                               links[pick(f, 3)]);
        break;
    case 3:
        json = g_strdup_printf("{'execute': 'nswitch-vf-set', 'arguments': "
                               "{'device': 'card0', 'vf': %d, "
                               "'max-tx-rate': %u}}", vf,
                               rates[pick(f, ARRAY_SIZE(rates))]);
        break;
    case 4:
        json = g_strdup_printf("{'execute': 'nswitch-acl-add', 'arguments': "
                               "{'device': 'card0', 'action': '%s', "
                               "'%s': '%.*s', 'vlan': %u, "
                               "'position': %u}}",
                               actions[pick(f, ARRAY_SIZE(actions))],
                               chance(f, 50) ? "src" : "dst",
                               chance(f, 50) ? 8 : 17, mac_str,
                               pick(f, 4096), pick(f, 4));
        break;
    case 5:
        json = g_strdup_printf("{'execute': 'nswitch-acl-remove', "
                               "'arguments': {'device': 'card0', "
                               "'rule': %u}}", pick(f, 8));
        break;
    case 6:
        json = g_strdup_printf("{'execute': 'nswitch-mirror-start', "
                               "'arguments': {'device': 'card0', "
                               "'monitor-vf': %d%s}}", vf,
                               chance(f, 50) ? ", 'vf': 0" : "");
        break;
    case 7:
        json = g_strdup("{'execute': 'nswitch-mirror-stop', 'arguments': "
                        "{'device': 'card0'}}");
        break;
    case 8:
        json = g_strdup_printf("{'execute': 'nswitch-relay-%s', "
                               "'arguments': {'device': 'card0', "
                               "'mac': '%s'%s}}",
                               chance(f, 50) ? "add" : "remove", mac_str,
                               chance(f, 50) ? ", 'vf': 1" : "");
        break;
    case 9:
        json = chance(f, 50)
            ? g_strdup_printf("{'execute': 'nswitch-capture-start', "
                              "'arguments': {'device': 'card0', "
                              "'file': '%s'}}", f->capture_path)
            : g_strdup("{'execute': 'nswitch-capture-stop', 'arguments': "
                       "{'device': 'card0'}}");
        break;
    case 10:
        f->uplink_down = chance(f, 30);
        json = g_strdup_printf("{'execute': 'set_link', 'arguments': "
                               "{'name': 'uplink', 'up': %s}}",
                               f->uplink_down ? "false" : "true");
        break;
    default:
        json = g_strdup("{'execute': 'x-query-nswitch'}");
    }
    qmp_any(f, json);
}

static void forget_vfs(Fuzz *f)
{
    for (int i = 1; i < FUNCTIONS; i++) {
        f->fn[i].started = false;
    }
}

static void op_sriov(Fuzz *f)
{
    uint16_t cap = sriov_cap(f->qts);

    forget_vfs(f);
    if (chance(f, 80)) {
        f->enabled = pick(f, FUZZ_VFS + 1);
        map_vf_bars(f->qts, f->enabled);
        return;
    }
    /* what a confused driver writes: any NumVFs, any control bits */
    ext_writew(f->qts, PF_DEVFN, cap + PCI_SRIOV_NUM_VF, pick(f, 65536));
    ext_writew(f->qts, PF_DEVFN, cap + PCI_SRIOV_CTRL, pick(f, 32));
    f->enabled = 0;
    set_vfs(f->qts, 0);
}

static void op_system_reset(Fuzz *f)
{
    qtest_qmp_assert_success(f->qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(f->qts, "RESET");
    prepare_machine(f->qts);
    open_root_port_window(f->qts);
    map_pf_bar(f->qts);
    f->enabled = 0;
    for (int i = 0; i < FUNCTIONS; i++) {
        f->fn[i].started = false;
    }
}

/* What the card promises at any moment the main loop is idle. */
static void check_invariants(Fuzz *f)
{
    QDict *rsp, *card;

    assert_frames_accounted(f->qts);
    card = query_card(f->qts, &rsp);
    g_assert_cmpuint(qdict_get_int(card, "buffered"), <=, f->buffer_size);
    g_assert_cmpint(qdict_get_int(card, "enabled-vfs"), ==, f->enabled);
    qobject_unref(rsp);
}

static void step(Fuzz *f)
{
    int index = pick(f, FUNCTIONS);
    uint32_t what = pick(f, 1000);

    if (what < 800 && function_present(f, index) &&
        (!f->fn[index].started || f->fn[index].broken)) {
        start_function(f, index);
        return;
    }
    if (what < 450) {
        if (function_present(f, index)) {
            op_transmit(f, index);
        }
    } else if (what < 700) {
        if (function_present(f, index)) {
            op_post_rx(f, index);
        }
    } else if (what < 730) {
        if (function_present(f, index)) {
            op_control(f, index);
        }
    } else if (what < 830) {
        op_uplink_inject(f);
    } else if (what < 870) {
        drain_uplink(f);
    } else if (what < 920) {
        op_management(f);
    } else if (what < 950) {
        qtest_clock_step(f->qts, pick(f, 200 * 1000 * 1000));
    } else if (what < 975) {
        if (function_present(f, index)) {
            start_function(f, index);    /* a reset by the driver */
        }
    } else if (what < 997) {
        op_sriov(f);
    } else {
        op_system_reset(f);
    }
}

static void run_seed(uint32_t seed, uint32_t ops)
{
    static const char *const modes[] = { "nswitch", "veb", "vepa" };
    static const uint32_t rx_queues[] = { 0, 1, 8, 256 };
    static const uint64_t buffers[] = { 4096, 200000, 64 << 20 };
    g_autofree char *options = NULL;
    Fuzz f = { .rand = g_rand_new_with_seed(seed) };

    f.buffer_size = buffers[pick(&f, ARRAY_SIZE(buffers))];
    options = g_strdup_printf(",vfs=%d,id=card0,mode=%s,rx-queue=%u,"
                              "buffer-size=%" PRIu64 ",uplink-speed=%u",
                              FUZZ_VFS, modes[pick(&f, ARRAY_SIZE(modes))],
                              rx_queues[pick(&f, ARRAY_SIZE(rx_queues))],
                              f.buffer_size, chance(&f, 20) ? 10 : 0);
    g_test_message("seed %u: %s", seed, options);
    f.frame = g_malloc0(MAX_FRAME + 1024);
    f.capture_path = g_strdup_printf("%s/nswitch-fuzz-%d.pcap",
                                     g_get_tmp_dir(), getpid());
    f.qts = start_with_uplink(options, &f.uplink_fd);
    open_root_port_window(f.qts);
    map_pf_bar(f.qts);
    for (uint32_t i = 0; i < ops; i++) {
        step(&f);
        if (i % CHECK_EVERY == CHECK_EVERY - 1) {
            drain_uplink(&f);
            check_invariants(&f);
        }
    }
    check_invariants(&f);
    total_ops += ops;
    close(f.uplink_fd);
    qtest_quit(f.qts);
    unlink(f.capture_path);
    g_free(f.capture_path);
    g_free(f.frame);
    g_rand_free(f.rand);
}

static uint32_t env_number(const char *name, uint32_t otherwise)
{
    const char *value = g_getenv(name);

    return value ? g_ascii_strtoull(value, NULL, 0) : otherwise;
}

/* The corpus: seeds that once found a defect, one number per line. */
static void test_corpus_seeds(void)
{
    const char *dir = g_getenv("NSWITCH_FUZZ_CORPUS");
    g_autofree char *path = NULL;
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;
    uint32_t ops = env_number("NSWITCH_FUZZ_OPS", 2000);

    if (!dir) {
        g_test_skip("NSWITCH_FUZZ_CORPUS names no corpus directory");
        return;
    }
    path = g_build_filename(dir, "seeds", NULL);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    lines = g_strsplit(contents, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (lines[i][0] && lines[i][0] != '#') {
            run_seed(g_ascii_strtoull(lines[i], NULL, 0), ops);
        }
    }
}

static void test_random_seeds(void)
{
    uint32_t first = env_number("NSWITCH_FUZZ_SEED", 1000);
    uint32_t seeds = env_number("NSWITCH_FUZZ_SEEDS", 2);
    uint32_t ops = env_number("NSWITCH_FUZZ_OPS", 2000);

    for (uint32_t i = 0; i < seeds; i++) {
        run_seed(first + i, ops);
    }
    g_test_message("%" PRIu64 " operations from seed %u on", total_ops,
                   first);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/fuzz/corpus", test_corpus_seeds);
    qtest_add_func("/nswitch-nic/fuzz/random", test_random_seeds);
    return g_test_run();
}
