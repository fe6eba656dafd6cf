/*
 * nswitch-nic qtests: helpers shared by the suites (see card.h)
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include "nswitch/card.h"
#include "qobject/qnum.h"

uint32_t config_address(uint8_t bus, uint8_t devfn, uint8_t offset)
{
    return 0x80000000u | (bus << 16) | (devfn << 8) | (offset & 0xfc);
}

uint32_t config_readl(QTestState *qts, uint8_t bus, uint8_t devfn,
                      uint8_t offset)
{
    qtest_outl(qts, 0xcf8, config_address(bus, devfn, offset));
    return qtest_inl(qts, 0xcfc);
}

void config_writel(QTestState *qts, uint8_t bus, uint8_t devfn,
                   uint8_t offset, uint32_t value)
{
    qtest_outl(qts, 0xcf8, config_address(bus, devfn, offset));
    qtest_outl(qts, 0xcfc, value);
}

uint64_t ecam(uint8_t bus, uint8_t devfn, uint16_t offset)
{
    return ECAM_BASE + ((uint64_t)bus << 20) + ((uint64_t)devfn << 12) +
           offset;
}

uint32_t ext_readl(QTestState *qts, uint8_t devfn, uint16_t offset)
{
    return qtest_readl(qts, ecam(CARD_BUS, devfn, offset));
}

uint16_t ext_readw(QTestState *qts, uint8_t devfn, uint16_t offset)
{
    return qtest_readw(qts, ecam(CARD_BUS, devfn, offset));
}

void ext_writel(QTestState *qts, uint8_t devfn, uint16_t offset,
                uint32_t value)
{
    qtest_writel(qts, ecam(CARD_BUS, devfn, offset), value);
}

void ext_writew(QTestState *qts, uint8_t devfn, uint16_t offset,
                uint16_t value)
{
    qtest_writew(qts, ecam(CARD_BUS, devfn, offset), value);
}

void open_root_port_window(QTestState *qts)
{
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_PREF_MEMORY_BASE,
                  ((MMIO_WINDOW >> 16) & 0xfff0) |
                  (((MMIO_WINDOW + 0x3fffff) & 0xfff00000)));
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_PREF_BASE_UPPER32, 0);
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_PREF_LIMIT_UPPER32, 0);
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_COMMAND,
                  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void prepare_machine(QTestState *qts)
{
    config_writel(qts, 0, 0, PCIEXBAR + 4, 0);
    config_writel(qts, 0, 0, PCIEXBAR, ECAM_BASE | 1);
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_PRIMARY_BUS,
                  (CARD_BUS << 16) | (CARD_BUS << 8));
}

QTestState *start_with_card(const char *card_options)
{
    QTestState *qts = qtest_initf(MACHINE_ARGS " -device nswitch-nic,bus=rp0%s",
                                  card_options);

    prepare_machine(qts);
    return qts;
}

uint16_t find_ext_cap(QTestState *qts, uint8_t devfn, uint16_t id)
{
    uint16_t at = 0x100;

    while (at) {
        uint32_t header = ext_readl(qts, devfn, at);

        if (!header || header == 0xffffffff) {
            return 0;
        }
        if (PCI_EXT_CAP_ID(header) == id) {
            return at;
        }
        at = PCI_EXT_CAP_NEXT(header);
    }
    return 0;
}

uint16_t sriov_cap(QTestState *qts)
{
    uint16_t cap = find_ext_cap(qts, PF_DEVFN, PCI_EXT_CAP_ID_SRIOV);

    g_assert_cmpuint(cap, !=, 0);
    return cap;
}

void set_vfs(QTestState *qts, uint16_t count)
{
    uint16_t cap = sriov_cap(qts);

    ext_writew(qts, PF_DEVFN, cap + PCI_SRIOV_CTRL, 0);
    if (count) {
        ext_writew(qts, PF_DEVFN, cap + PCI_SRIOV_NUM_VF, count);
        ext_writew(qts, PF_DEVFN, cap + PCI_SRIOV_CTRL,
                   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
    }
}

bool vf_present(QTestState *qts, uint16_t vf)
{
    uint32_t class = config_readl(qts, CARD_BUS, VF_DEVFN(vf),
                                  PCI_CLASS_REVISION);

    if (class == 0xffffffff) {
        return false;
    }
    g_assert_cmphex(class >> 16, ==, PCI_CLASS_NETWORK_ETHERNET);
    return true;
}

QDict *query_card(QTestState *qts, QDict **rsp)
{
    QList *cards;

    *rsp = qtest_qmp(qts, "{'execute': 'query-nswitch'}");
    cards = qdict_get_qlist(*rsp, "return");
    g_assert_nonnull(cards);
    g_assert_cmpuint(qlist_size(cards), ==, 1);
    return qobject_to(QDict, qlist_peek(cards));
}

QDict *card_port(QDict *card, int64_t number)
{
    QListEntry *entry;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(card, "ports"), entry) {
        QDict *port = qobject_to(QDict, qlist_entry_obj(entry));

        if (qdict_get_int(port, "port") == number) {
            return port;
        }
    }
    g_assert_not_reached();
}

QDict *query_port_card(QTestState *qts, int64_t pf, QDict **rsp)
{
    QListEntry *entry;

    *rsp = qtest_qmp(qts, "{'execute': 'query-nswitch'}");
    QLIST_FOREACH_ENTRY(qdict_get_qlist(*rsp, "return"), entry) {
        QDict *card = qobject_to(QDict, qlist_entry_obj(entry));

        if (qdict_get_int(card, "pf-number") == pf) {
            return card;
        }
    }
    g_assert_not_reached();
}

static int64_t counter_in(QDict *card, int64_t port, const char *name)
{
    QDict *where = port < 0 ? qdict_get_qdict(card, "paths")
                            : card_port(card, port);

    if (g_str_has_prefix(name, "dropped.")) {
        where = qdict_get_qdict(where, "dropped");
        name += strlen("dropped.");
    }
    return qdict_get_int(where, name);
}

int64_t card_counter(QTestState *qts, int64_t port, const char *name)
{
    QDict *rsp, *card = query_card(qts, &rsp);
    int64_t value = counter_in(card, port, name);

    qobject_unref(rsp);
    return value;
}

int64_t pf_counter(QTestState *qts, int64_t pf, int64_t port,
                   const char *name)
{
    QDict *rsp, *card = query_port_card(qts, pf, &rsp);
    int64_t value = counter_in(card, port, name);

    qobject_unref(rsp);
    return value;
}

static QDict * G_GNUC_PRINTF(3, 0) qmp_vprintf(QTestState *qts,
                                               char **command,
                                               const char *fmt, va_list ap)
{
    *command = g_strdup_vprintf(fmt, ap);
    qtest_qmp_send_raw(qts, "%s", *command);
    return qtest_qmp_receive(qts);
}

static QDict * G_GNUC_PRINTF(2, 3) qmp_printf(QTestState *qts,
                                             const char *fmt, ...)
{
    g_autofree char *command = NULL;
    va_list ap;
    QDict *rsp;

    va_start(ap, fmt);
    rsp = qmp_vprintf(qts, &command, fmt, ap);
    va_end(ap);
    return rsp;
}

/* @rsp, the answer to @command, is an error that mentions @needle. */
static void assert_error_mentions(QDict *rsp, const char *needle,
                                  const char *command)
{
    QDict *error = qdict_get_qdict(rsp, "error");

    if (!error) {
        g_error("'%s' succeeded; expected an error with '%s'", command,
                needle);
    }
    g_test_message("%s: %s", command, qdict_get_str(error, "desc"));
    if (!strstr(qdict_get_str(error, "desc"), needle)) {
        g_error("'%s' answered '%s', not '...%s...'", command,
                qdict_get_str(error, "desc"), needle);
    }
    qobject_unref(rsp);
}

