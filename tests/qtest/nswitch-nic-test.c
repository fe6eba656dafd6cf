/*
 * QTest for nswitch-nic: the device on a q35 PCIe root port
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/card.h"

static void test_pf_identifies_as_modern_virtio_net(void)
{
    QTestState *qts = start_with_card("");
    uint32_t id = config_readl(qts, CARD_BUS, PF_DEVFN, PCI_VENDOR_ID);
    uint32_t class = config_readl(qts, CARD_BUS, PF_DEVFN, PCI_CLASS_REVISION);

    g_assert_cmphex(id & 0xffff, ==, VIRTIO_PCI_VENDOR_ID);
    g_assert_cmphex(id >> 16, ==, VIRTIO_NET_MODERN_DEVICE_ID);
    g_assert_cmphex(class >> 16, ==, PCI_CLASS_NETWORK_ETHERNET);
    qtest_quit(qts);
}

static void test_properties_have_defaults(void)
{
    QTestState *qts = start_with_card(",id=card");
    QDict *rsp;

    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/peripheral/card', 'property': 'vfs'}}");
    g_assert_cmpint(qdict_get_int(rsp, "return"), ==, 7);
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/peripheral/card', 'property': 'ari'}}");
    g_assert_false(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_sriov_capability_fields(void)
{
    QTestState *qts = start_with_card(",vfs=4");
    uint16_t cap = sriov_cap(qts);

    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_TOTAL_VF), ==, 4);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_INITIAL_VF), ==,
                     4);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_NUM_VF), ==, 0);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_VF_OFFSET), ==,
                     1);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_VF_STRIDE), ==,
                     1);
    g_assert_cmphex(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_VF_DID), ==,
                    VIRTIO_NET_MODERN_DEVICE_ID);
    g_assert_cmphex(ext_readl(qts, PF_DEVFN, cap + PCI_SRIOV_SUP_PGSIZE) &
                    0x553, ==, 0x553);
    g_assert_cmpuint(find_ext_cap(qts, PF_DEVFN, PCI_EXT_CAP_ID_ARI), ==, 0);
    qtest_quit(qts);
}

/* Size of VF BAR @bar as the guest sizes it: write ones, read the mask. */
static uint64_t vf_bar_size(QTestState *qts, uint16_t cap, int bar,
                            bool is_64bit)
{
    uint16_t reg = cap + PCI_SRIOV_BAR + bar * 4;
    uint64_t mask;

    ext_writel(qts, PF_DEVFN, reg, 0xffffffff);
    mask = ext_readl(qts, PF_DEVFN, reg) & ~0xfull;
    if (is_64bit) {
        ext_writel(qts, PF_DEVFN, reg + 4, 0xffffffff);
        mask |= (uint64_t)ext_readl(qts, PF_DEVFN, reg + 4) << 32;
    } else {
        mask |= 0xffffffff00000000ull;
    }
    return ~mask + 1;
}

