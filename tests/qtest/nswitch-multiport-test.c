/*
 * QTest for the multi-port nswitch-nic (the paper's Design 2): the PFs of
 * one card at functions 0.. of a slot, their SR-IOV capabilities and the
 * routing IDs of their VFs
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/card.h"

/* Bit 7 of the header type: the slot has functions after 0. */
#define HEADER_TYPE_MULTI_FUNCTION 0x80

/* Port 0 with ports=2 at 0.0, port 1 at 0.1. */
static QTestState *start_two_ports(const char *options)
{
    QTestState *qts = qtest_initf(MACHINE_ARGS
        " -device nswitch-nic,id=port0,bus=rp0,addr=0.0,ports=2%s"
        " -device nswitch-nic,id=port1,bus=rp0,addr=0.1%s", options, options);

    prepare_machine(qts);
    return qts;
}

static uint16_t port_sriov(QTestState *qts, uint8_t pf, uint16_t reg)
{
    uint16_t cap = find_ext_cap(qts, pf, PCI_EXT_CAP_ID_SRIOV);

    g_assert_cmpuint(cap, !=, 0);
    return ext_readw(qts, pf, cap + reg);
}

static void set_port_vfs(QTestState *qts, uint8_t pf, uint16_t count)
{
    uint16_t cap = find_ext_cap(qts, pf, PCI_EXT_CAP_ID_SRIOV);

    ext_writew(qts, pf, cap + PCI_SRIOV_CTRL, 0);
    if (count) {
        ext_writew(qts, pf, cap + PCI_SRIOV_NUM_VF, count);
        ext_writew(qts, pf, cap + PCI_SRIOV_CTRL,
                   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
    }
}

/* A VF's vendor and device IDs read 0xffff (SR-IOV), its class does not. */
static bool function_present(QTestState *qts, uint8_t devfn)
{
    return config_readl(qts, CARD_BUS, devfn, PCI_CLASS_REVISION) !=
           0xffffffff;
}

/* The routing ID of VF @vf of PF @pf as the guest computes it. */
static uint8_t vf_routing_id(QTestState *qts, uint8_t pf, uint16_t vf)
{
    return pf + port_sriov(qts, pf, PCI_SRIOV_VF_OFFSET) +
           vf * port_sriov(qts, pf, PCI_SRIOV_VF_STRIDE);
}

static void test_ports_are_functions_of_one_slot(void)
{
    QTestState *qts = start_two_ports(",vfs=3,ari=on");
    uint32_t header = config_readl(qts, CARD_BUS, 0, PCI_CACHE_LINE_SIZE);

    for (uint8_t pf = 0; pf < 2; pf++) {
        uint32_t id = config_readl(qts, CARD_BUS, pf, PCI_VENDOR_ID);

        g_assert_cmphex(id & 0xffff, ==, VIRTIO_PCI_VENDOR_ID);
        g_assert_cmphex(id >> 16, ==, VIRTIO_NET_MODERN_DEVICE_ID);
        g_assert_cmpuint(port_sriov(qts, pf, PCI_SRIOV_TOTAL_VF), ==, 3);
    }
    /* Function 0 says the slot has more functions. */
    g_assert_true((header >> 16) & HEADER_TYPE_MULTI_FUNCTION);
    qtest_quit(qts);
}

static void test_ari_routing_ids_do_not_collide(void)
{
    QTestState *qts = start_two_ports(",vfs=3,ari=on");
    uint16_t ari0 = find_ext_cap(qts, 0, PCI_EXT_CAP_ID_ARI);
    uint16_t ari1 = find_ext_cap(qts, 1, PCI_EXT_CAP_ID_ARI);

    /* PF 0's VFs follow both PFs, PF 1's follow PF 0's VFs. */
    g_assert_cmpuint(port_sriov(qts, 0, PCI_SRIOV_VF_OFFSET), ==, 2);
    g_assert_cmpuint(port_sriov(qts, 1, PCI_SRIOV_VF_OFFSET), ==, 4);
    g_assert_cmpuint(port_sriov(qts, 0, PCI_SRIOV_VF_STRIDE), ==, 1);
    g_assert_cmpuint(port_sriov(qts, 1, PCI_SRIOV_VF_STRIDE), ==, 1);
    /* The ARI Next Function Numbers chain the PFs: 0 -> 1 -> end. */
    g_assert_cmpuint(ari0, !=, 0);
    g_assert_cmpuint(ari1, !=, 0);
    g_assert_cmpuint(ext_readw(qts, 0, ari0 + PCI_ARI_CAP) >> 8, ==, 1);
    g_assert_cmpuint(ext_readw(qts, 1, ari1 + PCI_ARI_CAP) >> 8, ==, 0);

    /* Enabled one PF at a time, each PF's VFs appear where it says. */
    set_port_vfs(qts, 1, 3);
    for (uint16_t vf = 0; vf < 3; vf++) {
        g_assert_cmpuint(vf_routing_id(qts, 1, vf), ==, 5 + vf);
        g_assert_true(function_present(qts, 5 + vf));
        g_assert_false(function_present(qts, 2 + vf));
    }
    set_port_vfs(qts, 0, 3);
    for (uint16_t vf = 0; vf < 3; vf++) {
        g_assert_cmpuint(vf_routing_id(qts, 0, vf), ==, 2 + vf);
        g_assert_true(function_present(qts, 2 + vf));
    }
    g_assert_false(function_present(qts, 8));
    set_port_vfs(qts, 0, 0);
    g_assert_false(function_present(qts, 2));
    g_assert_true(function_present(qts, 5));
    qtest_quit(qts);
}

static void test_vfs_fit_the_slot_without_ari(void)
{
    QTestState *qts = start_two_ports(",vfs=3");

    g_assert_cmpuint(find_ext_cap(qts, 0, PCI_EXT_CAP_ID_ARI), ==, 0);
    g_assert_cmpuint(port_sriov(qts, 0, PCI_SRIOV_VF_OFFSET), ==, 2);
    g_assert_cmpuint(port_sriov(qts, 1, PCI_SRIOV_VF_OFFSET), ==, 4);
    set_port_vfs(qts, 0, 3);
    set_port_vfs(qts, 1, 3);
    for (uint8_t devfn = 2; devfn < 8; devfn++) {
        g_assert_true(function_present(qts, devfn));
    }
    qtest_quit(qts);
}

static QDict *card_of_port(QList *cards, int64_t pf_number)
{
    QListEntry *entry;

    QLIST_FOREACH_ENTRY(cards, entry) {
        QDict *card = qobject_to(QDict, qlist_entry_obj(entry));

        if (qdict_get_int(card, "pf-number") == pf_number) {
            return card;
        }
    }
    g_assert_not_reached();
}

/* VF i of PF p: OUI:p:hi(i+1):lo(i+1), each port its own OUI. */
static void test_each_port_has_its_group_and_mac_scheme(void)
{
    QTestState *qts = start_two_ports(",vfs=2,ari=on");
    QDict *rsp;
    QList *cards;

    set_port_vfs(qts, 0, 2);
    set_port_vfs(qts, 1, 2);
    rsp = qtest_qmp(qts, "{'execute': 'query-nswitch'}");
    cards = qdict_get_qlist(rsp, "return");
    g_assert_cmpuint(qlist_size(cards), ==, 2);
    for (int64_t pf = 0; pf < 2; pf++) {
        QDict *card = card_of_port(cards, pf);
        g_autofree char *oui = g_strdup_printf("02:6e:%02x", (int)pf);
        g_autofree char *vf1 = g_strdup_printf("%s:%02x:00:02", oui, (int)pf);
        QListEntry *entry;
        bool found = false;

        g_assert_cmpstr(qdict_get_str(card, "oui"), ==, oui);
        QLIST_FOREACH_ENTRY(qdict_get_qlist(card, "relay-table"), entry) {
            QDict *relay = qobject_to(QDict, qlist_entry_obj(entry));

            found |= !strcmp(qdict_get_str(relay, "mac"), vf1);
        }
        g_assert_true(found);
    }
    qobject_unref(rsp);
    qtest_quit(qts);
}

/*
 * A card of two ports with two VFs each (ARI), each port with its uplink
 * socket, and a driver on every VF: vf[p][i] is VF i of PF p.
 */
#define PORTS 2
#define PORT_VFS 2
/* The card port comes after the VFs on each port's switch. */
#define CARD_PORT VF_PORT(PORT_VFS)

typedef struct TwoPortCard {
    QTestState *qts;
    int uplink[PORTS];
    VfDriver vf[PORTS][PORT_VFS];
} TwoPortCard;

/* VF @vf of PF @pf: OUI 02:6e:pf, then pf, then vf + 1. */
static void port_vf_mac(uint8_t mac[6], int pf, int vf)
{
    const uint8_t scheme[6] = { 0x02, 0x6e, pf, pf, 0, vf + 1 };

    memcpy(mac, scheme, 6);
}

/* The machine, with @options on both PFs and @machine_options. */
static void two_port_card_machine(TwoPortCard *c, const char *options,
                                  const char *machine_options)
{
    int sv[PORTS][2];

    for (int pf = 0; pf < PORTS; pf++) {
        g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv[pf]), ==, 0);
        c->uplink[pf] = sv[pf][0];
    }
    c->qts = qtest_initf(MACHINE_ARGS
        " -netdev socket,fd=%d,id=uplink0 -netdev socket,fd=%d,id=uplink1"
        " -device nswitch-nic,id=port0,bus=rp0,addr=0.0,ports=2,vfs=%d,"
        "ari=on,netdev=uplink0%s"
        " -device nswitch-nic,id=port1,bus=rp0,addr=0.1,vfs=%d,ari=on,"
        "netdev=uplink1%s %s", sv[0][1], sv[1][1], PORT_VFS, options,
        PORT_VFS, options, machine_options);
    for (int pf = 0; pf < PORTS; pf++) {
        close(sv[pf][1]);
    }
}