/* The command succeeds (@needle NULL), or fails mentioning @needle. */
static void G_GNUC_PRINTF(3, 0) qmp_vcheck(QTestState *qts,
                                           const char *needle,
                                           const char *fmt, va_list ap)
{
    g_autofree char *command = NULL;
    QDict *rsp = qmp_vprintf(qts, &command, fmt, ap);

    if (needle) {
        assert_error_mentions(rsp, needle, command);
        return;
    }
    if (!qdict_haskey(rsp, "return")) {
        g_error("'%s' failed: %s", command,
                qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    }
    qobject_unref(rsp);
}

void qmp_ok(QTestState *qts, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vcheck(qts, NULL, fmt, ap);
    va_end(ap);
}

void assert_qmp_error(QTestState *qts, const char *needle, const char *fmt,
                      ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vcheck(qts, needle, fmt, ap);
    va_end(ap);
}

int64_t acl_add(QTestState *qts, const char *device, const char *args)
{
    QDict *rsp = qmp_printf(qts, "{'execute': 'nswitch-acl-add', "
                            "'arguments': {'device': '%s', %s}}", device,
                            args);
    int64_t rule;

    g_assert_false(qdict_haskey(rsp, "error"));
    rule = qdict_get_int(qdict_get_qdict(rsp, "return"), "rule");
    qobject_unref(rsp);
    return rule;
}

int64_t capture_stop(QTestState *qts, const char *device, int64_t *lost)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'nswitch-capture-stop', "
                           "'arguments': {'device': %s}}", device);
    QDict *info = qdict_get_qdict(rsp, "return");
    int64_t frames;

    g_assert_nonnull(info);
    frames = qdict_get_int(info, "frames");
    if (lost) {
        *lost = qdict_get_int(info, "lost");
    }
    qobject_unref(rsp);
    return frames;
}