static void test_vf_bars_match_virtio_pci(void)
{
    QTestState *qts = start_with_card(",vfs=2");
    uint16_t cap = sriov_cap(qts);
    uint32_t bar1 = ext_readl(qts, PF_DEVFN, cap + PCI_SRIOV_BAR + 4);
    uint32_t bar4 = ext_readl(qts, PF_DEVFN, cap + PCI_SRIOV_BAR + 16);

    /* MSI-X in BAR 1 (32-bit), virtio modern regions in BAR 4 */
    g_assert_cmphex(bar1 & 0xf, ==, PCI_BASE_ADDRESS_MEM_TYPE_32);
    g_assert_cmphex(bar4 & 0xf, ==, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(ext_readl(qts, PF_DEVFN, cap + PCI_SRIOV_BAR), ==, 0);
    g_assert_cmphex(vf_bar_size(qts, cap, 1, false), ==, 0x1000);
    g_assert_cmphex(vf_bar_size(qts, cap, 4, true), ==, 0x4000);
    qtest_quit(qts);
}

/* Entries of the MSI-X table of the function at @devfn of the card's bus */
static unsigned msix_table_size(QTestState *qts, uint8_t devfn)
{
    uint8_t at = config_readl(qts, CARD_BUS, devfn, PCI_CAPABILITY_LIST);

    while (at) {
        uint32_t header = config_readl(qts, CARD_BUS, devfn, at);

        if ((header & 0xff) == PCI_CAP_ID_MSIX) {
            return ((header >> 16) & PCI_MSIX_FLAGS_QSIZE) + 1;
        }
        at = (header >> 8) & 0xff;
    }
    g_assert_not_reached();
}

static void test_vf_vectors(void)
{
    QTestState *qts = start_with_card(",vfs=2");

    /* config, RX and TX, as virtio_net uses them */
    set_vfs(qts, 2);
    g_assert_cmpuint(msix_table_size(qts, VF_DEVFN(0)), ==, 3);
    g_assert_cmpuint(msix_table_size(qts, VF_DEVFN(1)), ==, 3);
    qtest_quit(qts);

    qts = start_with_card(",vfs=2,vf-vectors=2");
    set_vfs(qts, 2);
    g_assert_cmpuint(msix_table_size(qts, VF_DEVFN(1)), ==, 2);
    /* the PF keeps virtio-net-pci's own count */
    g_assert_cmpuint(msix_table_size(qts, PF_DEVFN), ==, 4);
    qtest_quit(qts);
}

/* How many of the machine's devices have @setting ("ioeventfd = false"). */
static int devices_with(QTestState *qts, const char *setting)
{
    g_autofree char *tree = qtest_hmp(qts, "info qtree");
    const char *at = strstr(tree, setting);
    int count = 0;

    while (at) {
        count++;
        at = strstr(at + 1, setting);
    }
    return count;
}

/* VFs have no properties of their own: they notify as their PF does. */
static void test_vfs_follow_ioeventfd(void)
{
    QTestState *qts = start_with_card(",vfs=2");

    g_assert_cmpint(devices_with(qts, "ioeventfd = true"), ==, 3);
    qtest_quit(qts);

    qts = start_with_card(",vfs=2,ioeventfd=off");
    g_assert_cmpint(devices_with(qts, "ioeventfd = false"), ==, 3);
    g_assert_cmpint(devices_with(qts, "ioeventfd = true"), ==, 0);
    qtest_quit(qts);
}

static void test_bad_vf_vectors_are_refused(void)
{
    assert_device_add_fails_on_rp1("'vf-vectors': 1",
                                   "Property 'vf-vectors' is 1");
    assert_device_add_fails_on_rp1("'vf-vectors': 5",
                                   "Property 'vf-vectors' is 5");
}

static void test_vfs_come_and_go(void)
{
    QTestState *qts = start_with_card(",vfs=3");

    for (int round = 0; round < 2; round++) {
        g_assert_false(vf_present(qts, 0));

        set_vfs(qts, 3);
        for (int vf = 0; vf < 3; vf++) {
            g_assert_true(vf_present(qts, vf));
            /* SR-IOV: a VF's own IDs read as 0xffff, the PF says them. */
            g_assert_cmphex(config_readl(qts, CARD_BUS, VF_DEVFN(vf),
                                         PCI_VENDOR_ID), ==, 0xffffffff);
        }
        g_assert_false(vf_present(qts, 3));

        set_vfs(qts, 1);
        g_assert_true(vf_present(qts, 0));
        g_assert_false(vf_present(qts, 1));

        set_vfs(qts, 0);
        g_assert_false(vf_present(qts, 0));
    }
    qtest_quit(qts);
}

static void test_ari_on_pf_and_vfs(void)
{
    QTestState *qts = start_with_card(",vfs=16,ari=on");
    uint16_t cap = sriov_cap(qts);

    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_TOTAL_VF), ==,
                     16);
    g_assert_cmpuint(find_ext_cap(qts, PF_DEVFN, PCI_EXT_CAP_ID_ARI), !=, 0);
    set_vfs(qts, 16);
    g_assert_true(vf_present(qts, 15));
    g_assert_cmpuint(find_ext_cap(qts, VF_DEVFN(15), PCI_EXT_CAP_ID_ARI), ==,
                     0x100);
    qtest_quit(qts);
}

static void test_pf_offers_virtio_f_sr_iov(void)
{
    QTestState *qts = start_with_card(",vfs=2");
    uint64_t common;
    uint32_t high_features;

    /* The PF's BAR 4 in the root port's window */
    open_root_port_window(qts);
    map_pf_bar(qts);
    common = virtio_structure(qts, PF_DRIVER, VIRTIO_PCI_CAP_COMMON_CFG, NULL);
    qtest_writel(qts, common + VIRTIO_PCI_COMMON_DFSELECT, 1);
    high_features = qtest_readl(qts, common + VIRTIO_PCI_COMMON_DF);
    g_assert_true(high_features & (1u << (VIRTIO_F_VERSION_1 - 32)));
    g_assert_true(high_features & (1u << (VIRTIO_F_SR_IOV - 32)));
    qtest_quit(qts);
}

static void test_system_reset_disables_vfs(void)
{
    QTestState *qts = start_with_card(",vfs=2");
    uint16_t cap;

    set_vfs(qts, 2);
    g_assert_true(vf_present(qts, 1));
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    prepare_machine(qts);

    cap = sriov_cap(qts);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_CTRL), ==, 0);
    g_assert_cmpuint(ext_readw(qts, PF_DEVFN, cap + PCI_SRIOV_NUM_VF), ==, 0);
    g_assert_false(vf_present(qts, 0));
    g_assert_false(vf_present(qts, 1));
    set_vfs(qts, 1);
    g_assert_true(vf_present(qts, 0));
    qtest_quit(qts);
}

static void test_no_vfs_means_no_sriov_capability(void)
{
    QTestState *qts = start_with_card(",vfs=0");

    g_assert_cmpuint(find_ext_cap(qts, PF_DEVFN, PCI_EXT_CAP_ID_SRIOV), ==, 0);
    qtest_quit(qts);
}