static void two_port_card_start_with(TwoPortCard *c, const char *options,
                                     const char *machine_options)
{
    two_port_card_machine(c, options, machine_options);
    prepare_machine(c->qts);
    open_root_port_window(c->qts);
    for (int pf = 0; pf < PORTS; pf++) {
        uint16_t cap = find_ext_cap(c->qts, pf, PCI_EXT_CAP_ID_SRIOV);
        uint64_t bars = VF_BAR4_BASE + pf * PORT_VFS * VF_BAR4_SIZE;

        ext_writel(c->qts, pf, cap + PCI_SRIOV_BAR + 16, bars);
        ext_writel(c->qts, pf, cap + PCI_SRIOV_BAR + 20, 0);
        set_port_vfs(c->qts, pf, PORT_VFS);
        for (int vf = 0; vf < PORT_VFS; vf++) {
            uint8_t devfn = vf_routing_id(c->qts, pf, vf);

            config_writel(c->qts, CARD_BUS, devfn, PCI_COMMAND,
                          PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
            function_driver_start(&c->vf[pf][vf], c->qts, devfn,
                                  bars + vf * VF_BAR4_SIZE,
                                  GUEST_RAM_BASE +
                                  (pf * PORT_VFS + vf) * VF_RAM_SIZE, 0);
        }
    }
}

static void two_port_card_start(TwoPortCard *c, const char *options)
{
    two_port_card_start_with(c, options, "");
}

static void close_uplinks(TwoPortCard *c)
{
    for (int pf = 0; pf < PORTS; pf++) {
        close(c->uplink[pf]);
    }
}

/* Every frame is accounted for on each port's switch, and then stops. */
static void two_port_card_stop(TwoPortCard *c)
{
    for (int pf = 0; pf < PORTS; pf++) {
        QDict *rsp, *card = query_port_card(c->qts, pf, &rsp);

        assert_card_accounted(card);
        qobject_unref(rsp);
    }
    close_uplinks(c);
    qtest_quit(c->qts);
}

static void send_between(VfDriver *from, const uint8_t *dst,
                         const uint8_t *src, uint8_t marker, uint8_t *frame)
{
    make_frame(frame, dst, src, marker);
    vf_send(from, frame, 60);
}

/* VF @from_vf of port @from_pf sends to VF @to_vf of port @to_pf: arrives. */
static void assert_reaches(TwoPortCard *c, int from_pf, int from_vf,
                           int to_pf, int to_vf, uint8_t marker)
{
    uint8_t src[6], dst[6], frame[60];

    port_vf_mac(src, from_pf, from_vf);
    port_vf_mac(dst, to_pf, to_vf);
    post_rx_buffer(&c->vf[to_pf][to_vf]);
    send_between(&c->vf[from_pf][from_vf], dst, src, marker, frame);
    assert_received(&c->vf[to_pf][to_vf], frame, sizeof(frame));
}

/*
 * VF @from_vf of port @from_pf sends @frame to VF @to_vf of port @to_pf:
 * it leaves by the sender's uplink.
 */
static void assert_leaves_by_uplink(TwoPortCard *c, int from_pf, int from_vf,
                                    int to_pf, int to_vf, uint8_t marker,
                                    uint8_t *frame)
{
    uint8_t src[6], dst[6];

    port_vf_mac(src, from_pf, from_vf);
    port_vf_mac(dst, to_pf, to_vf);
    send_between(&c->vf[from_pf][from_vf], dst, src, marker, frame);
    assert_uplink_next(c->uplink[from_pf], frame, 60);
}

static void set_relay(TwoPortCard *c, const char *port, bool enable)
{
    qmp_ok(c->qts, "{'execute': 'nswitch-inter-port-relay-set', 'arguments': "
           "{'device': '%s', 'enable': %s}}", port, enable ? "true" : "false");
}

/*
 * Frames leave an uplink in order: nothing that should have stayed in
 * the card left by PF @pf's uplink before this frame for outside did.
 */
static void assert_uplink_saw_nothing(TwoPortCard *c, int pf, uint8_t marker)
{
    uint8_t src[6], frame[60];

    port_vf_mac(src, pf, 0);
    send_between(&c->vf[pf][0], outside_mac, src, marker, frame);
    assert_uplink_next(c->uplink[pf], frame, sizeof(frame));
}

static void assert_hmp_says(QTestState *qts, const char *needle)
{
    g_autofree char *out = qtest_hmp(qts, "info nswitch");

    if (!strstr(out, needle)) {
        g_error("'info nswitch' does not say '%s':\n%s", needle, out);
    }
}

/* The paper's path across ports: PF 0's switch hands it to PF 1's. */
static void test_inter_port_relay_stays_in_the_card(void)
{
    TwoPortCard c;
    QDict *rsp, *card;

    two_port_card_start(&c, "");
    assert_reaches(&c, 0, 0, 1, 1, 0x11);
    /* And back, to PF 0's other VF. */
    assert_reaches(&c, 1, 1, 0, 1, 0x12);
    assert_uplink_saw_nothing(&c, 0, 0x13);
    assert_uplink_saw_nothing(&c, 1, 0x14);

    for (int pf = 0; pf < PORTS; pf++) {
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "inter-port"), ==, 2);
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "hairpinned"), ==, 0);
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "to-uplink"), ==, 1);
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "from-uplink"), ==, 0);
        g_assert_cmpint(pf_counter(c.qts, pf, CARD_PORT, "tx-frames"), ==, 1);
        g_assert_cmpint(pf_counter(c.qts, pf, CARD_PORT, "rx-frames"), ==, 1);
    }
    card = query_port_card(c.qts, 1, &rsp);
    g_assert_cmpint(qdict_get_int(card, "card-ports"), ==, 2);
    g_assert_true(qdict_get_bool(card, "inter-port-relay"));
    g_assert_cmpstr(qdict_get_str(card, "card"), ==,
                    "/machine/peripheral/port0");
    g_assert_cmpstr(qdict_get_str(card_port(card, CARD_PORT), "kind"), ==,
                    "card");
    g_assert_false(qdict_haskey(card_port(card, CARD_PORT), "mac"));
    qobject_unref(rsp);
    assert_hmp_says(c.qts, "port 1 of 2 of card /machine/peripheral/port0, "
                    "inter-port relay on");
    assert_hmp_says(c.qts, " 2 inter-port, ");
    assert_hmp_says(c.qts, "     4 card   -");
    two_port_card_stop(&c);
}