void wait_for_counter(QTestState *qts, int64_t port, const char *name,
                      int64_t expected)
{
    for (int tries = 0; tries < WAIT_STEPS; tries++) {
        if (card_counter(qts, port, name) == expected) {
            return;
        }
        g_usleep(WAIT_STEP_US);
    }
    g_assert_cmpint(card_counter(qts, port, name), ==, expected);
}

void wait_for_pf_counter(QTestState *qts, int64_t pf, int64_t port,
                         const char *name, int64_t expected)
{
    for (int tries = 0; tries < WAIT_STEPS; tries++) {
        if (pf_counter(qts, pf, port, name) == expected) {
            return;
        }
        g_usleep(WAIT_STEP_US);
    }
    g_assert_cmpint(pf_counter(qts, pf, port, name), ==, expected);
}

static int64_t sum_of(QDict *counters)
{
    const QDictEntry *entry;
    int64_t sum = 0;

    for (entry = qdict_first(counters); entry;
         entry = qdict_next(counters, entry)) {
        sum += qnum_get_int(qobject_to(QNum, qdict_entry_value(entry)));
    }
    return sum;
}

void assert_frames_accounted(QTestState *qts)
{
    QDict *rsp, *card = query_card(qts, &rsp);

    assert_card_accounted(card);
    qobject_unref(rsp);
}

void assert_card_accounted(QDict *card)
{
    QDict *paths = qdict_get_qdict(card, "paths");
    int64_t in = qdict_get_int(paths, "replicas") +
                 qdict_get_int(paths, "segments");
    int64_t out = sum_of(qdict_get_qdict(paths, "dropped"));
    QListEntry *entry;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(card, "ports"), entry) {
        QDict *port = qobject_to(QDict, qlist_entry_obj(entry));

        in += qdict_get_int(port, "rx-frames");
        out += qdict_get_int(port, "tx-frames") +
               qdict_get_int(port, "held");
    }
    g_assert_cmpint(in, ==, out);
}

const uint8_t pf_mac[6] = { 0x02, 0x6e, 0x00, 0x00, 0x00, 0x00 };
const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t outside_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
const uint8_t other_oui_mac[6] = { 0x02, 0x99, 0x00, 0x00, 0x00, 0x01 };

void vf_mac(uint8_t mac[6], int vf)
{
    memcpy(mac, pf_mac, 6);
    mac[5] = vf + 1;
}

void send_socket_frame(int fd, const uint8_t *dst, const uint8_t *src,
                       size_t len)
{
    uint8_t frame[128] = { 0 };
    uint32_t be_len = htonl(len);

    g_assert_cmpuint(len, <=, sizeof(frame));
    memcpy(frame, dst, MIN(len, 6));
    if (len > 6) {
        memcpy(frame + 6, src, MIN(len - 6, 6));
    }
    if (len >= 14) {
        frame[12] = 0x88;    /* local experimental ethertype */
        frame[13] = 0xb5;
    }
    g_assert_cmpint(write(fd, &be_len, 4), ==, 4);
    g_assert_cmpint(write(fd, frame, len), ==, (ssize_t)len);
}