static void test_query_shows_ports_and_relay_table(void)
{
    QTestState *qts = start_with_card(",id=card0,vfs=3");
    QDict *rsp, *card = query_card(qts, &rsp);
    QDict *vf2;

    g_assert_cmpstr(qdict_get_str(card, "id"), ==, "card0");
    g_assert_cmpstr(qdict_get_str(card, "oui"), ==, "02:6e:00");
    g_assert_cmpint(qdict_get_int(card, "total-vfs"), ==, 3);
    g_assert_cmpint(qdict_get_int(card, "enabled-vfs"), ==, 0);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "ports")), ==, 5);
    g_assert_cmpstr(qdict_get_str(card_port(card, UPLINK_PORT), "kind"), ==,
                    "uplink");
    g_assert_cmpstr(qdict_get_str(card_port(card, PF_PORT), "mac"), ==,
                    "02:6e:00:00:00:00");
    vf2 = card_port(card, VF_PORT(2));
    g_assert_cmpstr(qdict_get_str(vf2, "kind"), ==, "vf");
    g_assert_cmpint(qdict_get_int(vf2, "vf"), ==, 2);
    g_assert_cmpstr(qdict_get_str(vf2, "mac"), ==, "02:6e:00:00:00:03");
    g_assert_false(qdict_get_bool(vf2, "attached"));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==, 1);
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_vf_enable_fills_relay_table(void)
{
    QTestState *qts = start_with_card(",vfs=3");
    QDict *rsp, *card;

    set_vfs(qts, 2);
    card = query_card(qts, &rsp);
    g_assert_cmpint(qdict_get_int(card, "enabled-vfs"), ==, 2);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==, 3);
    g_assert_true(qdict_get_bool(card_port(card, VF_PORT(1)), "attached"));
    g_assert_cmpstr(qdict_get_str(card_port(card, VF_PORT(1)), "group"), ==,
                    "02:6e:00");
    g_assert_false(qdict_get_bool(card_port(card, VF_PORT(2)), "attached"));
    qobject_unref(rsp);

    set_vfs(qts, 0);
    card = query_card(qts, &rsp);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==, 1);
    g_assert_false(qdict_get_bool(card_port(card, VF_PORT(0)), "attached"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_uplink_frame_sorted_to_its_vf(void)
{
    Card c;
    uint8_t dst[6];

    card_start(&c, ",vfs=2", 0);
    set_vfs(c.qts, 2);
    vf_mac(dst, 1);
    /* No driver runs the functions: the owner's empty ring refuses it. */
    send_socket_frame(c.uplink_fd, dst, outside_mac, 60);
    wait_for_counter(c.qts, PATHS, "from-uplink", 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.receiver-full"),
                    ==, 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 0);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "dropped.receiver-full"),
                    ==, 0);
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "dropped.receiver-full"), ==,
                    0);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "rx-frames"), ==, 1);

    send_socket_frame(c.uplink_fd, pf_mac, outside_mac, 70);
    wait_for_counter(c.qts, PATHS, "from-uplink", 2);
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "dropped.receiver-full"), ==,
                    1);
    card_stop(&c);
}

static void test_uplink_broadcast_fans_out(void)
{
    Card c;

    card_start(&c, ",vfs=3", 0);
    set_vfs(c.qts, 2);
    send_socket_frame(c.uplink_fd, broadcast_mac, outside_mac, 60);
    wait_for_counter(c.qts, PATHS, "flooded", 1);
    /* Without drivers each enabled function refuses its copy. */
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "dropped.receiver-full"), ==,
                    1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "dropped.receiver-full"),
                    ==, 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.receiver-full"),
                    ==, 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(2), "dropped.receiver-full"),
                    ==, 0);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "tx-frames"), ==, 0);
    card_stop(&c);
}

static void test_uplink_drops_are_counted_by_reason(void)
{
    Card c;
    uint8_t dst[6];

    card_start(&c, ",vfs=2", 0);
    set_vfs(c.qts, 2);
    vf_mac(dst, 1);
    /* unknown unicast, a runt, a multicast source, then a disabled VF */
    dst[5] = 0x63;
    send_socket_frame(c.uplink_fd, dst, outside_mac, 60);
    send_socket_frame(c.uplink_fd, broadcast_mac, outside_mac, 10);
    send_socket_frame(c.uplink_fd, broadcast_mac, broadcast_mac, 60);
    wait_for_counter(c.qts, PATHS, "dropped.bad-source", 1);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.no-destination"), ==,
                    1);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.runt"), ==, 1);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "dropped.runt"), ==, 1);

    set_vfs(c.qts, 1);
    vf_mac(dst, 1);
    send_socket_frame(c.uplink_fd, dst, outside_mac, 60);
    wait_for_counter(c.qts, PATHS, "dropped.no-destination", 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 0);
    card_stop(&c);
}