/* Broadcast domains stay per port; unknown destinations leave. */
static void test_floods_and_unknowns_do_not_cross_ports(void)
{
    TwoPortCard c;
    uint8_t src[6], dst[6], frame[60], out[60];

    two_port_card_start(&c, "");
    port_vf_mac(src, 0, 0);
    post_rx_buffer(&c.vf[1][0]);
    post_rx_buffer(&c.vf[0][1]);
    send_between(&c.vf[0][0], broadcast_mac, src, 0x21, frame);
    assert_received(&c.vf[0][1], frame, sizeof(frame));
    assert_uplink_next(c.uplink[0], frame, sizeof(frame));
    /* To a VF that PF 1 does not have: out of PF 0's uplink. */
    port_vf_mac(dst, 1, 9);
    send_between(&c.vf[0][0], dst, src, 0x22, out);
    assert_uplink_next(c.uplink[0], out, sizeof(out));
    /* PF 1's VF 0 got neither: the next frame it gets is this one. */
    port_vf_mac(dst, 1, 0);
    send_between(&c.vf[0][0], dst, src, 0x23, frame);
    assert_received(&c.vf[1][0], frame, sizeof(frame));
    assert_uplink_saw_nothing(&c, 1, 0x24);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "inter-port"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "flooded"), ==, 0);
    two_port_card_stop(&c);
}