QTestState *start_machine_with_uplink(const char *card_options,
                                      const char *machine_options,
                                      int *uplink_fd)
{
    int sv[2];
    QTestState *qts;

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    qts = qtest_initf(MACHINE_ARGS " -netdev socket,fd=%d,id=uplink "
                      "-device nswitch-nic,bus=rp0,netdev=uplink%s %s",
                      sv[1], card_options, machine_options);
    close(sv[1]);
    *uplink_fd = sv[0];
    return qts;
}

QTestState *start_with_uplink(const char *card_options, int *uplink_fd)
{
    QTestState *qts = start_machine_with_uplink(card_options, "", uplink_fd);

    prepare_machine(qts);
    return qts;
}

bool migration_completes(QTestState *qts)
{
    for (int tries = 0; tries < WAIT_STEPS; tries++) {
        QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
        QDict *info = qdict_get_qdict(rsp, "return");
        const char *status = qdict_haskey(info, "status")
                             ? qdict_get_str(info, "status") : "none";
        bool completed = !strcmp(status, "completed"),
             failed = !strcmp(status, "failed");

        qobject_unref(rsp);
        if (completed || failed) {
            return completed;
        }
        g_usleep(WAIT_STEP_US);
    }
    g_assert_not_reached();
}

void wait_for_migration(QTestState *qts)
{
    g_assert_true(migration_completes(qts));
}

QTestState *migrate_card(QTestState *src, const char *card_options,
                         int *dst_fd)
{
    g_autofree char *uri = g_strdup_printf("file:%s/nswitch-qtest-%d.mig",
                                           g_get_tmp_dir(), getpid());
    QTestState *dst;

    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_for_migration(src);
    dst = start_machine_with_uplink(card_options, "-incoming defer", dst_fd);
    /* Self-announcement RARPs would cross the switch: not during tests */
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-set-parameters', "
                             "'arguments': {'announce-rounds': 0}}");
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    wait_for_migration(dst);
    unlink(uri + strlen("file:"));
    return dst;
}

void map_vf_bars(QTestState *qts, uint16_t vfs)
{
    uint16_t cap = sriov_cap(qts);

    open_root_port_window(qts);
    ext_writel(qts, PF_DEVFN, cap + PCI_SRIOV_BAR + 16, VF_BAR4_BASE);
    ext_writel(qts, PF_DEVFN, cap + PCI_SRIOV_BAR + 20, 0);
    set_vfs(qts, vfs);
    for (uint16_t vf = 0; vf < vfs; vf++) {
        config_writel(qts, CARD_BUS, VF_DEVFN(vf), PCI_COMMAND,
                      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    }
}

/* Offset in BAR 4 of the function at @devfn's virtio structure @type. */
static uint32_t virtio_cap(QTestState *qts, uint8_t devfn, uint8_t type,
                           uint32_t *extra)
{
    uint8_t at = config_readl(qts, CARD_BUS, devfn, PCI_CAPABILITY_LIST);

    while (at) {
        uint32_t header = config_readl(qts, CARD_BUS, devfn, at);

        if ((header & 0xff) == PCI_CAP_ID_VNDR && (header >> 24) == type) {
            g_assert_cmpuint(config_readl(qts, CARD_BUS, devfn, at + 4) & 0xff,
                             ==, 4);
            if (extra) {
                *extra = config_readl(qts, CARD_BUS, devfn, at + 16);
            }
            return config_readl(qts, CARD_BUS, devfn, at + 8);
        }
        at = (header >> 8) & 0xfc;
    }
    g_assert_not_reached();
}

/* BAR 4 of VF @vf, or of the PF (PF_DRIVER), as the tests map it. */
static uint64_t bar4(int vf)
{
    return vf == PF_DRIVER ? MMIO_WINDOW : VF_BAR4_BASE + vf * VF_BAR4_SIZE;
}

static uint8_t devfn_of(int vf)
{
    return vf == PF_DRIVER ? PF_DEVFN : VF_DEVFN(vf);
}

uint64_t virtio_structure(QTestState *qts, int vf, uint8_t type,
                          uint32_t *extra)
{
    return bar4(vf) + virtio_cap(qts, devfn_of(vf), type, extra);
}

void driver_setup_queue(VfDriver *d, int index, uint64_t ram, uint16_t size)
{
    VirtqueueRings *q = &d->queue[index];
    uint16_t notify_off;

    g_assert_cmpuint(index, <, G_N_ELEMENTS(d->queue));
    q->size = size;
    q->next_avail = q->seen_used = 0;
    q->desc = ram;
    q->avail = ram + 16 * size;
    q->used = ROUND_UP(q->avail + 6 + 2 * size, 64);
    /* a driver starts from clean rings: an earlier one's are there */
    qtest_memset(d->qts, ram, 0, driver_queue_bytes(size));
    qtest_writew(d->qts, d->common + VIRTIO_PCI_COMMON_Q_SELECT, index);
    qtest_writew(d->qts, d->common + VIRTIO_PCI_COMMON_Q_SIZE, size);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_DESCLO, q->desc);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_DESCHI, 0);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_AVAILLO, q->avail);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_AVAILHI, 0);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_USEDLO, q->used);
    qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_Q_USEDHI, 0);
    notify_off = qtest_readw(d->qts, d->common + VIRTIO_PCI_COMMON_Q_NOFF);
    q->notify = d->notify_base + notify_off * d->notify_multiplier;
    qtest_writew(d->qts, d->common + VIRTIO_PCI_COMMON_Q_ENABLE, 1);
}