static void test_migration_keeps_relay_table_and_counters(void)
{
    int src_fd, dst_fd;
    QTestState *src = start_with_uplink(",id=card0,vfs=3", &src_fd);
    QTestState *dst;
    QDict *rsp, *card;
    uint8_t dst_mac[6];

    set_vfs(src, 2);
    vf_mac(dst_mac, 1);
    send_socket_frame(src_fd, dst_mac, outside_mac, 60);
    send_socket_frame(src_fd, broadcast_mac, outside_mac, 60);
    send_socket_frame(src_fd, broadcast_mac, outside_mac, 10);
    wait_for_counter(src, PATHS, "dropped.runt", 1);
    dst = migrate_card(src, ",id=card0,vfs=3", &dst_fd);

    card = query_card(dst, &rsp);
    g_assert_cmpint(qdict_get_int(card, "enabled-vfs"), ==, 2);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==, 3);
    g_assert_true(qdict_get_bool(card_port(card, VF_PORT(1)), "attached"));
    g_assert_false(qdict_get_bool(card_port(card, VF_PORT(2)), "attached"));
    qobject_unref(rsp);
    g_assert_cmpint(card_counter(dst, PATHS, "from-uplink"), ==, 1);
    g_assert_cmpint(card_counter(dst, PATHS, "flooded"), ==, 1);
    g_assert_cmpint(card_counter(dst, PATHS, "dropped.runt"), ==, 1);
    g_assert_cmpint(card_counter(dst, VF_PORT(1), "dropped.receiver-full"),
                    ==, 2);
    g_assert_cmpint(card_counter(dst, UPLINK_PORT, "rx-frames"), ==, 3);
    g_assert_true(vf_present(dst, 1));

    /* The destination's switch carries on from there. */
    send_socket_frame(dst_fd, dst_mac, outside_mac, 60);
    wait_for_counter(dst, PATHS, "from-uplink", 2);
    g_assert_cmpint(card_counter(dst, VF_PORT(1), "dropped.receiver-full"),
                    ==, 3);

    close(src_fd);
    close(dst_fd);
    qtest_quit(src);
    qtest_quit(dst);
}

static void test_vf_to_vf_hairpin_through_virtqueues(void)
{
    uint8_t frame[60], after[60];
    Card c;

    card_start(&c, ",vfs=2", 2);
    post_rx_buffer(&c.vf[1]);
    post_rx_buffer(&c.vf[0]);

    make_frame(frame, c.mac[1], c.mac[0], 0x5a);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_received(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "hairpinned"), ==, 1);
    g_assert_cmpint(card_counter(c.qts, PATHS, "to-uplink"), ==, 0);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "rx-frames"), ==, 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-bytes"), ==, 60);
    /* the card decided in one go, which the QMP answers came after */
    g_assert_true(queue_used_nothing(&c.vf[0], RX_QUEUE));
    /* the uplink's first frame is one sent after it: it did not leave */
    make_frame(after, other_oui_mac, c.mac[0], 0x5b);
    vf_send(&c.vf[0], after, sizeof(after));
    assert_uplink_next(c.uplink_fd, after, sizeof(after));
    card_stop(&c);
}

static void test_vf_frame_to_other_oui_leaves_by_uplink(void)
{
    uint8_t frame[60];
    Card c;

    card_start(&c, ",vfs=2", 2);
    post_rx_buffer(&c.vf[1]);

    make_frame(frame, other_oui_mac, c.mac[0], 0xa5);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_uplink_next(c.uplink_fd, frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "to-uplink"), ==, 1);
    g_assert_cmpint(card_counter(c.qts, PATHS, "hairpinned"), ==, 0);
    /* the card decided in one go, which the QMP answers came after */
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    card_stop(&c);
}

static void test_vf_broadcast_reaches_group_and_uplink(void)
{
    uint8_t frame[60];
    Card c;

    card_start(&c, ",vfs=3", 3);
    for (int i = 0; i < 3; i++) {
        post_rx_buffer(&c.vf[i]);
    }
    make_frame(frame, broadcast_mac, c.mac[0], 0x33);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_received(&c.vf[1], frame, sizeof(frame));
    assert_received(&c.vf[2], frame, sizeof(frame));
    assert_uplink_next(c.uplink_fd, frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "flooded"), ==, 1);
    /* the PF has no driver: its copy is refused and counted */
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "dropped.receiver-full"), ==,
                    1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 1);
    /* the card decided in one go, which the QMP answers came after */
    g_assert_true(queue_used_nothing(&c.vf[0], RX_QUEUE));
    card_stop(&c);
}

static void test_hmp_info_nswitch(void)
{
    QTestState *qts = start_with_card(",id=card0,vfs=2");
    g_autofree char *text = NULL;

    set_vfs(qts, 1);
    text = qtest_hmp(qts, "info nswitch");
    g_test_message("%s", text);
    g_assert_nonnull(strstr(text, "nswitch-nic card0 (/machine/peripheral/"
                            "card0): PF 0, OUI 02:6e:00, 1 of 2 VFs enabled"));
    g_assert_nonnull(strstr(text, "02:6e:00:00:00:01 -> port 2 "
                            "(group 02:6e:00)"));
    g_assert_nonnull(strstr(text, "(1 disabled VFs not shown)"));
    qtest_quit(qts);
}

static void test_255_vfs_with_ari(void)
{
    QTestState *qts = start_with_card(",vfs=255,ari=on");
    QDict *rsp, *card;

    set_vfs(qts, 255);
    g_assert_true(vf_present(qts, 0));
    g_assert_true(vf_present(qts, 254));
    card = query_card(qts, &rsp);
    g_assert_cmpint(qdict_get_int(card, "enabled-vfs"), ==, 255);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==,
                     256);
    g_assert_cmpstr(qdict_get_str(card_port(card, VF_PORT(254)), "mac"), ==,
                    "02:6e:00:00:00:ff");
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_bogus_gso_request_is_dropped_and_counted(void)
{
    const struct virtio_net_hdr tso_without_size = {
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
    };
    uint8_t frame[60];
    Card c;

    card_start(&c, ",vfs=1", 1);
    make_frame(frame, other_oui_mac, c.mac[0], 0x11);
    vf_send_with_header(&c.vf[0], &tso_without_size, frame, sizeof(frame));
    wait_for_counter(c.qts, PATHS, "dropped.bad-offload", 1);
    /* refused as it came in: counted on its sender */
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "dropped.bad-offload"),
                    ==, 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "rx-frames"), ==, 1);
    /* the uplink's first frame is a good one sent after it */
    make_frame(frame, other_oui_mac, c.mac[0], 0x12);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_uplink_next(c.uplink_fd, frame, sizeof(frame));
    card_stop(&c);
}