/*
 * Relay off, for the comparison: the frame leaves by PF 0's uplink, as
 * between two cards, and an external switch brings it to PF 1's.
 */
static void test_relay_off_goes_through_the_uplinks(void)
{
    TwoPortCard c;
    uint8_t src[6], dst[6], frame[60];
    QDict *rsp, *card;

    two_port_card_start(&c, "");
    set_relay(&c, "port0", false);
    card = query_port_card(c.qts, 0, &rsp);
    g_assert_false(qdict_get_bool(card, "inter-port-relay"));
    qobject_unref(rsp);
    assert_leaves_by_uplink(&c, 0, 0, 1, 1, 0x31, frame);
    post_rx_buffer(&c.vf[1][1]);
    uplink_send(c.uplink[1], frame, sizeof(frame));
    assert_received(&c.vf[1][1], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "to-uplink"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "from-uplink"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "inter-port"), ==, 0);
    /* PF 1 still relays its own frames inside the card. */
    port_vf_mac(src, 1, 1);
    port_vf_mac(dst, 0, 1);
    post_rx_buffer(&c.vf[0][1]);
    send_between(&c.vf[1][1], dst, src, 0x32, frame);
    assert_received(&c.vf[0][1], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "inter-port"), ==, 1);
    two_port_card_stop(&c);
}