void driver_negotiate(VfDriver *d, QTestState *qts, uint8_t devfn,
                      uint64_t bar4_base, uint32_t features)
{
    uint8_t status;

    memset(d, 0, sizeof(*d));
    d->qts = qts;
    d->common = bar4_base + virtio_cap(qts, devfn, VIRTIO_PCI_CAP_COMMON_CFG,
                                       NULL);
    d->notify_base = bar4_base + virtio_cap(qts, devfn,
                                            VIRTIO_PCI_CAP_NOTIFY_CFG,
                                            &d->notify_multiplier);

    qtest_writeb(qts, d->common + VIRTIO_PCI_COMMON_STATUS, 0);
    qtest_writeb(qts, d->common + VIRTIO_PCI_COMMON_STATUS,
                 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    qtest_writel(qts, d->common + VIRTIO_PCI_COMMON_GFSELECT, 0);
    qtest_writel(qts, d->common + VIRTIO_PCI_COMMON_GF, features);
    qtest_writel(qts, d->common + VIRTIO_PCI_COMMON_GFSELECT, 1);
    qtest_writel(qts, d->common + VIRTIO_PCI_COMMON_GF,
                 1u << (VIRTIO_F_VERSION_1 - 32));
    qtest_writeb(qts, d->common + VIRTIO_PCI_COMMON_STATUS,
                 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                 VIRTIO_CONFIG_S_FEATURES_OK);
    status = qtest_readb(qts, d->common + VIRTIO_PCI_COMMON_STATUS);
    g_assert_true(status & VIRTIO_CONFIG_S_FEATURES_OK);
}

void driver_ready(VfDriver *d)
{
    qtest_writeb(d->qts, d->common + VIRTIO_PCI_COMMON_STATUS,
                 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

void function_driver_start(VfDriver *d, QTestState *qts, uint8_t devfn,
                           uint64_t bar4_base, uint64_t ram, uint32_t features)
{
    driver_negotiate(d, qts, devfn, bar4_base, features);
    d->buffers = ram + 0x1000;
    driver_setup_queue(d, RX_QUEUE, ram, QUEUE_SIZE);
    driver_setup_queue(d, TX_QUEUE, ram + 0x400, QUEUE_SIZE);
    if (features & (1u << VIRTIO_NET_F_CTRL_VQ)) {
        driver_setup_queue(d, CONTROL_QUEUE, ram + 0x800, QUEUE_SIZE);
    }
    driver_ready(d);
}

uint64_t offered_features(VfDriver *d)
{
    uint64_t features = 0;

    for (uint32_t word = 0; word < 2; word++) {
        qtest_writel(d->qts, d->common + VIRTIO_PCI_COMMON_DFSELECT, word);
        features |= (uint64_t)qtest_readl(d->qts,
                                          d->common + VIRTIO_PCI_COMMON_DF)
                    << (32 * word);
    }
    return features;
}

/* Starts the driver of VF @vf, or of the PF for PF_DRIVER. */
static void driver_start(VfDriver *d, QTestState *qts, int vf,
                         uint32_t features)
{
    function_driver_start(d, qts, devfn_of(vf), bar4(vf),
                          GUEST_RAM_BASE + vf * VF_RAM_SIZE, features);
}

void vf_driver_start_with_features(VfDriver *d, QTestState *qts, int vf,
                                   uint32_t features)
{
    driver_start(d, qts, vf, features);
}

void vf_driver_start(VfDriver *d, QTestState *qts, int vf)
{
    vf_driver_start_with_features(d, qts, vf, 0);
}

void map_pf_bar(QTestState *qts)
{
    config_writel(qts, CARD_BUS, PF_DEVFN, PCI_BASE_ADDRESS_4, MMIO_WINDOW);
    config_writel(qts, CARD_BUS, PF_DEVFN, PCI_BASE_ADDRESS_5, 0);
    config_writel(qts, CARD_BUS, PF_DEVFN, PCI_COMMAND,
                  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void pf_driver_start(VfDriver *d, QTestState *qts, uint32_t features)
{
    map_pf_bar(qts);
    driver_start(d, qts, PF_DRIVER, features);
}

void write_descriptor(VfDriver *d, int index, uint16_t slot, uint64_t addr,
                      uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t desc = d->queue[index].desc + 16 * slot;

    qtest_writeq(d->qts, desc, addr);
    qtest_writel(d->qts, desc + 8, len);
    qtest_writew(d->qts, desc + 12, flags);
    qtest_writew(d->qts, desc + 14, next);
}

void make_available(VfDriver *d, int index, uint16_t head)
{
    VirtqueueRings *q = &d->queue[index];

    qtest_writew(d->qts, q->avail + 4 + 2 * (q->next_avail % q->size),
                 head);
    q->next_avail++;
    qtest_writew(d->qts, q->avail + 2, q->next_avail);
    qtest_writew(d->qts, q->notify, index);
}

uint16_t used_index(VfDriver *d, int index)
{
    return qtest_readw(d->qts, d->queue[index].used + 2);
}

bool take_used(VfDriver *d, int index, uint32_t *id, uint32_t *len)
{
    VirtqueueRings *q = &d->queue[index];
    uint64_t entry = q->used + 4 + 8 * (q->seen_used % q->size);

    if (used_index(d, index) == q->seen_used) {
        return false;
    }
    if (id) {
        *id = qtest_readl(d->qts, entry);
    }
    if (len) {
        *len = qtest_readl(d->qts, entry + 4);
    }
    q->seen_used++;
    return true;
}

void queue_buffer(VfDriver *d, int index, uint64_t addr, uint32_t len,
                  bool device_writes)
{
    uint16_t slot = d->queue[index].next_avail % d->queue[index].size;

    write_descriptor(d, index, slot, addr, len,
                     device_writes ? VRING_DESC_F_WRITE : 0, 0);
    make_available(d, index, slot);
}

uint8_t vf_control(VfDriver *d, uint8_t class, uint8_t command,
                   const void *data, size_t len)
{
    VirtqueueRings *q = &d->queue[CONTROL_QUEUE];
    const uint64_t at = d->buffers + 0x2000;
    const uint8_t header[2] = { class, command };
    const struct {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
    } chain[3] = {
        { at, sizeof(header), VRING_DESC_F_NEXT },
        { at + 16, len, VRING_DESC_F_NEXT },
        { at + 16 + len, 1, VRING_DESC_F_WRITE },
    };
    uint16_t head = (q->next_avail * 3) % QUEUE_SIZE;

    g_assert_cmpuint(len, <=, 64);
    qtest_memwrite(d->qts, at, header, sizeof(header));
    qtest_memwrite(d->qts, at + 16, data, len);
    qtest_writeb(d->qts, at + 16 + len, 0xff);
    for (int i = 0; i < 3; i++) {
        uint16_t slot = (head + i) % QUEUE_SIZE;

        write_descriptor(d, CONTROL_QUEUE, slot, chain[i].addr, chain[i].len,
                         chain[i].flags, (slot + 1) % QUEUE_SIZE);
    }
    make_available(d, CONTROL_QUEUE, head);
    for (int tries = 0; tries < WAIT_STEPS; tries++) {
        if (take_used(d, CONTROL_QUEUE, NULL, NULL)) {
            return qtest_readb(d->qts, at + 16 + len);
        }
        if (qtest_readb(d->qts, d->common + VIRTIO_PCI_COMMON_STATUS) &
            VIRTIO_CONFIG_S_NEEDS_RESET) {
            return CONTROL_DEVICE_BROKEN;
        }
        g_usleep(WAIT_STEP_US);
    }
    g_assert_not_reached();
}

uint32_t wait_for_used(VfDriver *d, int index)
{
    uint32_t len;

    for (int tries = 0; tries < WAIT_STEPS; tries++) {
        if (take_used(d, index, NULL, &len)) {
            return len;
        }
        g_usleep(WAIT_STEP_US);
    }
    g_assert_not_reached();
}

bool queue_used_nothing(VfDriver *d, int index)
{
    return used_index(d, index) == d->queue[index].seen_used;
}

void post_rx_buffer(VfDriver *d)
{
    queue_buffer(d, RX_QUEUE, d->buffers, 2048, true);
}

size_t read_received(VfDriver *d, uint8_t *frame, size_t size)
{
    uint32_t len = wait_for_used(d, RX_QUEUE);

    g_assert_cmpuint(len, >=, VNET_HDR_LEN);
    g_assert_cmpuint(len - VNET_HDR_LEN, <=, size);
    qtest_memread(d->qts, d->buffers + VNET_HDR_LEN, frame,
                  len - VNET_HDR_LEN);
    return len - VNET_HDR_LEN;
}

size_t receive_frame(VfDriver *d, uint8_t *frame, size_t size)
{
    post_rx_buffer(d);
    return read_received(d, frame, size);
}

void assert_received(VfDriver *d, const uint8_t *frame, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);

    g_assert_cmpuint(read_received(d, got, len), ==, len);
    g_assert_cmpmem(got, len, frame, len);
}

void assert_receives(VfDriver *d, const uint8_t *frame, size_t len)
{
    post_rx_buffer(d);
    assert_received(d, frame, len);
}

uint8_t next_marker(VfDriver *d, size_t len)
{
    uint8_t got[128];

    g_assert_cmpuint(receive_frame(d, got, sizeof(got)), ==, len);
    return got[len - 1];
}

void vf_send_with_header(VfDriver *d, const struct virtio_net_hdr *hdr,
                         const uint8_t *frame, size_t len)
{
    uint8_t packet[VNET_HDR_LEN + 128] = { 0 };
    uint64_t addr = d->buffers + 0x1000;

    g_assert_cmpuint(len, <=, 128);
    memcpy(packet, hdr, sizeof(*hdr));
    memcpy(packet + VNET_HDR_LEN, frame, len);
    qtest_memwrite(d->qts, addr, packet, VNET_HDR_LEN + len);
    queue_buffer(d, TX_QUEUE, addr, VNET_HDR_LEN + len, false);
    wait_for_used(d, TX_QUEUE);
}

void vf_send(VfDriver *d, const uint8_t *frame, size_t len)
{
    static const struct virtio_net_hdr no_offload;

    vf_send_with_header(d, &no_offload, frame, len);
}

void vf_queue_from(VfDriver *d, uint64_t addr,
                   const struct virtio_net_hdr *hdr, const uint8_t *frame,
                   size_t len)
{
    static const struct virtio_net_hdr no_offload;
    uint8_t header[VNET_HDR_LEN] = { 0 };

    g_assert_cmpuint(VNET_HDR_LEN + len, <=, BIG_FRAME_AREA_SIZE);
    memcpy(header, hdr ? hdr : &no_offload, sizeof(*hdr));
    qtest_memwrite(d->qts, addr, header, VNET_HDR_LEN);
    qtest_memwrite(d->qts, addr + VNET_HDR_LEN, frame, len);
    queue_buffer(d, TX_QUEUE, addr, VNET_HDR_LEN + len, false);
}

void vf_send_from(VfDriver *d, uint64_t addr,
                  const struct virtio_net_hdr *hdr, const uint8_t *frame,
                  size_t len)
{
    vf_queue_from(d, addr, hdr, frame, len);
    wait_for_used(d, TX_QUEUE);
}

void card_drive(Card *c, QTestState *qts, int vfs)
{
    g_assert_cmpint(vfs, <=, CARD_MAX_VFS);
    memset(c, 0, sizeof(*c));
    c->qts = qts;
    c->uplink_fd = -1;
    if (vfs) {
        map_vf_bars(qts, vfs);
    }
    for (int vf = 0; vf < vfs; vf++) {
        vf_driver_start(&c->vf[vf], qts, vf);
        vf_mac(c->mac[vf], vf);
    }
}

void card_start_machine(Card *c, const char *card_options,
                        const char *machine_options, int vfs)
{
    int fd;
    QTestState *qts = start_machine_with_uplink(card_options,
                                                machine_options, &fd);

    prepare_machine(qts);
    card_drive(c, qts, vfs);
    c->uplink_fd = fd;
}

void card_start(Card *c, const char *card_options, int vfs)
{
    card_start_machine(c, card_options, "", vfs);
}

void card_stop(Card *c)
{
    if (c->uplink_fd >= 0) {
        close(c->uplink_fd);
    }
    qtest_quit(c->qts);
}

void assert_bottom_halves_ran(Card *c, int from, int to)
{
    uint8_t frame[60];

    make_frame(frame, c->mac[to], c->mac[from], 0x2b);
    vf_send(&c->vf[from], frame, sizeof(frame));
    assert_receives(&c->vf[to], frame, sizeof(frame));
}

void make_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                uint8_t marker)
{
    memset(frame, marker, 60);
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    frame[12] = 0x88;
    frame[13] = 0xb5;
}

void uplink_send(int fd, const uint8_t *frame, size_t len)
{
    uint32_t be_len = htonl(len);

    g_assert_cmpint(write(fd, &be_len, 4), ==, 4);
    g_assert_cmpint(write(fd, frame, len), ==, (ssize_t)len);
}

size_t uplink_receive(int fd, uint8_t *frame, size_t size, int ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    uint32_t be_len;
    size_t len;

    if (poll(&pfd, 1, ms) != 1) {
        return 0;
    }
    g_assert_cmpint(recv(fd, &be_len, 4, MSG_WAITALL), ==, 4);
    len = ntohl(be_len);
    g_assert_cmpuint(len, <=, size);
    g_assert_cmpint(recv(fd, frame, len, MSG_WAITALL), ==, (ssize_t)len);
    return len;
}

void assert_uplink_next(int fd, const uint8_t *frame, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);

    g_assert_cmpuint(uplink_receive(fd, got, len, 5000), ==, len);
    g_assert_cmpmem(got, len, frame, len);
}

void assert_device_add_fails(const char *options, const char *needle)
{
    QTestState *qts = qtest_init(MACHINE_ARGS
        " -device pcie-root-port,id=rp1,bus=pcie.0,chassis=2,addr=0x3");
    g_autofree char *json = g_strdup_printf(
        "{'driver': 'nswitch-nic', 'id': 'bad', %s}", options);
    QObject *args = qobject_from_json(json, &error_abort);
    QDict *rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}",
                           args);

    assert_error_mentions(rsp, needle, json);
    qtest_quit(qts);
}