static void test_too_many_vfs_without_ari_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'vfs': 8", "'vfs'");
}

static void test_too_many_vfs_with_ari_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'vfs': 256, 'ari': true", "'vfs'");
}

static void test_malformed_oui_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'oui': '02:6e'", "'oui'");
    assert_device_add_fails("'bus': 'rp1', 'oui': '02:6e:00:01'", "'oui'");
    assert_device_add_fails("'bus': 'rp1', 'oui': 'zz:00:00'", "'oui'");
}

static void test_oversized_rx_queue_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'rx-queue': 4097", "'rx-queue'");
}

static void test_multicast_oui_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'oui': '03:00:00'", "multicast");
}

static void test_multicast_mac_is_refused(void)
{
    assert_device_add_fails("'bus': 'rp1', 'mac': '01:00:5e:00:00:01'",
                            "Property 'mac'");
}

static void test_uplink_frames_land_in_the_owners_ring(void)
{
    uint8_t frame[60];
    Card c;

    card_start(&c, ",vfs=2", 2);
    post_rx_buffer(&c.vf[0]);
    post_rx_buffer(&c.vf[1]);

    make_frame(frame, c.mac[1], outside_mac, 0x66);
    uplink_send(c.uplink_fd, frame, sizeof(frame));
    assert_received(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-bytes"), ==, 60);
    /* the card decided in one go, which the QMP answer came after */
    g_assert_true(queue_used_nothing(&c.vf[0], RX_QUEUE));

    /* A broadcast lands in both rings. */
    post_rx_buffer(&c.vf[1]);
    make_frame(frame, broadcast_mac, outside_mac, 0x67);
    uplink_send(c.uplink_fd, frame, sizeof(frame));
    assert_received(&c.vf[0], frame, sizeof(frame));
    assert_received(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 2);

    /* The next one finds VF1's ring empty: it waits in the card. */
    make_frame(frame, c.mac[1], outside_mac, 0x68);
    uplink_send(c.uplink_fd, frame, sizeof(frame));
    wait_for_counter(c.qts, PATHS, "from-uplink", 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 2);
    post_rx_buffer(&c.vf[1]);
    assert_received(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 3);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.receiver-full"),
                    ==, 0);
    card_stop(&c);
}

/* Sends frames marked @first.. to VF1 from the uplink. */
static void reflect_to_vf1(int fd, uint8_t first, int count)
{
    uint8_t mac1[6], frame[60];

    vf_mac(mac1, 1);
    for (int i = 0; i < count; i++) {
        make_frame(frame, mac1, outside_mac, first + i);
        uplink_send(fd, frame, sizeof(frame));
    }
}

/* The marker of the frame in VF1's next used RX buffer. */

static void test_card_holds_rx_queue_frames_for_a_full_ring(void)
{
    Card c;

    card_start(&c, ",vfs=2,rx-queue=2", 2);
    reflect_to_vf1(c.uplink_fd, 0x71, 3);
    wait_for_counter(c.qts, VF_PORT(1), "dropped.receiver-full", 1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 0);

    /* The two held frames come in order as the guest posts buffers. */
    g_assert_cmphex(next_marker(&c.vf[1], 60), ==, 0x71);
    g_assert_cmphex(next_marker(&c.vf[1], 60), ==, 0x72);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 2);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.port-down"), ==,
                    0);

    /* What a VF holds when it is disabled is dropped as port-down. */
    reflect_to_vf1(c.uplink_fd, 0x74, 1);
    wait_for_counter(c.qts, PATHS, "from-uplink", 4);
    set_vfs(c.qts, 0);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "dropped.port-down"), ==,
                    1);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 2);
    card_stop(&c);
}

static void test_without_rx_queue_a_full_ring_drops(void)
{
    Card c;

    card_start(&c, ",vfs=2,rx-queue=0", 2);
    reflect_to_vf1(c.uplink_fd, 0x81, 1);
    wait_for_counter(c.qts, VF_PORT(1), "dropped.receiver-full", 1);
    reflect_to_vf1(c.uplink_fd, 0x82, 1);
    wait_for_counter(c.qts, VF_PORT(1), "dropped.receiver-full", 2);
    /* nothing was kept for the next buffer but the next frame */
    post_rx_buffer(&c.vf[1]);
    reflect_to_vf1(c.uplink_fd, 0x83, 1);
    g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==, VNET_HDR_LEN + 60);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 1);
    card_stop(&c);
}