/* The property sets it at start; VEPA never relays inside the card. */
static void test_relay_property_and_vepa(void)
{
    TwoPortCard c;
    uint8_t frame[60];

    two_port_card_start(&c, ",inter-port-relay=off,mode=vepa");
    assert_leaves_by_uplink(&c, 1, 0, 0, 0, 0x41, frame);
    set_relay(&c, "port1", true);
    assert_leaves_by_uplink(&c, 1, 0, 0, 0, 0x42, frame);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "inter-port"), ==, 0);
    /* The external switch sends it back by the receiver's uplink. */
    post_rx_buffer(&c.vf[0][0]);
    uplink_send(c.uplink[0], frame, sizeof(frame));
    assert_received(&c.vf[0][0], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "from-uplink"), ==, 1);
    two_port_card_stop(&c);
}

/* inter-port-relay=off on one port: its frames for the other leave. */
static void test_relay_property_on_one_port(void)
{
    TwoPortCard c;
    QDict *rsp, *card;
    uint8_t frame[60];

    two_port_card_start_with(&c, "", "-set device.port0.inter-port-relay=off");
    card = query_port_card(c.qts, 0, &rsp);
    g_assert_false(qdict_get_bool(card, "inter-port-relay"));
    qobject_unref(rsp);
    card = query_port_card(c.qts, 1, &rsp);
    g_assert_true(qdict_get_bool(card, "inter-port-relay"));
    qobject_unref(rsp);
    assert_leaves_by_uplink(&c, 0, 0, 1, 0, 0x45, frame);
    /* Port 1 still relays its own frames inside the card. */
    assert_reaches(&c, 1, 0, 0, 1, 0x46);
    assert_uplink_saw_nothing(&c, 1, 0x47);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "inter-port"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "to-uplink"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "inter-port"), ==, 1);
    two_port_card_stop(&c);
}

/*
 * veb on port 0 only: it hairpins by exact MAC within the port, and
 * neither port relays to it or from it (a peer must be in nswitch mode).
 */
static void test_veb_on_one_port(void)
{
    TwoPortCard c;
    uint8_t frame[60];

    two_port_card_start_with(&c, "", "-set device.port0.mode=veb");
    assert_reaches(&c, 0, 0, 0, 1, 0x48);
    assert_leaves_by_uplink(&c, 0, 0, 1, 1, 0x49, frame);
    assert_leaves_by_uplink(&c, 1, 1, 0, 0, 0x4a, frame);
    for (int pf = 0; pf < PORTS; pf++) {
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "inter-port"), ==, 0);
        g_assert_cmpint(pf_counter(c.qts, pf, PATHS, "to-uplink"), ==, 1);
    }
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "hairpinned"), ==, 1);
    two_port_card_stop(&c);
}

/*
 * Migration carries every port: its counters, the card port's, and the
 * relay setting; the destination relays as the source did.
 */
