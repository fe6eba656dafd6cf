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
    return g_test_run();
}