static void test_vepa_relies_on_the_external_switch(void)
{
    uint8_t frame[60], on_uplink[128];
    size_t len;
    Card c;

    card_start(&c, ",vfs=2,mode=vepa", 2);
    post_rx_buffer(&c.vf[0]);
    post_rx_buffer(&c.vf[1]);

    /* VF to VF goes out of the uplink, not to VF1... */
    make_frame(frame, c.mac[1], c.mac[0], 0x77);
    vf_send(&c.vf[0], frame, sizeof(frame));
    len = uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink), 5000);
    g_assert_cmpuint(len, ==, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "hairpinned"), ==, 0);
    /* the card decided in one go, which the QMP answer came after */
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    /* ...and reaches it when the external switch reflects it. */
    uplink_send(c.uplink_fd, on_uplink, len);
    assert_received(&c.vf[1], frame, sizeof(frame));

    /* A reflected broadcast reaches the others, never its sender. */
    post_rx_buffer(&c.vf[1]);
    make_frame(frame, broadcast_mac, c.mac[0], 0x78);
    vf_send(&c.vf[0], frame, sizeof(frame));
    len = uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink), 5000);
    g_assert_cmpuint(len, ==, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "to-uplink"), ==, 2);
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    uplink_send(c.uplink_fd, on_uplink, len);
    assert_received(&c.vf[1], frame, sizeof(frame));
    g_assert_cmpint(card_counter(c.qts, PATHS, "to-uplink"), ==, 2);
    g_assert_true(queue_used_nothing(&c.vf[0], RX_QUEUE));
    card_stop(&c);
}

/* VF0 sends to a PF whose MAC is of another OUI: does the card keep it? */
static int64_t hairpins_to_foreign_pf(const char *mode)
{
    g_autofree char *options = g_strdup_printf(
        ",vfs=1,mac=02:99:00:00:00:01,mode=%s", mode);
    uint8_t frame[60], after[60], on_uplink[128];
    int64_t hairpinned;
    size_t on_wire;
    Card c;

    card_start(&c, options, 1);
    make_frame(frame, other_oui_mac, c.mac[0], 0x42);
    vf_send(&c.vf[0], frame, sizeof(frame));
    /* VF0's buffer came back: the card had decided */
    hairpinned = card_counter(c.qts, PATHS, "hairpinned");
    /* a hairpinned frame reaches the PF, whose lack of a driver refuses it */
    g_assert_cmpint(card_counter(c.qts, PF_PORT, "dropped.receiver-full"), ==,
                    hairpinned);
    /* a frame sent after it that leaves by the uplink in every mode */
    make_frame(after, outside_mac, c.mac[0], 0x43);
    vf_send(&c.vf[0], after, sizeof(after));
    on_wire = uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink), 5000);
    g_assert_cmpuint(on_wire, ==, sizeof(frame));
    /* the uplink got the PF's frame first, or only the one after it */
    g_assert_cmpmem(on_uplink, on_wire, hairpinned ? after : frame,
                    sizeof(frame));
    if (!hairpinned) {
        assert_uplink_next(c.uplink_fd, after, sizeof(after));
    }
    card_stop(&c);
    return hairpinned;
}

static void test_veb_switches_across_ouis_nswitch_does_not(void)
{
    g_assert_cmpint(hairpins_to_foreign_pf("veb"), ==, 1);
    g_assert_cmpint(hairpins_to_foreign_pf("nswitch"), ==, 0);
}

static void test_uplink_speed_caps_both_directions(void)
{
    Card c;
    /* 1 Mbit/s: a burst of one GSO frame (65792 bytes), then 125 kB/s */
    const int burst_frames = 65792 / 60;
    /* 10 ms of the virtual clock refill 1250 bytes, after the leftover */
    const int refill_frames = (65792 % 60 + 1250) / 60;

    card_start(&c, ",vfs=1,uplink-speed=1,id=card0", 0);
    for (int i = 0; i < burst_frames + 100; i++) {
        send_socket_frame(c.uplink_fd, pf_mac, outside_mac, 60);
    }
    wait_for_counter(c.qts, UPLINK_PORT, "rx-frames", burst_frames + 100);
    g_assert_cmpint(card_counter(c.qts, PATHS, "from-uplink"), ==,
                    burst_frames);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.uplink-rate"), ==, 100);

    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    for (int i = 0; i < 30; i++) {
        send_socket_frame(c.uplink_fd, pf_mac, outside_mac, 60);
    }
    wait_for_counter(c.qts, UPLINK_PORT, "rx-frames", burst_frames + 130);
    g_assert_cmpint(card_counter(c.qts, PATHS, "from-uplink"), ==,
                    burst_frames + refill_frames);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.uplink-rate"), ==,
                    100 + 30 - refill_frames);
    card_stop(&c);
}

/* mode is a QAPI enum: its type and default show in -device help. */
static void test_mode_is_a_qapi_enum(void)
{
    QTestState *qts = qtest_init("-machine q35 -nodefaults");
    QDict *rsp = qtest_qmp(qts, "{'execute': 'device-list-properties', "
                           "'arguments': {'typename': 'nswitch-nic'}}");
    QDict *mode = NULL;

    for (const QListEntry *e = qlist_first(qdict_get_qlist(rsp, "return"));
         e; e = qlist_next(e)) {
        QDict *prop = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(prop, "name"), "mode")) {
            mode = prop;
        }
    }
    g_assert_nonnull(mode);
    g_assert_cmpstr(qdict_get_str(mode, "type"), ==, "NSwitchCardMode");
    g_assert_cmpstr(qdict_get_str(mode, "default-value"), ==, "nswitch");
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_bad_mode_and_speed_are_refused(void)
{
    assert_device_add_fails_on_rp1("'mode': 'hub'",
                                   "'mode' does not accept value 'hub'");
    assert_device_add_fails_on_rp1("'uplink-speed': 200000",
                                   "Property 'uplink-speed'");
}