static void test_migration_carries_every_port(void)
{
    g_autofree char *uri = g_strdup_printf("file:%s/nswitch-multiport-%d.mig",
                                           g_get_tmp_dir(), getpid());
    TwoPortCard c, dst;
    uint8_t src[6], to[6], frame[60];

    two_port_card_start(&c, "");
    port_vf_mac(src, 0, 0);
    port_vf_mac(to, 1, 1);
    post_rx_buffer(&c.vf[1][1]);
    send_between(&c.vf[0][0], to, src, 0x51, frame);
    assert_received(&c.vf[1][1], frame, sizeof(frame));
    set_relay(&c, "port1", false);
    qtest_qmp_assert_success(c.qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_for_migration(c.qts);

    two_port_card_machine(&dst, "", "-incoming defer");
    qtest_qmp_assert_success(dst.qts, "{'execute': 'migrate-set-parameters', "
                             "'arguments': {'announce-rounds': 0}}");
    qtest_qmp_assert_success(dst.qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    wait_for_migration(dst.qts);
    unlink(uri + strlen("file:"));
    /* The drivers go on where they were, in the destination's RAM. */
    memcpy(dst.vf, c.vf, sizeof(dst.vf));
    for (int pf = 0; pf < PORTS; pf++) {
        for (int vf = 0; vf < PORT_VFS; vf++) {
            dst.vf[pf][vf].qts = dst.qts;
        }
        g_assert_cmpint(pf_counter(dst.qts, pf, PATHS, "inter-port"), ==, 1);
    }
    g_assert_cmpint(pf_counter(dst.qts, 0, CARD_PORT, "tx-frames"), ==, 1);
    g_assert_cmpint(pf_counter(dst.qts, 1, CARD_PORT, "rx-frames"), ==, 1);

    post_rx_buffer(&dst.vf[1][1]);
    send_between(&dst.vf[0][0], to, src, 0x52, frame);
    assert_received(&dst.vf[1][1], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(dst.qts, 1, PATHS, "inter-port"), ==, 2);
    /* Port 1 still sends out of its uplink, as it was set to. */
    port_vf_mac(src, 1, 0);
    port_vf_mac(to, 0, 0);
    send_between(&dst.vf[1][0], to, src, 0x53, frame);
    assert_uplink_next(dst.uplink[1], frame, sizeof(frame));
    two_port_card_stop(&dst);
    close_uplinks(&c);
    qtest_quit(c.qts);
}

/*
 * Each port's policy is its own: a frame relayed from port 0 meets port
 * 1's ACL and capture as if it came in by port 1's uplink, and port 0's
 * setting changes nothing on port 1.
 */
static void test_policies_apply_per_port(void)
{
    g_autofree char *pcap = g_strdup_printf("%s/nswitch-multiport-%d.pcap",
                                            g_get_tmp_dir(), getpid());
    TwoPortCard c;
    uint8_t src[6], dst[6], frame[60];
    int64_t lost, rule;

    two_port_card_start(&c, "");
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-capture-start', "
                             "'arguments': {'device': 'port1', "
                             "'file': %s}}", pcap);
    port_vf_mac(src, 0, 0);
    port_vf_mac(dst, 1, 1);
    post_rx_buffer(&c.vf[1][1]);
    send_between(&c.vf[0][0], dst, src, 0x71, frame);
    assert_received(&c.vf[1][1], frame, sizeof(frame));
    g_assert_cmpint(capture_stop(c.qts, "port1", &lost), ==, 1);
    g_assert_cmpint(lost, ==, 0);

    /* Port 1's mirror copies what it delivers to its VF 1 to its VF 0. */
    qmp_ok(c.qts, "{'execute': 'nswitch-mirror-start', 'arguments': "
           "{'device': 'port1', 'monitor-vf': 0, 'vf': 1}}");
    post_rx_buffer(&c.vf[1][0]);
    post_rx_buffer(&c.vf[1][1]);
    send_between(&c.vf[0][0], dst, src, 0x75, frame);
    assert_received(&c.vf[1][1], frame, sizeof(frame));
    assert_received(&c.vf[1][0], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "mirrored"), ==, 1);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "mirrored"), ==, 0);
    qmp_ok(c.qts, "{'execute': 'nswitch-mirror-stop', 'arguments': "
           "{'device': 'port1'}}");

    /* Port 1 refuses port 0's group; port 0's own hairpin goes on. */
    rule = acl_add(c.qts, "port1", "'action': 'drop', 'src': '02:6e:00'");
    send_between(&c.vf[0][0], dst, src, 0x72, frame);
    wait_for_pf_counter(c.qts, 1, PATHS, "dropped.acl", 1);
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "inter-port"), ==, 3);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "inter-port"), ==, 2);
    port_vf_mac(dst, 0, 1);
    post_rx_buffer(&c.vf[0][1]);
    send_between(&c.vf[0][0], dst, src, 0x73, frame);
    assert_received(&c.vf[0][1], frame, sizeof(frame));
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "dropped.acl"), ==, 0);

    qmp_ok(c.qts, "{'execute': 'nswitch-acl-remove', 'arguments': "
           "{'device': 'port1', 'rule': %" PRId64 "}}", rule);

    /* Port VLANs: port 0's VF 0 in VLAN 10, port 1's VF 0 in VLAN 20. */
    qmp_ok(c.qts, "{'execute': 'nswitch-vf-set', 'arguments': "
           "{'device': 'port0', 'vf': 0, 'vlan': 10}}");
    qmp_ok(c.qts, "{'execute': 'nswitch-vf-set', 'arguments': "
           "{'device': 'port1', 'vf': 0, 'vlan': 20}}");
    port_vf_mac(dst, 1, 0);
    send_between(&c.vf[0][0], dst, src, 0x74, frame);
    wait_for_pf_counter(c.qts, 1, VF_PORT(0), "dropped.vlan", 1);
    unlink(pcap);
    two_port_card_stop(&c);
}