void assert_device_add_fails_on_rp1(const char *options,
                                    const char *needle)
{
    g_autofree char *with_bus = g_strdup_printf("'bus': 'rp1', %s", options);

    assert_device_add_fails(with_bus, needle);
}

static uint8_t root_port_express_cap(QTestState *qts)
{
    uint8_t at = config_readl(qts, 0, ROOT_PORT_DEVFN, PCI_CAPABILITY_LIST);

    while (at) {
        uint32_t header = config_readl(qts, 0, ROOT_PORT_DEVFN, at);

        if ((header & 0xff) == PCI_CAP_ID_EXP) {
            return at;
        }
        at = (header >> 8) & 0xfc;
    }
    g_assert_not_reached();
}

void power_off_slot(QTestState *qts)
{
    uint8_t cap = root_port_express_cap(qts);
    uint16_t control = config_readl(qts, 0, ROOT_PORT_DEVFN,
                                    cap + PCI_EXP_SLTCTL) & 0xffff;

    /* the status half is write-1-to-clear: left alone */
    config_writel(qts, 0, ROOT_PORT_DEVFN, cap + PCI_EXP_SLTCTL,
                  control | PCI_EXP_SLTCTL_PWR_IND_OFF |
                  PCI_EXP_SLTCTL_PWR_OFF);
}

static bool no_card_left(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'query-nswitch'}");
    bool gone = qlist_empty(qdict_get_qlist(rsp, "return"));

    qobject_unref(rsp);
    return gone;
}

void wait_until_no_card(QTestState *qts)
{
    for (int tries = 0; tries < WAIT_STEPS && !no_card_left(qts); tries++) {
        g_usleep(WAIT_STEP_US);
    }
    g_assert_true(no_card_left(qts));
}