static void test_vswitch_puts_each_vf_on_its_own_netdev(void)
{
    int uplink[2], vf_net[2][2];
    uint8_t frame[60], from_pf[60];
    QDict *rsp, *card;
    QTestState *qts;
    VfDriver pf;
    Card c;

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, uplink), ==, 0);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, vf_net[i]), ==, 0);
    }
    qts = qtest_initf(MACHINE_ARGS " -netdev socket,fd=%d,id=uplink "
                      "-netdev socket,fd=%d,id=vfnet0 "
                      "-netdev socket,fd=%d,id=vfnet1 "
                      "-device nswitch-nic,bus=rp0,netdev=uplink,vfs=2,"
                      "mode=vswitch,vf-netdevs=vfnet0:vfnet1",
                      uplink[1], vf_net[0][1], vf_net[1][1]);
    close(uplink[1]);
    close(vf_net[0][1]);
    close(vf_net[1][1]);
    prepare_machine(qts);
    card_drive(&c, qts, 2);
    post_rx_buffer(&c.vf[0]);
    post_rx_buffer(&c.vf[1]);

    /* VF0's frame to VF1 leaves by VF0's own netdev: nothing in the card */
    make_frame(frame, c.mac[1], c.mac[0], 0x21);
    vf_send(&c.vf[0], frame, sizeof(frame));
    assert_uplink_next(vf_net[0][0], frame, sizeof(frame));
    /* the card's uplink's first frame is one the PF sent after it */
    pf_driver_start(&pf, qts, 0);
    make_frame(from_pf, outside_mac, pf_mac, 0x22);
    vf_send(&pf, from_pf, sizeof(from_pf));
    assert_uplink_next(uplink[0], from_pf, sizeof(from_pf));
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));

    /* The host side's answer comes in on VF1's netdev */
    uplink_send(vf_net[1][0], frame, sizeof(frame));
    assert_received(&c.vf[1], frame, sizeof(frame));

    card = query_card(qts, &rsp);
    g_assert_cmpstr(qdict_get_str(card, "mode"), ==, "vswitch");
    g_assert_false(qdict_get_bool(card_port(card, VF_PORT(0)), "attached"));
    qobject_unref(rsp);
    g_assert_cmpint(card_counter(qts, PATHS, "hairpinned"), ==, 0);
    close(uplink[0]);
    close(vf_net[0][0]);
    close(vf_net[1][0]);
    card_stop(&c);
}

/*
 * Every function offers what the card carries out: TCP segmentation and
 * checksums, which it does in software where a receiver cannot, but no
 * UDP segmentation (USO), which it cannot. Linux 6.2 and later would
 * negotiate USO; virtio-net offers it by default where its peer has it.
 */
static void test_functions_offer_no_uso(void)
{
    const uint64_t uso = (1ull << VIRTIO_NET_F_HOST_USO) |
                         (1ull << VIRTIO_NET_F_GUEST_USO4) |
                         (1ull << VIRTIO_NET_F_GUEST_USO6);
    const uint64_t tso = (1ull << VIRTIO_NET_F_HOST_TSO4) |
                         (1ull << VIRTIO_NET_F_HOST_TSO6) |
                         (1ull << VIRTIO_NET_F_GUEST_TSO4) |
                         (1ull << VIRTIO_NET_F_GUEST_CSUM) |
                         (1ull << VIRTIO_NET_F_CSUM);
    VfDriver pf;
    Card c;

    card_start(&c, ",vfs=2", 2);
    pf_driver_start(&pf, c.qts, 0);
    for (int vf = 0; vf < 2; vf++) {
        g_assert_cmphex(offered_features(&c.vf[vf]) & tso, ==, tso);
        g_assert_cmphex(offered_features(&c.vf[vf]) & uso, ==, 0);
    }
    g_assert_cmphex(offered_features(&pf) & tso, ==, tso);
    g_assert_cmphex(offered_features(&pf) & uso, ==, 0);
    card_stop(&c);
}