/* Each port's uplink has its own speed: port 0's cap is not port 1's. */
static void test_uplink_speed_is_per_port(void)
{
    uint8_t frame[1500] = { 0 };
    TwoPortCard c;

    two_port_card_start_with(&c, "", "-set device.port0.uplink-speed=1");
    frame[12] = 0x88;
    frame[13] = 0xb5;
    memcpy(frame, outside_mac, 6);
    /* 60 frames of 1500 bytes overrun 1 Mbit/s's 64 KiB burst. */
    for (int pf = 0; pf < PORTS; pf++) {
        port_vf_mac(frame + 6, pf, 0);
        for (int i = 0; i < 60; i++) {
            vf_send_from(&c.vf[pf][0], BIG_FRAME_AREA, NULL, frame,
                         sizeof(frame));
        }
    }
    g_assert_cmpint(pf_counter(c.qts, 0, PATHS, "dropped.uplink-rate"), >, 0);
    g_assert_cmpint(pf_counter(c.qts, 0, UPLINK_PORT, "tx-frames"), <, 60);
    g_assert_cmpint(pf_counter(c.qts, 1, PATHS, "dropped.uplink-rate"), ==, 0);
    g_assert_cmpint(pf_counter(c.qts, 1, UPLINK_PORT, "tx-frames"), ==, 60);
    two_port_card_stop(&c);
}

static uint8_t express_cap(QTestState *qts, uint8_t devfn)
{
    uint8_t at = config_readl(qts, CARD_BUS, devfn, PCI_CAPABILITY_LIST);

    while (at) {
        uint32_t header = config_readl(qts, CARD_BUS, devfn, at);

        if ((header & 0xff) == PCI_CAP_ID_EXP) {
            return at;
        }
        at = (header >> 8) & 0xfc;
    }
    g_assert_not_reached();
}

/* A Function Level Reset of port 1 takes its VFs off, not port 0's. */
static void test_reset_of_one_port(void)
{
    TwoPortCard c;
    uint8_t src[6], dst[6], frame[60];
    uint8_t cap;
    uint16_t control;

    two_port_card_start(&c, "");
    port_vf_mac(src, 0, 0);
    port_vf_mac(dst, 1, 1);
    post_rx_buffer(&c.vf[1][1]);
    send_between(&c.vf[0][0], dst, src, 0x81, frame);
    assert_received(&c.vf[1][1], frame, sizeof(frame));

    cap = express_cap(c.qts, 1);
    g_assert_true(config_readl(c.qts, CARD_BUS, 1, cap + PCI_EXP_DEVCAP) &
                  PCI_EXP_DEVCAP_FLR);
    control = config_readl(c.qts, CARD_BUS, 1, cap + PCI_EXP_DEVCTL);
    /* the status half is write-1-to-clear: left alone */
    config_writel(c.qts, CARD_BUS, 1, cap + PCI_EXP_DEVCTL,
                  control | PCI_EXP_DEVCTL_BCR_FLR);
    for (int vf = 0; vf < PORT_VFS; vf++) {
        g_assert_false(function_present(c.qts, vf_routing_id(c.qts, 1, vf)));
        g_assert_true(function_present(c.qts, vf_routing_id(c.qts, 0, vf)));
    }
    /* Port 1 no longer has the VF: port 0 sends the frame out. */
    send_between(&c.vf[0][0], dst, src, 0x82, frame);
    assert_uplink_next(c.uplink[0], frame, sizeof(frame));
    /* Port 0's own VFs go on. */
    port_vf_mac(dst, 0, 1);
    post_rx_buffer(&c.vf[0][1]);
    send_between(&c.vf[0][0], dst, src, 0x83, frame);
    assert_received(&c.vf[0][1], frame, sizeof(frame));
    two_port_card_stop(&c);
}

/*
 * The slot is PCIe's unit of hot-unplug: removing one port removes the
 * card, with frames held across ports, and QEMU keeps running.
 */
static void test_unplug_takes_the_whole_card(void)
{
    TwoPortCard c;
    uint8_t src[6], dst[6], frame[60];

    two_port_card_start_with(&c, "", "-global ICH9-LPC.acpi-pci-hotplug-"
                             "with-bridge-support=off");
    /* PF 1's VF 1 posts no buffer: the card holds what crosses to it. */
    port_vf_mac(src, 0, 0);
    port_vf_mac(dst, 1, 1);
    for (int i = 0; i < 3; i++) {
        send_between(&c.vf[0][0], dst, src, 0x61 + i, frame);
    }
    assert_uplink_saw_nothing(&c, 0, 0x64);
    g_assert_cmpint(pf_counter(c.qts, 1, VF_PORT(1), "held"), ==, 3);
    qtest_qmp_assert_success(c.qts, "{'execute': 'device_del', 'arguments': "
                             "{'id': 'port1'}}");
    power_off_slot(c.qts);
    wait_until_no_card(c.qts);
    qtest_qmp_assert_success(c.qts, "{'execute': 'query-status'}");
    close_uplinks(&c);
    qtest_quit(c.qts);
}

/* PCIe plugs function 0 last, and a card's port 0 must come first. */
static void test_hot_plug_of_a_multi_port_card_is_refused(void)
{
    assert_device_add_fails_on_rp1("'addr': '0.0', 'ports': 2",
                                   "cannot be hot-plugged");
    assert_device_add_fails_on_rp1("'addr': '0.1', 'vfs': 0",
                                   "cannot be hot-plugged");
}

static void test_relay_setting_refused_on_one_port(void)
{
    QTestState *qts = start_with_card(",id=nic0,vfs=1");

    assert_qmp_error(qts, "card of one port",
                     "{'execute': 'nswitch-inter-port-relay-set', "
                     "'arguments': {'device': 'nic0', 'enable': false}}");
    assert_qmp_error(qts, "no-such-card",
                     "{'execute': 'nswitch-inter-port-relay-set', "
                     "'arguments': {'device': 'no-such-card', "
                     "'enable': false}}");
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/multiport/functions",
                   test_ports_are_functions_of_one_slot);
    qtest_add_func("/nswitch-nic/multiport/ari-routing-ids",
                   test_ari_routing_ids_do_not_collide);
    qtest_add_func("/nswitch-nic/multiport/without-ari",
                   test_vfs_fit_the_slot_without_ari);
    qtest_add_func("/nswitch-nic/multiport/groups-and-macs",
                   test_each_port_has_its_group_and_mac_scheme);
    qtest_add_func("/nswitch-nic/multiport/inter-port-relay",
                   test_inter_port_relay_stays_in_the_card);
    qtest_add_func("/nswitch-nic/multiport/broadcast-domains",
                   test_floods_and_unknowns_do_not_cross_ports);
    qtest_add_func("/nswitch-nic/multiport/relay-off",
                   test_relay_off_goes_through_the_uplinks);
    qtest_add_func("/nswitch-nic/multiport/relay-property-and-vepa",
                   test_relay_property_and_vepa);
    qtest_add_func("/nswitch-nic/multiport/relay-property",
                   test_relay_property_on_one_port);
    qtest_add_func("/nswitch-nic/multiport/veb-on-one-port",
                   test_veb_on_one_port);
    qtest_add_func("/nswitch-nic/multiport/migration",
                   test_migration_carries_every_port);
    qtest_add_func("/nswitch-nic/multiport/policies-per-port",
                   test_policies_apply_per_port);
    qtest_add_func("/nswitch-nic/multiport/uplink-speed-per-port",
                   test_uplink_speed_is_per_port);
    qtest_add_func("/nswitch-nic/multiport/reset-of-one-port",
                   test_reset_of_one_port);
    qtest_add_func("/nswitch-nic/multiport/unplug",
                   test_unplug_takes_the_whole_card);
    qtest_add_func("/nswitch-nic/multiport/hot-plug-refused",
                   test_hot_plug_of_a_multi_port_card_is_refused);
    qtest_add_func("/nswitch-nic/multiport/relay-setting-one-port",
                   test_relay_setting_refused_on_one_port);
    return g_test_run();
}