static void test_vswitch_needs_one_free_netdev_per_vf(void)
{
    assert_device_add_fails_on_rp1("'vfs': 2, 'mode': 'vswitch'",
                                   "Property 'vf-netdevs' must name");
    assert_device_add_fails_on_rp1("'vfs': 2, 'mode': 'vswitch', "
                                   "'vf-netdevs': 'a'", "names 1 netdevs");
    assert_device_add_fails_on_rp1("'vfs': 1, 'mode': 'vswitch', "
                                   "'vf-netdevs': 'nosuch'", "no netdev");
    assert_device_add_fails_on_rp1("'vfs': 1, 'vf-netdevs': 'a'",
                                   "Property 'vf-netdevs' is for mode "
                                   "vswitch only");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/nswitch-nic/pf/identity",
                   test_pf_identifies_as_modern_virtio_net);
    qtest_add_func("/nswitch-nic/pf/virtio-f-sr-iov",
                   test_pf_offers_virtio_f_sr_iov);
    qtest_add_func("/nswitch-nic/properties/defaults",
                   test_properties_have_defaults);
    qtest_add_func("/nswitch-nic/sriov/capability",
                   test_sriov_capability_fields);
    qtest_add_func("/nswitch-nic/sriov/vf-bars", test_vf_bars_match_virtio_pci);
    qtest_add_func("/nswitch-nic/sriov/enable-disable", test_vfs_come_and_go);
    qtest_add_func("/nswitch-nic/sriov/vf-vectors", test_vf_vectors);
    qtest_add_func("/nswitch-nic/sriov/vfs-follow-ioeventfd",
                   test_vfs_follow_ioeventfd);
    qtest_add_func("/nswitch-nic/realize/bad-vf-vectors",
                   test_bad_vf_vectors_are_refused);
    qtest_add_func("/nswitch-nic/sriov/ari", test_ari_on_pf_and_vfs);
    qtest_add_func("/nswitch-nic/sriov/none-without-vfs",
                   test_no_vfs_means_no_sriov_capability);
    qtest_add_func("/nswitch-nic/reset/disables-vfs",
                   test_system_reset_disables_vfs);
    qtest_add_func("/nswitch-nic/qmp/ports-and-relay-table",
                   test_query_shows_ports_and_relay_table);
    qtest_add_func("/nswitch-nic/qmp/vf-enable-fills-relay-table",
                   test_vf_enable_fills_relay_table);
    qtest_add_func("/nswitch-nic/uplink/sorted-to-owner",
                   test_uplink_frame_sorted_to_its_vf);
    qtest_add_func("/nswitch-nic/uplink/broadcast-fans-out",
                   test_uplink_broadcast_fans_out);
    qtest_add_func("/nswitch-nic/uplink/drops-by-reason",
                   test_uplink_drops_are_counted_by_reason);
    qtest_add_func("/nswitch-nic/virtqueues/vf-to-vf-hairpin",
                   test_vf_to_vf_hairpin_through_virtqueues);
    qtest_add_func("/nswitch-nic/virtqueues/other-oui-to-uplink",
                   test_vf_frame_to_other_oui_leaves_by_uplink);
    qtest_add_func("/nswitch-nic/virtqueues/broadcast",
                   test_vf_broadcast_reaches_group_and_uplink);
    qtest_add_func("/nswitch-nic/virtqueues/bogus-gso-counted",
                   test_bogus_gso_request_is_dropped_and_counted);
    qtest_add_func("/nswitch-nic/qmp/hmp-info-nswitch",
                   test_hmp_info_nswitch);
    qtest_add_func("/nswitch-nic/sriov/255-vfs-with-ari",
                   test_255_vfs_with_ari);
    qtest_add_func("/nswitch-nic/migration/relay-table-and-counters",
                   test_migration_keeps_relay_table_and_counters);
    qtest_add_func("/nswitch-nic/virtqueues/uplink-to-owners-ring",
                   test_uplink_frames_land_in_the_owners_ring);
    qtest_add_func("/nswitch-nic/virtqueues/card-buffers-for-full-ring",
                   test_card_holds_rx_queue_frames_for_a_full_ring);
    qtest_add_func("/nswitch-nic/virtqueues/no-card-buffer",
                   test_without_rx_queue_a_full_ring_drops);
    qtest_add_func("/nswitch-nic/modes/vepa",
                   test_vepa_relies_on_the_external_switch);
    qtest_add_func("/nswitch-nic/offloads/no-uso",
                   test_functions_offer_no_uso);
    qtest_add_func("/nswitch-nic/modes/veb-vs-nswitch",
                   test_veb_switches_across_ouis_nswitch_does_not);
    qtest_add_func("/nswitch-nic/modes/uplink-speed",
                   test_uplink_speed_caps_both_directions);
    qtest_add_func("/nswitch-nic/modes/vswitch",
                   test_vswitch_puts_each_vf_on_its_own_netdev);
    qtest_add_func("/nswitch-nic/realize/vswitch-netdevs",
                   test_vswitch_needs_one_free_netdev_per_vf);
    qtest_add_func("/nswitch-nic/properties/mode-is-a-qapi-enum",
                   test_mode_is_a_qapi_enum);
    qtest_add_func("/nswitch-nic/realize/bad-mode-and-speed",
                   test_bad_mode_and_speed_are_refused);
    qtest_add_func("/nswitch-nic/realize/vfs-without-ari",
                   test_too_many_vfs_without_ari_is_refused);
    qtest_add_func("/nswitch-nic/realize/vfs-with-ari",
                   test_too_many_vfs_with_ari_is_refused);
    qtest_add_func("/nswitch-nic/realize/oui-malformed",
                   test_malformed_oui_is_refused);
    qtest_add_func("/nswitch-nic/realize/oui-multicast",
                   test_multicast_oui_is_refused);
    qtest_add_func("/nswitch-nic/realize/rx-queue-too-large",
                   test_oversized_rx_queue_is_refused);
    qtest_add_func("/nswitch-nic/realize/mac-multicast",
                   test_multicast_mac_is_refused);

    return g_test_run();
}
